"""Notify's authentication: a JSON Web Token signed with HS256 under the secret half of the API key, claiming
the service id (`iss`) and the time (`iat`, which Notify checks to within 30 seconds).

Made here with hmac rather than with PyJWT or Notify's own client: the token is two claims and one HMAC, the
client is synchronous (requests), and neither library is otherwise needed."""

import base64
import hashlib
import hmac
import json

KEY_PARTS = 73
"""An API key ends with the service id and the secret, two UUIDs of 36 characters joined by a hyphen."""


class BadApiKey(ValueError):
    pass


def split_key(api_key: str) -> tuple[str, str]:
    """(service id, secret) from `{key name}-{service id}-{secret}`."""
    key = api_key.strip()
    if len(key) < KEY_PARTS or key[-37] != "-":
        raise BadApiKey("the Notify API key is not in Notify's form (name, service id and secret)")
    return key[-73:-37], key[-36:]


def token(api_key: str, now: float) -> str:
    service_id, secret = split_key(api_key)
    header = _part({"typ": "JWT", "alg": "HS256"})
    claims = _part({"iss": service_id, "iat": int(now)})
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def _part(value: dict[str, object]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
