"""Accounts in the API: `GET /api/v1/account` (whoever asks: who they are and where their rights come from),
and for admins `GET /api/v1/accounts`, `POST /api/v1/accounts` (with a one-time sign-in link, returned once),
`GET /api/v1/accounts/ID` and `POST /api/v1/accounts/ID/disable`. A team admin sees and changes their team's
accounts only (services.account_admin); an account out of reach is a 404, as if it did not exist."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.domain.access import Role
from watchkeeper.services import account_admin
from watchkeeper.services.accounts import AccountView, NewAccount
from watchkeeper.services.audit import Actor
from watchkeeper.web.access import AccountsAdmin, Reader
from watchkeeper.web.api.cursors import Cursor, Limit, next_link, read_cursor
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["accounts"])
AccountId = Annotated[int, Path(ge=1, le=2**31 - 1)]
LIST = "accounts"


class AccountOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role = Field(description="what the account may do: the catalog's membership and its own role together")
    team: str | None = Field(description="the team of the account's own role")
    person: str | None = Field(description="the catalog person with the account's email")
    catalog_team: str | None = Field(description="that person's team")
    password: bool
    single_sign_on: bool
    created_at: datetime
    created_by: str
    disabled_at: datetime | None


class AccountListOut(BaseModel):
    items: list[AccountOut]
    next: str | None = Field(description="the cursor of the next page, or null on the last page")


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    role: Role
    team: str | None = Field(default=None, max_length=63, description="for a team-admin or team-member")
    name: str | None = Field(default=None, max_length=200, description="by default the catalog person's name")


class MadeAccountOut(BaseModel):
    account: AccountOut
    sign_in_link: str = Field(description="a one-time sign-in link, returned this once; pass it on privately")
    link_expires_at: datetime


class StandingOut(BaseModel):
    name: str
    email: str | None
    role: Role
    via: str = Field(description="session or token")
    platform_admin: bool
    admin_of: list[str]
    member_of: list[str]
    scopes: list[str]
    person: str | None = Field(description="the catalog person with the account's email")
    account: AccountOut | None = Field(description="null for a team's token, which has no account")


def _out(view: AccountView) -> AccountOut:
    return AccountOut.model_validate(view.as_json())


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.get("/account")
async def who_am_i(request: Request, who: Reader) -> StandingOut:
    account = None
    if who.account_id is not None:
        account = _out((await attempt(account_admin.standing, _context(request).db, who.account_id)).account)
    return StandingOut(
        name=who.name,
        email=who.email,
        role=who.role,
        via=who.via,
        platform_admin=who.platform_admin,
        admin_of=sorted(who.admin_of),
        member_of=sorted(who.member_of),
        scopes=sorted(scope.value for scope in who.scopes),
        person=who.person_id,
        account=account,
    )


@router.get("/accounts", responses={400: {"description": "a cursor that cannot be read"}})
async def list_accounts(
    request: Request, response: Response, who: AccountsAdmin, limit: Limit = 50, cursor: Cursor = None
) -> AccountListOut:
    after = read_cursor(cursor, LIST) or 0
    found = await attempt(account_admin.accounts_for, _context(request).db, who)
    following = sorted((view for view in found if view.id > after), key=lambda view: view.id)
    shown = following[:limit]
    key = shown[-1].id if len(following) > limit else None
    return AccountListOut(items=[_out(view) for view in shown], next=next_link(request, response, LIST, key))


@router.post(
    "/accounts",
    status_code=201,
    responses={
        400: {"description": "a value that is wrong, and why"},
        403: {"description": "a role or team beyond the caller's own"},
        404: {"description": "no such team in the catalog"},
        409: {"description": "there is already an account with this email"},
    },
)
async def create_account(request: Request, response: Response, who: AccountsAdmin, body: AccountIn) -> MadeAccountOut:
    context = _context(request)
    now = context.clock.now()
    life = context.settings.sign_in_link_life
    new = NewAccount(email=body.email, role=body.role.value, team=body.team, name=body.name)
    made = await attempt(account_admin.create_with_link, context.db, now, new, life, Actor(who, "api"))
    assert made.link_secret is not None
    response.headers["Location"] = f"/api/v1/accounts/{made.account.id}"
    response.headers["Cache-Control"] = "no-store"
    link = f"{(context.settings.public_url or str(request.base_url)).rstrip('/')}/login/link/{made.link_secret}"
    return MadeAccountOut(account=_out(made.account), sign_in_link=link, link_expires_at=now + life)


@router.get("/accounts/{account_id}", responses={404: {"description": "no such account within the caller's reach"}})
async def get_account(request: Request, who: AccountsAdmin, account_id: AccountId) -> AccountOut:
    return _out(await attempt(account_admin.account_for, _context(request).db, who, account_id))


@router.post(
    "/accounts/{account_id}/disable",
    responses={
        403: {"description": "the caller's own account, or a platform admin's for a team admin"},
        404: {"description": "no such account within the caller's reach"},
        409: {"description": "already disabled"},
    },
)
async def disable_account(request: Request, who: AccountsAdmin, account_id: AccountId) -> AccountOut:
    context = _context(request)
    found = await attempt(account_admin.disable, context.db, context.clock.now(), account_id, Actor(who, "api"))
    return _out(found)
