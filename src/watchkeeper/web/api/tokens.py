"""API tokens in the API: `GET /api/v1/tokens` (those the caller manages: their own, and their teams' for a team
admin, every one for a platform admin), `POST /api/v1/tokens` (a personal token of the caller),
`POST /api/v1/teams/TEAM/tokens` (a team's, by its admin) and `POST /api/v1/tokens/ID/revoke`. A new token is
returned once and never again; a token never makes one with scopes it lacks itself."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.domain.access import Principal, Rule, Scope
from watchkeeper.services import api_tokens
from watchkeeper.services.api_tokens import DEFAULT_LIFE, NewToken, TokenView
from watchkeeper.services.audit import Actor
from watchkeeper.web.access import AccountsAdmin, allow, require_team
from watchkeeper.web.api.cursors import Cursor, Limit, next_link, read_cursor
from watchkeeper.web.api.refusals import attempt, duration_of
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["tokens"])
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TeamId = Annotated[str, Path(max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")]
TokenOwner = Annotated[Principal, allow(Rule.READ, Scope.ACCOUNTS)]
"""Anyone signed in manages their own tokens; a token needs the `accounts` scope to."""
LIST = "tokens"


class TokenOut(BaseModel):
    id: int
    name: str
    hint: str = Field(description="the token's last four characters")
    account: str | None = Field(description="the email of a personal token's account")
    team: str | None = Field(description="the team of a team's token")
    scopes: list[Scope]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    used_at: datetime | None = Field(description="last used, to the minute")


class TokenListOut(BaseModel):
    items: list[TokenOut]
    next: str | None = Field(description="the cursor of the next page, or null on the last page")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="what it is for, such as terraform")
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    expires_in: str | None = Field(default=None, max_length=20, description="such as 30d or 1y; 90d when left out")


class MadeTokenOut(BaseModel):
    token: str = Field(description="the token, returned this once: Watchkeeper keeps only its digest")
    details: TokenOut


def _out(view: TokenView) -> TokenOut:
    return TokenOut.model_validate(view.as_json())


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.get("/tokens", responses={400: {"description": "a cursor that cannot be read"}})
async def list_tokens(
    request: Request, response: Response, who: TokenOwner, limit: Limit = 50, cursor: Cursor = None
) -> TokenListOut:
    after = read_cursor(cursor, LIST) or 0
    found = [view for view in await attempt(api_tokens.listing, _context(request).db, who) if view.id > after]
    shown = found[:limit]
    key = shown[-1].id if len(found) > limit else None
    return TokenListOut(items=[_out(view) for view in shown], next=next_link(request, response, LIST, key))


@router.post(
    "/tokens",
    status_code=201,
    responses={
        400: {"description": "a value that is wrong, and why"},
        403: {"description": "a scope beyond the caller's"},
    },
)
async def create_token(request: Request, response: Response, who: TokenOwner, body: TokenIn) -> MadeTokenOut:
    if who.email is None or who.account_id is None:
        raise Problem(403, "Forbidden", "a team's token has no account of its own to make personal tokens for")
    return await _create(request, response, who, body, email=who.email)


@router.post(
    "/teams/{team}/tokens",
    status_code=201,
    responses={
        400: {"description": "a value that is wrong, and why"},
        403: {"description": "not an admin of this team, or a scope beyond the caller's"},
        404: {"description": "no such team in the catalog"},
    },
)
async def create_team_token(
    request: Request, response: Response, who: AccountsAdmin, team: TeamId, body: TokenIn
) -> MadeTokenOut:
    require_team(request, who, team)
    return await _create(request, response, who, body, team=team)


async def _create(
    request: Request,
    response: Response,
    who: Principal,
    body: TokenIn,
    email: str | None = None,
    team: str | None = None,
) -> MadeTokenOut:
    context = _context(request)
    life = duration_of(body.expires_in, "expires_in") or DEFAULT_LIFE
    new = NewToken(name=body.name, scopes=[scope.value for scope in body.scopes], email=email, team=team, life=life)
    made, secret = await attempt(api_tokens.create, context.db, context.clock.now(), new, Actor(who, "api"))
    response.headers["Location"] = f"/api/v1/tokens/{made.id}"
    response.headers["Cache-Control"] = "no-store"
    return MadeTokenOut(token=secret, details=_out(made))


@router.get("/tokens/{token_id}", responses={404: {"description": "no such token the caller manages"}})
async def get_token(request: Request, who: TokenOwner, token_id: TokenId) -> TokenOut:
    return _out(await attempt(api_tokens.one, _context(request).db, who, token_id))


@router.post(
    "/tokens/{token_id}/revoke",
    responses={404: {"description": "no such token the caller manages"}, 409: {"description": "already revoked"}},
)
async def revoke_token(request: Request, who: TokenOwner, token_id: TokenId) -> TokenOut:
    context = _context(request)
    return _out(await attempt(api_tokens.revoke, context.db, context.clock.now(), token_id, Actor(who, "api")))
