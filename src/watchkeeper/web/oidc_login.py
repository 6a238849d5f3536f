"""Signing in with the OpenID Connect provider: `POST /login/oidc/start` sends the browser to the provider, and
the provider sends it back to `GET /login/oidc/callback` (ADR 0043).

Both are public: they are the way in. The start is a form post carrying the sign-in form's own token, so another
site cannot start a sign-in in someone's browser; the callback must come back to the browser that started it,
with the `state` derived from its flow cookie. Every refusal is a page saying why, never a 500.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.constant_time import same_secret
from watchkeeper.logs import get_logger
from watchkeeper.services import single_sign_on
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import PUBLIC, require_same_origin
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext
from watchkeeper.web.login import FIELD_LIMIT, login_token_matches, safe_next, sentence, sign_in_form, start_session
from watchkeeper.web.single_sign_on import (
    FLOW_COOKIE,
    FLOW_LIFE,
    FLOW_PATH,
    Flow,
    Misconfigured,
    Provider,
    ProviderRefused,
    ProviderUnavailable,
    Unverified,
    provider_of,
)

router = APIRouter(include_in_schema=False)
log = get_logger("watchkeeper.web.oidc_login")
PARAMETER_LIMIT = 4000


@router.post(FLOW_PATH + "/start", response_class=HTMLResponse, dependencies=[PUBLIC])
async def start(
    request: Request,
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=FIELD_LIMIT)] = "/",
) -> Response:
    require_same_origin(request)
    provider = provider_of(request)
    target = safe_next(next)
    if provider is None:
        return await _refused(request, "Single sign-on is not set up here: sign in with your password.", 404)
    if not login_token_matches(request, login_token):
        return await sign_in_form(request, target, "The sign-in form had expired: choose how to sign in again", "", 400)
    flow = Flow.begin(target)
    try:
        url = await provider.authorization_url(flow)
    except ProviderUnavailable as error:
        log.warning("single sign-on could not start", reason=str(error))
        return await sign_in_form(request, target, _unavailable(provider, error), "", 502)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        flow.cookie(provider.key),
        max_age=FLOW_LIFE,
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",  # the provider sends the browser back with a top-level GET from its own site
        secure=_secure(request),
    )
    return response


@router.get(FLOW_PATH + "/callback", response_class=HTMLResponse, dependencies=[PUBLIC])
async def callback(request: Request) -> Response:
    provider = provider_of(request)
    if provider is None:
        return await _refused(request, "Single sign-on is not set up here: sign in with your password.", 404)
    try:
        response = await _sign_in(request, provider)
    except ProviderRefused as refusal:
        response = await _refused(request, _provider_said(provider, refusal), 403)
    except Unverified as error:
        log.warning("single sign-on refused an ID token", reason=str(error))
        message = f"{provider.config.name}'s answer could not be verified ({error}), so you are not signed in."
        response = await _refused(request, message, 400)
    except ProviderUnavailable as error:
        log.warning("single sign-on could not finish", reason=str(error))
        response = await _refused(request, _unavailable(provider, error) + ".", 502)
    except Refused as refusal:
        response = await _refused(request, sentence(refusal.message) + ".", refusal.status)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def _sign_in(request: Request, provider: Provider) -> Response:
    query = request.query_params
    flow = Flow.from_cookie(provider.key, request.cookies.get(FLOW_COOKIE), time.time())
    if flow is None:
        raise Refused("this sign-in has expired, was used already, or did not start in this browser: start again", 400)
    given_state = query.get("state", "")[:PARAMETER_LIMIT]
    if not same_secret(given_state, provider.state_of(flow)):
        raise Refused("this sign-in's state does not match the one this browser started with: start again", 400)
    if query.get("error"):
        raise ProviderRefused(query["error"][:100], query.get("error_description", "")[:300] or None)
    code = query.get("code", "")[:PARAMETER_LIMIT]
    if not code:
        raise Refused("the provider sent no sign-in code: start again", 400)
    identity = await provider.identity(code, flow)
    context: AppContext = request.app.state.context
    domains = provider.config.email_domains
    signed = await run_in_threadpool(single_sign_on.sign_in, context.db, context.clock.now(), identity, domains)
    return await start_session(request, signed, flow.target)


def _provider_said(provider: Provider, refusal: ProviderRefused) -> str:
    if refusal.error == "access_denied":
        name = provider.config.name
        return f"{name} did not let Watchkeeper know who you are (access was denied), so you are not signed in."
    said = f": {refusal.description}" if refusal.description else ""
    return f"{provider.config.name} refused the sign-in ({refusal.error}{said})."


def _unavailable(provider: Provider, error: ProviderUnavailable) -> str:
    if isinstance(error, Misconfigured):
        return f"Single sign-on is misconfigured ({error}): tell an admin, and sign in with a password meanwhile"
    return f"{provider.config.name} could not be reached: try again in a minute, or sign in with a password"


async def _refused(request: Request, reason: str, status_code: int) -> HTMLResponse:
    values = await page_context(request, reason=reason)
    response = render(request, "login_refused.html", values, status_code=status_code)
    response.headers["Referrer-Policy"] = "no-referrer"  # the callback's address holds the provider's code
    return response


def _secure(request: Request) -> bool:
    context: AppContext = request.app.state.context
    return (context.settings.public_url or "").startswith("https://") or request.url.scheme == "https"
