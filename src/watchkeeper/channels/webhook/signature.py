"""The signature a webhook receiver checks: `sha256=` and the hex HMAC-SHA256, under the channel's secret, of
the Unix timestamp, a full stop and the exact body. The timestamp (also sent as `Watchkeeper-Timestamp`) lets a
receiver refuse an old request replayed. Pure."""

import hashlib
import hmac

SIGNATURE_HEADER = "Watchkeeper-Signature"
TIMESTAMP_HEADER = "Watchkeeper-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does; here so that the README's snippet and the tests agree with `sign`."""
    if not timestamp.isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
