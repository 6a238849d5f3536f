"""Security headers on every response, with a fresh nonce for each page's one inline script, and the session
cookie a route asked for (web.access queues it; this writes it, whatever kind of response the route returned).

The Content-Security-Policy allows scripts and styles from this server only (and the nonce'd line GOV.UK
Frontend's template runs to mark the page as having JavaScript), no frames, no plugins, and forms that post
only here, so that injected markup can neither run nor send anything elsewhere.

A page is `Cache-Control: no-store` unless its route says otherwise: a console page is for the person signed in
when it was made, and a browser keeps a stored page for its back button, where the next person at a shared
computer would see the console after its last user signed out. So is every API answer: it is for the token or
session that asked, and no cache between should keep it."""

import secrets
from collections.abc import Sequence
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchkeeper.settings import Settings
from watchkeeper.web.access import SESSION_COOKIE


def content_security_policy(nonce: str, form_action: Sequence[str] = ()) -> str:
    """`form_action`: origins beyond this server that a form may lead to (the sign-in page's single sign-on
    button, whose post is redirected to the provider: browsers hold every redirect of a form to form-action)."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            " ".join(("form-action 'self'", *form_action)),
            "frame-ancestors 'none'",
        )
    )


NOTHING = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
"""For anything but a page (JSON, CSV, calendars): nothing in it may load or run, were a browser to render it."""


def _is_page(headers: list[tuple[bytes, bytes]]) -> bool:
    media = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    return media.startswith(b"text/html")


def _policy_for(headers: list[tuple[bytes, bytes]], nonce: str) -> bytes:
    return (content_security_policy(nonce) if _is_page(headers) else NOTHING).encode()


_FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.always_secure = (settings.public_url or "").startswith("https://")
        self.cookie_life = int(settings.session_life.total_seconds())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state = scope.setdefault("state", {})
        state["csp_nonce"] = nonce
        secure = self.always_secure or scope.get("scheme") == "https"
        api = scope["path"].startswith("/api/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _FIXED if name not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", _policy_for(headers, nonce)))
                if b"referrer-policy" not in present:
                    headers.append((b"referrer-policy", b"same-origin"))
                if b"cache-control" not in present and (_is_page(headers) or api):
                    headers.append((b"cache-control", b"no-store"))
                if secure:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if "session_cookie" in state:
                    headers.append(
                        (b"set-cookie", _session_cookie(state["session_cookie"], secure, self.cookie_life).encode())
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _session_cookie(secret: str, secure: bool, life: int) -> str:
    """HTTP-only (no script reads it), SameSite=Lax (sent when following a link from chat or email to the
    console, never with another site's form post), and Secure whenever the console is served over HTTPS."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[SESSION_COOKIE] = secret
    morsel = cookie[SESSION_COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    morsel["secure"] = secure
    morsel["max-age"] = life if secret else 0
    return morsel.OutputString()
