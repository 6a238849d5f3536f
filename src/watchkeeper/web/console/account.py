"""`/account`: who the signed-in person is, their role and where it comes from (the catalog's team, the platform
team, the account's own role), their sessions with a button to sign out everywhere, and their personal API
tokens: make one (shown once, on the page that answers) and revoke one."""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.access import Principal, Rule, Scope
from watchkeeper.services import account_admin, api_tokens, sessions, sign_in
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import Reader, allow, client_of, lifetimes_of, queue_session_cookie
from watchkeeper.web.console import token_forms
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
AccountOwner = Annotated[Principal, allow(Rule.READ, Scope.ACCOUNTS)]
"""Anyone signed in changes their own account and tokens (a token needs the `accounts` scope to)."""


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, who: Reader) -> HTMLResponse:
    return await _page(request, who, {})


async def _page(
    request: Request,
    who: Principal,
    form: dict[str, Any],
    error: str | None = None,
    status: int = 200,
    error_in: str = "tokens",
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    standing = None
    found: list[Any] = []
    if who.account_id is not None:
        standing = await run_in_threadpool(account_admin.standing, context.db, who.account_id)
        secret = getattr(request.state, "session_secret", None)
        found = await run_in_threadpool(
            sessions.of_account, context.db, now, who.account_id, lifetimes_of(context), secret
        )
    tokens = await run_in_threadpool(api_tokens.personal, context.db, who)
    values = await page_context(
        request,
        now=now,
        standing=standing,
        sessions=found,
        tokens=tokens,
        form=form,
        error=error,
        error_in=error_in,
        done=request.query_params.get("done"),
        scope_items=token_forms.scope_items(form),
        life_items=token_forms.life_items(form),
    )
    return render(request, "account.html", values, status_code=status)


@router.post("/account/tokens", response_class=HTMLResponse)
async def make_token(request: Request, who: AccountOwner) -> Response:
    context = _context(request)
    form = token_forms.fields_of(await request.form())
    if who.account_id is None or who.email is None:
        return await _page(request, who, form, "A team's token has no account of its own to make tokens for", 403)
    try:
        new = token_forms.token_from(form, email=who.email)
        made, secret = await run_in_threadpool(
            api_tokens.create, context.db, context.clock.now(), new, Actor(who, "console")
        )
    except Refused as refused:
        return await _page(request, who, form, _sentence(refused.message), refused.status)
    return await token_forms.token_shown_once(request, made, secret, "/account#tokens")


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(request: Request, who: AccountOwner, token_id: str) -> Response:
    context = _context(request)
    if not (token_id.isascii() and token_id.isdigit() and len(token_id) <= 9):
        return await not_found(request, f"token {token_id[:40]}")
    try:
        await run_in_threadpool(
            api_tokens.revoke, context.db, context.clock.now(), int(token_id), Actor(who, "console")
        )
    except Refused as refused:
        if refused.status == 404:
            return await not_found(request, f"token {token_id}")
        return await _page(request, who, {}, _sentence(refused.message), refused.status)
    return RedirectResponse(f"/account?done=revoked-{token_id}#tokens", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request, who: AccountOwner) -> Response:
    """A new password ends every session, this one too; the person signs in with it on the page that follows."""
    context = _context(request)
    form = await request.form()
    current, new, again = (str(form.get(name, ""))[:2000] for name in ("current", "new", "again"))
    if who.account_id is None:
        return await _page(request, who, {}, "A team's token has no password", 403, "password")
    if new != again:
        return await _page(request, who, {}, "The two new passwords are not the same", 400, "password")
    try:
        await run_in_threadpool(
            sign_in.change_own_password,
            context.db,
            context.clock.now(),
            who.account_id,
            current,
            new,
            client_of(request),
            Actor(who, "console"),
        )
    except Refused as refused:
        return await _page(request, who, {}, _sentence(refused.message), refused.status, "password")
    queue_session_cookie(request, None)
    return RedirectResponse("/login", status_code=303)


@router.post("/account/sessions/end", response_class=HTMLResponse)
async def sign_out_everywhere(request: Request, who: AccountOwner) -> Response:
    """Every session of the account ends, this one too; the person signs in again on the page that follows."""
    context = _context(request)
    if who.account_id is None:
        return await _page(request, who, {}, "A team's token has no sessions", 403, "sessions")
    if (await request.form()).get("confirm") != "yes":  # the button says so; a post without it ends nothing
        return await _page(request, who, {}, "Press Sign out everywhere to end every session", 400, "sessions")
    await run_in_threadpool(
        sessions.end_everywhere, context.db, context.clock.now(), who.account_id, Actor(who, "console")
    )
    queue_session_cookie(request, None)
    return RedirectResponse("/login", status_code=303)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
