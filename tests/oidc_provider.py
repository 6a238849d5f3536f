"""A small OpenID Connect provider on loopback, for tests: discovery, JWKS, the authorization endpoint and the
token endpoint of the authorization code flow, with RS256-signed ID tokens (OpenID Connect Core 1.0).

It checks what a real provider checks (the client's id and secret, the registered redirect URI, the PKCE verifier
against the S256 challenge, a code used once) and can be told to misbehave: deny consent, sign with a key it does
not publish, name another audience, send an expired token or another nonce, fail at the token endpoint.
"""

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "watchkeeper-tests"
CLIENT_SECRET = "provider-client-secret-0123456789"


@dataclass
class Person:
    """Whom the provider signs in next, as its claims say."""

    subject: str = "subject-asha"
    email: str | None = "asha.patel@example.gov.uk"
    email_verified: Any = True
    name: str = "Asha Patel"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Behaviour:
    person: Person = field(default_factory=Person)
    deny: bool = False
    audience: str | None = None
    azp: str | None = None
    expired: bool = False
    unpublished_key: bool = False
    nonce: str | None = None
    token_status: int = 200


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self, redirect_uri: str) -> None:
        self.redirect_uri = redirect_uri
        self.issuer = ""
        self.keys = [_key("key-1")]
        self.stranger = _key("key-1")  # the same key id, another key: its signatures must not verify
        self.behaviour = Behaviour()
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorizations: list[dict[str, str]] = []
        self.jwks_reads = 0
        self.discovery_reads = 0

    def rotate(self) -> None:
        """A new signing key under a new id, published alongside the old."""
        self.keys.insert(0, _key(f"key-{len(self.keys) + 1}"))

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )

    async def _discovery(self, _request: Request) -> Response:
        self.discovery_reads += 1
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def _jwks(self, _request: Request) -> Response:
        self.jwks_reads += 1
        return JSONResponse(KeySet(list(self.keys)).as_dict(private=False))

    async def _authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorizations.append(query)
        if query.get("client_id") != CLIENT_ID or query.get("redirect_uri") != self.redirect_uri:
            return PlainTextResponse("unknown client or redirect URI", status_code=400)
        back = {"state": query.get("state", "")}
        if self.behaviour.deny:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {**query, "person": self.behaviour.person}
            back["code"] = code
        return RedirectResponse(f"{self.redirect_uri}?{urlencode(back)}", status_code=302)

    async def _token(self, request: Request) -> Response:
        if self.behaviour.token_status != 200:
            return PlainTextResponse("the provider is having a bad day", status_code=self.behaviour.token_status)
        if request.headers.get("authorization") != _basic(CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        form = await request.form()
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "unknown code"}, status_code=400)
        if grant.get("code_challenge_method") != "S256" or _s256(str(form.get("code_verifier"))) != grant.get(
            "code_challenge"
        ):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE failed"}, status_code=400)
        token = self._id_token(grant["person"], grant.get("nonce"))
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": token})

    def _id_token(self, person: Person, nonce: str | None) -> str:
        now = int(time.time()) - (7200 if self.behaviour.expired else 0)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": person.subject,
            "aud": self.behaviour.audience or CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "nonce": self.behaviour.nonce or nonce,
            "name": person.name,
            **person.extra,
        }
        if self.behaviour.azp is not None:
            claims["azp"] = self.behaviour.azp
        if person.email is not None:
            claims["email"] = person.email
        if person.email_verified is not None:
            claims["email_verified"] = person.email_verified
        key = self.stranger if self.behaviour.unpublished_key else self.keys[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def loopback_listener() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener


@contextmanager
def serving(app: Any, listener: socket.socket | None = None) -> Iterator[str]:
    """An ASGI app served by uvicorn on a loopback port in a thread (`listener`'s, if given); yields its address."""
    listener = listener or loopback_listener()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the test server did not start"
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@contextmanager
def running_provider(redirect_uri: str, host: str = "127.0.0.1") -> Iterator[Provider]:
    """The provider, named by `host` in its issuer (`localhost` makes it another site than 127.0.0.1)."""
    provider = Provider(redirect_uri)
    with serving(provider.app()) as address:
        provider.issuer = address.replace("127.0.0.1", host)
        yield provider


def closed_port() -> int:
    """A loopback port nothing listens on: a provider that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
