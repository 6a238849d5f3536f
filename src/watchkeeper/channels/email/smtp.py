"""WATCHKEEPER_SMTP_URL read into what aiosmtplib needs: `smtp://` (STARTTLS when the server offers it),
`smtps://` (TLS from the first byte), optional `user:password@`, port (25 and 465 by default) and
`?starttls=require|auto|off`. Pure."""

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

StartTls = Literal["require", "auto", "off"]


class BadSmtpUrl(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    use_tls: bool
    starttls: StartTls = "auto"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def start_tls(self) -> bool | None:
        """aiosmtplib's reading: True must, None when offered, False never."""
        return None if self.use_tls else {"require": True, "auto": None, "off": False}[self.starttls]


def parse_smtp_url(url: str) -> SmtpServer:
    """The server a URL names; the error never quotes the URL, which may hold a password."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise BadSmtpUrl("WATCHKEEPER_SMTP_URL is not a URL: write smtp://HOST[:PORT] or smtps://...") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadSmtpUrl("WATCHKEEPER_SMTP_URL must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://...")
    choice = parse_qs(parts.query).get("starttls", ["auto"])[-1]
    if choice not in ("require", "auto", "off"):
        raise BadSmtpUrl(f"WATCHKEEPER_SMTP_URL: starttls={choice[:20]!r} is not require, auto or off")
    tls = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if tls else 25),
        use_tls=tls,
        starttls=choice,  # type: ignore[arg-type]  # checked just above
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )
