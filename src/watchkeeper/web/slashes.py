"""Trailing-slash redirects that name no host: `/down/` answers `307` with `Location: /down`.

Starlette's own (`redirect_slashes`) builds an absolute URL from the request's Host header, so any client
could make the server send a redirect to a host of its choosing (and a cache or proxy could keep it for
others). A path relative to this server needs no host, so it cannot be pointed anywhere else."""

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send


def install_slash_redirects(app: FastAPI) -> None:
    """Turn Starlette's redirects off and answer a path that matches only with the slash added or removed
    with a redirect to that path on this server."""
    router = app.router
    router.redirect_slashes = False
    router.default = _SlashRedirect(app, router.default)


class _SlashRedirect:
    def __init__(self, app: FastAPI, not_found: ASGIApp) -> None:
        self.app = app
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self._other_form(scope) if scope["type"] == "http" else None
        if location is None:
            await self.not_found(scope, receive, send)
            return
        await RedirectResponse(location, status_code=307)(scope, receive, send)

    def _other_form(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        if path == "/":
            return None
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        # Never `//host` or `/\\host`, which browsers read as another host.
        if not other.startswith("/") or other[1:2] in ("/", "\\"):
            return None
        candidate = {**scope, "path": other}
        if not any(route.matches(candidate)[0] is not Match.NONE for route in self.app.router.routes):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        # The path is decoded: escape what would end it early, as Starlette does. RedirectResponse quotes the rest.
        escaped = other.replace("?", "%3F").replace("#", "%23")
        return escaped + ("?" + query if query else "")
