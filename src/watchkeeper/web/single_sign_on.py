"""The OpenID Connect provider, through Authlib, and the short-lived cookie that ties a callback to the browser
that started the sign-in (ADR 0043).

Authlib reads the provider's discovery document, builds the authorization request (code flow, PKCE with S256,
`state` and `nonce`), exchanges the code, and verifies the ID token: its signature against the provider's JWKS
(cached, and fetched again when a token names a key it does not hold), issuer, audience, expiry and nonce.

Nothing of a sign-in in progress is stored on the server. The cookie carries a random seed, when it started and
where to go afterwards, signed with the server's key; `state`, `nonce` and the PKCE verifier are derived from the
seed with that key, so none of them is kept anywhere and a callback without the cookie that started it is refused.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from starlette.requests import Request

from watchkeeper.domain.constant_time import same_secret
from watchkeeper.domain.single_sign_on import GOOGLE_ISSUER, GOOGLE_ISSUERS, Identity, identity_of, subject_problem
from watchkeeper.logs import get_logger
from watchkeeper.settings import SingleSignOn, loopback_host

FLOW_COOKIE = "watchkeeper_oidc"
FLOW_PATH = "/login/oidc"
START_PATH = FLOW_PATH + "/start"
FLOW_LIFE = 600
"""Seconds a person has at the provider before the sign-in must start again."""
TIMEOUT = 10.0
SCOPE = "openid email profile"
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""Public-key signatures only: never `none`, and never a shared secret."""
log = get_logger("watchkeeper.web.single_sign_on")


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with something unusable: trying again later may help."""


class Misconfigured(ProviderUnavailable):
    """The provider's discovery document does not fit the settings: an admin has to act."""


class ProviderRefused(Exception):
    """The provider answered with an OAuth error (`access_denied`, `invalid_grant`, ...)."""

    def __init__(self, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.description = description


class Unverified(Exception):
    """The ID token failed a check: its signature, issuer, audience, expiry or nonce."""


@dataclass(frozen=True)
class Flow:
    """One sign-in in progress, as its cookie carries it."""

    seed: str
    started: int
    target: str

    @classmethod
    def begin(cls, target: str) -> "Flow":
        return cls(secrets.token_urlsafe(32), int(time.time()), target)

    def derived(self, key: bytes, purpose: str) -> str:
        digest = hmac.new(key, f"{purpose}\x00{self.seed}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()  # 43 characters: a valid PKCE verifier

    def cookie(self, key: bytes) -> str:
        body = _b64(json.dumps({"seed": self.seed, "at": self.started, "next": self.target}).encode())
        return f"{body}.{_b64(_mac(key, body))}"

    @classmethod
    def from_cookie(cls, key: bytes, value: str | None, now: float) -> "Flow | None":
        """The flow a cookie carries; None when it is missing, forged or older than FLOW_LIFE."""
        body, _, mac = (value or "").partition(".")
        if not body or not same_secret(mac, _b64(_mac(key, body))):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            flow = cls(str(data["seed"]), int(data["at"]), str(data["next"]))
        except (ValueError, KeyError, TypeError):
            return None
        return flow if 0 <= now - flow.started <= FLOW_LIFE else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, b"oidc-flow\x00" + body.encode(), hashlib.sha256).digest()


class Provider:
    """The one OpenID Connect provider of WATCHKEEPER_OIDC_*."""

    def __init__(self, config: SingleSignOn, key: bytes) -> None:
        self.config = config
        self.key = key
        discovery = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        self.client: Any = OAuth().register(
            name="oidc",
            client_id=config.client_id,
            client_secret=config.client_secret.get_secret_value(),
            server_metadata_url=discovery,
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": TIMEOUT},
        )

    @property
    def button(self) -> dict[str, str]:
        return {"name": self.config.name, "action": START_PATH}

    def form_action_sources(self) -> list[str]:
        """Where the sign-in page's button may lead: browsers hold a form's redirects to the page's form-action."""
        endpoint = self.client.server_metadata.get("authorization_endpoint")
        return sorted({_origin(self.config.issuer)} | ({_origin(endpoint)} if isinstance(endpoint, str) else set()))

    async def authorization_url(self, flow: Flow) -> str:
        await self._metadata()
        made = await self.client.create_authorization_url(
            self.config.redirect_uri,
            state=flow.derived(self.key, "state"),
            nonce=flow.derived(self.key, "nonce"),
            code_verifier=flow.derived(self.key, "pkce"),
        )
        return str(made["url"])

    def state_of(self, flow: Flow) -> str:
        return flow.derived(self.key, "state")

    async def identity(self, code: str, flow: Flow) -> Identity:
        await self._metadata()
        try:
            token = await self.client.fetch_access_token(
                redirect_uri=self.config.redirect_uri, code=code, code_verifier=flow.derived(self.key, "pkce")
            )
            claims = await self.client.parse_id_token(
                token, nonce=flow.derived(self.key, "nonce"), claims_options=self._claims_options()
            )
        except OAuthError as error:
            raise ProviderRefused(str(error.error or "error"), error.description) from None
        except JoseError as error:
            raise Unverified(_reason(error)) from None
        except (httpx2.HTTPError, ValueError, RuntimeError) as error:
            raise ProviderUnavailable(_unreachable(error)) from None
        if claims is None:
            raise Unverified("the provider sent no ID token")
        wrong = subject_problem(claims.get("sub"))
        if wrong is not None:
            raise Unverified(wrong)
        return identity_of(claims, self.config.issuer)

    def _claims_options(self) -> dict[str, Any]:
        # Authlib checks `aud` only through these options (left alone, it would pass a token for another client
        # that names this one as its `azp`): the audience must include this client, as OpenID Connect Core says.
        issuers = list(GOOGLE_ISSUERS) if self.config.issuer == GOOGLE_ISSUER else [self.config.issuer]
        return {
            "iss": {"essential": True, "values": issuers},
            "aud": {"essential": True, "value": self.config.client_id},
        }

    async def _metadata(self) -> dict[str, Any]:
        """The discovery document, read once and kept; refused unless it names the configured issuer (OpenID
        Connect Discovery 1.0, section 4.3) and its endpoints are HTTPS."""
        try:
            metadata: dict[str, Any] = await self.client.load_server_metadata()
        except (httpx2.HTTPError, ValueError, TypeError) as error:
            raise ProviderUnavailable(_unreachable(error)) from None
        problem = _metadata_problem(metadata, self.config.issuer)
        if problem is not None:
            self.client.server_metadata.clear()  # read it again next time: it may be fixed by then
            log.error("single sign-on is misconfigured", problem=problem)
            raise Misconfigured(problem)
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        metadata["id_token_signing_alg_values_supported"] = [a for a in offered if a in SIGNING_ALGORITHMS]
        return metadata


def _metadata_problem(metadata: dict[str, Any], issuer: str) -> str | None:
    if metadata.get("issuer") != issuer:
        named = str(metadata.get("issuer"))[:200]
        return f"the provider's discovery document names the issuer {named!r}, not {issuer!r} as configured"
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = metadata.get(name)
        if not isinstance(value, str) or not _secure(value):
            return f"the provider's discovery document has no HTTPS {name}"
    return None


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and loopback_host(parts.hostname or ""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _reason(error: JoseError) -> str:
    # joserfc names what failed (bad_signature, invalid_claim: aud, expired_token...), never the token itself
    return f"{error.error}: {error.description}" if error.description else str(error.error)


def _unreachable(error: Exception) -> str:
    if isinstance(error, httpx2.HTTPStatusError):
        return f"the provider answered HTTP {error.response.status_code} at {_origin(str(error.request.url))}"
    if isinstance(error, httpx2.RequestError):
        return f"the provider could not be reached ({type(error).__name__})"
    return f"the provider's answer could not be read ({type(error).__name__})"


def provider_of(request: Request) -> Provider | None:
    provider: Provider | None = getattr(request.app.state, "single_sign_on", None)
    return provider
