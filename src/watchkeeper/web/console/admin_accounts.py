"""`/admin/accounts`, for platform admins and team admins: the accounts they manage (a team admin sees their own
team's only), a form to make an account (it gets a one-time sign-in link, shown once), a button to disable one
or to make it a new sign-in link, and the team tokens they manage, with a form to make one and a button to
revoke one. Every refusal re-shows the page with the reason and what was typed."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.access import Principal, Role
from watchkeeper.services import account_admin, api_tokens
from watchkeeper.services.accounts import NewAccount
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused
from watchkeeper.store.overview import TeamRow
from watchkeeper.web.access import AccountsAdmin
from watchkeeper.web.console import token_forms
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
ACCOUNT_FIELDS = ("email", "name", "role", "team")
ROLE_NAMES = {
    Role.PLATFORM_ADMIN: "Platform admin: everything",
    Role.TEAM_ADMIN: "Team admin: the team's things, accounts and tokens",
    Role.TEAM_MEMBER: "Team member: the team's things",
    Role.VIEWER: "Viewer: reads everything, changes nothing",
}


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def _link_life(request: Request) -> timedelta:
    return _context(request).settings.sign_in_link_life


@router.get("/admin/accounts", response_class=HTMLResponse)
async def accounts_page(request: Request, who: AccountsAdmin) -> HTMLResponse:
    return await _page(request, who)


async def _page(
    request: Request,
    who: Principal,
    account_form: dict[str, Any] | None = None,
    token_form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    db = _context(request).db
    found = await run_in_threadpool(account_admin.accounts_for, db, who)
    tokens = await run_in_threadpool(api_tokens.of_teams, db, who)
    teams = await run_in_threadpool(account_admin.team_choices, db, who)
    token_form = token_form or {}
    account_form = account_form or {}
    chosen_role = account_form.get("role", "team-member")
    role_items = [
        {"value": role.value, "text": ROLE_NAMES[role], "selected": role.value == chosen_role}
        for role in account_admin.role_choices(who)
    ]
    none = [{"value": "", "text": "No team (a platform admin or viewer)"}] if who.platform_admin else []
    values = await page_context(
        request,
        accounts=found,
        tokens=tokens,
        teams=teams,
        role_items=role_items,
        account_team_items=none + _team_items(teams, account_form.get("team", "")),
        token_team_items=_team_items(teams, str(token_form.get("team", ""))),
        account_form=account_form,
        token_form=token_form,
        error=error,
        error_in="tokens" if token_form else "accounts",
        done=request.query_params.get("done"),
        scope_items=token_forms.scope_items(token_form),
        life_items=token_forms.life_items(token_form),
        now=_context(request).clock.now(),
    )
    return render(request, "admin_accounts.html", values, status_code=status)


@router.post("/admin/accounts", response_class=HTMLResponse)
async def make_account(request: Request, who: AccountsAdmin) -> Response:
    context = _context(request)
    form = {key: str(value)[:2000] for key, value in (await request.form()).items() if key in ACCOUNT_FIELDS}
    new = NewAccount(
        email=form.get("email", ""),
        role=form.get("role", ""),
        team=form.get("team") or None,
        name=form.get("name") or None,
    )
    try:
        made = await run_in_threadpool(
            account_admin.create_with_link,
            context.db,
            context.clock.now(),
            new,
            _link_life(request),
            Actor(who, "console"),
        )
    except Refused as refused:
        return await _page(request, who, account_form=form, error=_sentence(refused.message), status=refused.status)
    assert made.link_secret is not None
    return await token_forms.link_shown_once(request, made.account.email, made.link_secret, True, _link_life(request))


@router.post("/admin/accounts/{account_id}/disable", response_class=HTMLResponse)
async def disable_account(request: Request, who: AccountsAdmin, account_id: str) -> Response:
    done = f"/admin/accounts?done=disabled-{account_id}#account-{account_id}"
    return await _act_on(request, who, "account", account_id, account_admin.disable, done)


@router.post("/admin/accounts/{account_id}/link", response_class=HTMLResponse)
async def new_link(request: Request, who: AccountsAdmin, account_id: str) -> Response:
    context = _context(request)
    if not _an_id(account_id):
        return await not_found(request, f"account {account_id[:40]}")
    life = _link_life(request)
    try:
        found, secret = await run_in_threadpool(
            account_admin.new_link, context.db, context.clock.now(), int(account_id), life, Actor(who, "console")
        )
    except Refused as refused:
        if refused.status == 404:
            return await not_found(request, f"account {account_id}")
        return await _page(request, who, error=_sentence(refused.message), status=refused.status)
    return await token_forms.link_shown_once(request, found.email, secret, False, life)


@router.post("/admin/tokens", response_class=HTMLResponse)
async def make_team_token(request: Request, who: AccountsAdmin) -> Response:
    context = _context(request)
    form = token_forms.fields_of(await request.form())
    try:
        new = token_forms.token_from(form, team=str(form.get("team", "")) or _no_team())
        made, secret = await run_in_threadpool(
            api_tokens.create, context.db, context.clock.now(), new, Actor(who, "console")
        )
    except Refused as refused:
        return await _page(request, who, token_form=form, error=_sentence(refused.message), status=refused.status)
    return await token_forms.token_shown_once(request, made, secret, "/admin/accounts#team-tokens")


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_team_token(request: Request, who: AccountsAdmin, token_id: str) -> Response:
    done = f"/admin/accounts?done=revoked-{token_id}#team-tokens"
    return await _act_on(request, who, "token", token_id, api_tokens.revoke, done)


async def _act_on(
    request: Request, who: Principal, kind: str, raw_id: str, action: Callable[..., object], done: str
) -> Response:
    """Run `action(db, now, id, actor)` on the account or token `raw_id`, then go to `done`; a refusal is shown
    on the page, and an id that is not one is a 404 like an unknown one."""
    if not _an_id(raw_id):
        return await not_found(request, f"{kind} {raw_id[:40]}")
    context = _context(request)
    try:
        await run_in_threadpool(action, context.db, context.clock.now(), int(raw_id), Actor(who, "console"))
    except Refused as refused:
        if refused.status == 404:
            return await not_found(request, f"{kind} {raw_id}")
        return await _page(request, who, error=_sentence(refused.message), status=refused.status)
    return RedirectResponse(done, status_code=303)


def _team_items(teams: list[TeamRow], chosen: str) -> list[dict[str, Any]]:
    return [{"value": team.id, "text": team.name, "selected": team.id == chosen} for team in teams]


def _no_team() -> str:
    raise Refused("choose the team the token acts for")


def _an_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
