"""Signing in and out of the console: `/login` with an email and password, `/login/link/TOKEN` with a one-time
link, and `POST /logout` (single sign-on is in web.oidc_login); and the pages (or API problems) for a request
that is not signed in or not allowed.

The sign-in form has a CSRF token of its own, before any session exists: a random value in a short-lived
cookie that the form must repeat, so that another site cannot sign a visitor in to an account of its choosing.
"""

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.constant_time import same_secret
from watchkeeper.services import sessions, sign_in
from watchkeeper.services.refusals import Refused
from watchkeeper.services.sign_in import SignedIn, TooManyAttempts
from watchkeeper.web.access import (
    PUBLIC,
    NotAllowed,
    SignInNeeded,
    StaleForm,
    client_of,
    lifetimes_of,
    queue_session_cookie,
    require_same_origin,
    signed_in,
)
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import problem_response
from watchkeeper.web.security import content_security_policy
from watchkeeper.web.single_sign_on import provider_of

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "watchkeeper_login"
FIELD_LIMIT = 2000


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only, never another site (`//evil`, `/\\evil`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n"):
        return "/"
    return target[:FIELD_LIMIT]


@router.get("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
async def login_page(request: Request, next: str | None = None) -> Response:
    try:
        who = await signed_in(request)
    except SignInNeeded:
        who = None
    if who is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return await sign_in_form(request, safe_next(next))


async def sign_in_form(
    request: Request, target: str, error: str | None = None, email: str = "", status_code: int = 200
) -> HTMLResponse:
    """The sign-in page, with a fresh token of its own for its forms (the password's and single sign-on's)."""
    token = secrets.token_urlsafe(24)
    provider = provider_of(request)
    buttons = [provider.button] if provider else []
    values = await page_context(
        request, next=target, error=error, email=email, login_token=token, sign_in_providers=buttons
    )
    response = render(request, "login.html", values, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/login")
    if provider is not None:  # the button's post is redirected to the provider, which form-action must allow
        nonce = getattr(request.state, "csp_nonce", "")
        response.headers["content-security-policy"] = content_security_policy(nonce, provider.form_action_sources())
    return response


def login_token_matches(request: Request, given: str) -> bool:
    """The sign-in form's own CSRF token: the cookie set with the form, repeated by the form."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(cookie) and same_secret(given, cookie)


@router.post("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=FIELD_LIMIT)] = "",
    password: Annotated[str, Form(max_length=FIELD_LIMIT)] = "",
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=FIELD_LIMIT)] = "/",
) -> Response:
    require_same_origin(request)
    context = _context(request)
    target = safe_next(next)
    if not login_token_matches(request, login_token):
        return await sign_in_form(request, target, "The sign-in form had expired: enter your details again", email, 400)
    now = context.clock.now()
    try:
        signed = await run_in_threadpool(sign_in.with_password, context.db, now, email, password, client_of(request))
    except TooManyAttempts as refusal:
        response = await sign_in_form(request, target, sentence(refusal.message), email, 429)
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    except Refused as refusal:
        return await sign_in_form(request, target, sentence(refusal.message), email, refusal.status)
    return await start_session(request, signed, target)


async def start_session(request: Request, signed: SignedIn, target: str) -> Response:
    """Every way in ends here: a session row, its cookie, and the page the person asked for."""
    context = _context(request)
    now = context.clock.now()
    lifetimes = lifetimes_of(context)
    secret = await run_in_threadpool(sessions.start, context.db, now, signed, lifetimes, client_of(request))
    queue_session_cookie(request, secret)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


@router.get("/login/link/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
async def link_page(request: Request, token: str) -> HTMLResponse:
    """A button, not a sign-in: link scanners in mail systems follow links, and must not use this one up."""
    values = await page_context(request, token=token[:200])
    response = render(request, "login_link.html", values)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/login/link/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
async def use_link(request: Request, token: str) -> Response:
    require_same_origin(request)
    context = _context(request)
    signed = await run_in_threadpool(sign_in.with_link, context.db, context.clock.now(), token[:200])
    if signed is None:
        values = await page_context(request)
        return render(request, "login_link_used.html", values, status_code=404)
    return await start_session(request, signed, "/")


@router.post("/logout", dependencies=[PUBLIC])
async def logout(request: Request) -> Response:
    """Public, so that signing out always works; it ends only the session whose cookie came with it."""
    require_same_origin(request)
    context = _context(request)
    secret = request.cookies.get("watchkeeper_session")
    if secret:
        await run_in_threadpool(sessions.end, context.db, context.clock.now(), secret[:200])
    queue_session_cookie(request, None)
    return RedirectResponse("/login", status_code=303)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install_access_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def _sign_in_needed(request: Request, error: SignInNeeded) -> Response:
        if _is_api(request):
            response: Response = problem_response(401, "Unauthorized", error.detail)
            response.headers["WWW-Authenticate"] = 'Bearer realm="watchkeeper"'
            return response
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        values = await page_context(request, next=target)
        return render(request, "signed_out.html", values, status_code=401)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, error: NotAllowed) -> Response:
        if _is_api(request):
            return problem_response(403, "Forbidden", error.detail)
        values = await page_context(request, reason=sentence(error.detail))
        return render(request, "not_allowed.html", values, status_code=403)

    @app.exception_handler(StaleForm)
    async def _stale(request: Request, _error: StaleForm) -> Response:
        detail = "the request lacks this session's CSRF token (the X-CSRF-Token header or the form's csrf_token)"
        if _is_api(request):
            return problem_response(403, "Forbidden", detail)
        back = "/" + request.url.path.strip("/").split("/", 1)[0]
        values = await page_context(request, back=back)
        return render(request, "stale_form.html", values, status_code=403)
