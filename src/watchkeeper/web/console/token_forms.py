"""What the account pages share: reading a token form (name, scopes, lifetime), and the page that shows a new
token or sign-in link once. Watchkeeper keeps only a digest of either, so no later page can show it, and the
page that does is marked `no-store` so that neither the browser nor a cache on the way keeps it."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from watchkeeper.domain.access import Scope
from watchkeeper.services.api_tokens import NewToken, TokenView
from watchkeeper.services.refusals import Refused
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

NOT_KEPT = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LIVES = {"7": "7 days", "30": "30 days", "90": "90 days", "180": "180 days", "366": "a year (366 days)"}
DEFAULT_LIFE = "90"
SCOPE_TEXT = {
    Scope.READ: "read anything",
    Scope.ALERTS: "acknowledge and resolve alerts",
    Scope.ONCALL: "overrides, swaps, covers and calendar feeds",
    Scope.SUPPRESSION: "silences and maintenance",
    Scope.CATALOG: "services and checks made through the API, and catalog reloads",
    Scope.INTEGRATIONS: "integration keys",
    Scope.ACCOUNTS: "accounts and tokens",
    Scope.METRICS: "the Prometheus /metrics page",
}


def fields_of(form: FormData) -> dict[str, Any]:
    """A form's values as typed, for showing again: text fields as text, scopes as a list."""
    values: dict[str, Any] = {key: str(value)[:2000] for key, value in form.items() if isinstance(value, str)}
    values["scopes"] = [str(value) for value in form.getlist("scopes") if isinstance(value, str)]
    return values


def token_from(values: Mapping[str, Any], email: str | None = None, team: str | None = None) -> NewToken:
    life = str(values.get("life", DEFAULT_LIFE))
    if life not in LIVES:
        raise Refused("choose how long the token works")
    return NewToken(
        name=str(values.get("name", "")),
        scopes=list(values.get("scopes", [])),
        email=email,
        team=team,
        life=timedelta(days=int(life)),
    )


def scope_items(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    chosen = values.get("scopes") or [Scope.READ.value]
    return [
        {"value": scope.value, "text": scope.value, "hint": {"text": text}, "checked": scope.value in chosen}
        for scope, text in SCOPE_TEXT.items()
    ]


def life_items(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    chosen = values.get("life") or DEFAULT_LIFE
    return [{"value": days, "text": text, "selected": days == chosen} for days, text in LIVES.items()]


def base_url(request: Request) -> str:
    context: AppContext = request.app.state.context
    return (context.settings.public_url or str(request.base_url)).rstrip("/")


async def token_shown_once(request: Request, token: TokenView, secret: str, back: str) -> HTMLResponse:
    values = await page_context(request, token=token, secret=secret, back=back, api=base_url(request) + "/api/v1")
    response = render(request, "token_made.html", values)
    response.headers.update(NOT_KEPT)
    return response


async def link_shown_once(request: Request, email: str, secret: str, made: bool, life: timedelta) -> HTMLResponse:
    context: AppContext = request.app.state.context
    link = f"{base_url(request)}/login/link/{secret}"
    expires: datetime = context.clock.now() + life
    values = await page_context(request, email=email, link=link, made=made, expires=expires)
    response = render(request, "account_link.html", values)
    response.headers.update(NOT_KEPT)
    return response
