"""One Settings object, read from `WATCHKEEPER_*` environment variables, built where the app is wired."""

import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BeforeValidator, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from watchkeeper.domain import emails
from watchkeeper.domain.durations import format_duration, parse_duration

Role = Literal["all", "web", "engine"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")

MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
_PLACEHOLDERS = {
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "placeholder",
    "password",
    "xxx",
    "todo",
    "dev",
}
MIN_KEY_LENGTH = 32


def _duration(value: object) -> object:
    """Lengths of time as the catalog writes them: `7d`, `12h`, `2w`. A bare number is refused rather than read
    as seconds, since "7" meant as days would delete nearly everything."""
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


def _log_level(value: object) -> object:
    """`debug` and `Debug` mean DEBUG, as in most tools; anything else is refused with the choices."""
    if not isinstance(value, str) or value.strip().upper() not in LOG_LEVELS:
        raise ValueError(f"{value!r} is not a log level: use {', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}")
    return value.strip().upper()


def _address(value: object) -> object:
    """`HOST:PORT` (`[::1]:PORT` for IPv6), or empty for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        host, _, port = value.strip().rpartition(":")
        bracketed = host.startswith("[") and host.endswith("]")
        host = host[1:-1] if bracketed else host
        plain = not any(c in host for c in "[]/ ") and (bracketed or ":" not in host)
        if host and plain and port.isdigit() and int(port) <= 65535:
            return f"[{host}]:{int(port)}" if ":" in host else f"{host}:{int(port)}"
    raise ValueError(f"{value!r} is not an address: expected HOST:PORT, such as 127.0.0.1:9465 or [::1]:9465")


Address = Annotated[str | None, BeforeValidator(_address)]
_LONGEST_KEPT = timedelta(days=36_500)
_SESSION_BOUNDS = {
    "session_idle": (timedelta(minutes=5), timedelta(days=30)),
    "session_life": (timedelta(hours=1), timedelta(days=90)),
    "sign_in_link_life": (timedelta(minutes=5), timedelta(days=7)),
}


class SettingsError(ValueError):
    """A setting is missing or unusable; the message says which and how to fix it."""


CALLBACK_PATH = "/login/oidc/callback"
_MULTI_TENANT = {"common", "organizations", "consumers"}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_KNOWN_PROVIDERS = {"accounts.google.com": "Google", "login.microsoftonline.com": "Microsoft"}


@dataclass(frozen=True)
class SingleSignOn:
    """Single sign-on with one OpenID Connect provider, from the WATCHKEEPER_OIDC_* settings."""

    issuer: str
    client_id: str
    client_secret: SecretStr
    name: str
    """What the sign-in button says after "Sign in with"."""
    email_domains: frozenset[str]
    """Empty: any domain the provider vouches for."""
    redirect_uri: str


def loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    # Settings hold passwords (database and SMTP URLs): a refused value is never quoted back in an error
    model_config = SettingsConfigDict(env_prefix="WATCHKEEPER_", extra="ignore", frozen=True, hide_input_in_errors=True)

    database_url: str = Field(default="sqlite:///./watchkeeper.db", description="sqlite:///PATH or postgresql://...")
    secret_key: SecretStr | None = Field(default=None, description="signs and encrypts; required outside the demo")
    secret_key_file: Path | None = Field(default=None, description="a file holding the secret key")
    catalog: Path | None = Field(default=None, description="the catalog file or directory to load and serve")
    public_url: str | None = Field(
        default=None, description="the address jobs and people reach the server at, such as https://wk.example.org"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    role: Role = "all"
    log_level: Annotated[LogLevel, BeforeValidator(_log_level)] = "INFO"
    log_format: Literal["json", "console"] = "json"
    heartbeat_interval: float = Field(default=15.0, gt=0, description="seconds between engine heartbeats")
    run_checks: bool = Field(default=True, description="false: the engine runs its other duties but no checks")
    probe_processes: int = Field(
        default=0, ge=0, le=64, description="processes that run checks: 0 for one per core, 1 for this process"
    )
    result_retention: Duration = Field(
        default=timedelta(days=7), description="how long raw results and minute rollups are kept"
    )
    rollup_retention: Duration = Field(
        default=timedelta(days=400), description="how long hour and day rollups are kept"
    )
    delivery_retry_for: Duration = Field(
        default=timedelta(hours=24), description="how long a notification that fails for a passing reason is retried"
    )
    sentry_dsn: SecretStr | None = Field(
        default=None,
        validation_alias="SENTRY_DSN",
        description="Sentry's DSN: Watchkeeper's own errors are reported there (SENTRY_DSN, as Sentry names it)",
    )
    engine_metrics_address: Address = Field(
        default=None, description="HOST:PORT where an engine serves its own /metrics; none when empty"
    )
    smtp_url: SecretStr | None = Field(
        default=None, description="smtp[s]://[USER:PASSWORD@]HOST[:PORT][?starttls=require|auto|off], for email"
    )
    email_from: str = Field(default="watchkeeper@localhost", description="the From address of email channels")
    notify_sms_template_id: str | None = Field(
        default=None,
        description="the GOV.UK Notify template that pages people by text message; its key is read from "
        "WATCHKEEPER_NOTIFY_API_KEY (or _FILE) when a text is sent",
    )
    page_link_life: Duration = Field(
        default=timedelta(hours=24), description="how long the acknowledge link in a page works"
    )
    session_idle: Duration = Field(
        default=timedelta(hours=12), description="a console session ends after this long unused"
    )
    session_life: Duration = Field(
        default=timedelta(days=7), description="a console session ends this long after sign-in, used or not"
    )
    sign_in_link_life: Duration = Field(
        default=timedelta(hours=1), description="how long a one-time sign-in link (`watchkeeper users link`) works"
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="the OpenID Connect provider's issuer URL, for single sign-on (discovery is read from it)",
    )
    oidc_client_id: str | None = Field(default=None, description="the client id registered with the provider")
    oidc_client_secret: SecretStr | None = Field(default=None, description="the client secret from the provider")
    oidc_client_secret_file: Path | None = Field(default=None, description="a file holding the client secret")
    oidc_name: str | None = Field(
        default=None, description="the provider's name on the sign-in button, such as Google or Microsoft"
    )
    oidc_email_domains: str | None = Field(
        default=None, description="comma-separated email domains allowed to sign in with single sign-on; any when empty"
    )
    demo: bool = False

    def engine_metrics_listen(self) -> tuple[str, int] | None:
        """Where the engine serves its /metrics, as (host, port); None when it serves them nowhere of its own."""
        if self.engine_metrics_address is None:
            return None
        host, _, port = self.engine_metrics_address.rpartition(":")
        return host.strip("[]"), int(port)

    def base_url(self) -> str:
        """Where the server is reached: WATCHKEEPER_PUBLIC_URL, or else the address it listens on."""
        if self.public_url is not None:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @field_validator("public_url")
    @classmethod
    def _an_address_to_reach(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        _ = parts.port  # a port that is not a number is refused here, with the reason
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not an http:// or https:// address with a host, such as https://wk.example.org"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} has a query or fragment; give the address the server is reached at")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    @field_validator("oidc_issuer")
    @classmethod
    def _an_issuer(cls, value: str | None) -> str | None:
        # Kept exactly as given (a trailing slash too): the provider's discovery document must name the same issuer.
        if value is None or not value.strip():
            return None
        issuer = value.strip()
        parts = urlsplit(issuer)
        _ = parts.port  # a port that is not a number is refused here, with the reason
        secure = parts.scheme == "https" or (parts.scheme == "http" and loopback_host(parts.hostname or ""))
        if not secure or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"{issuer[:200]!r} is not an issuer URL: give https://HOST[/PATH] with no query, such as "
                "https://accounts.google.com (http:// only for a provider on loopback, in tests)"
            )
        tenant = parts.path.strip("/").split("/", 1)[0].lower()
        if parts.hostname == "login.microsoftonline.com" and tenant in _MULTI_TENANT:
            raise ValueError(
                f"'{tenant}' lets every Microsoft tenant sign in: give your own tenant's issuer, "
                "https://login.microsoftonline.com/TENANT-ID/v2.0"
            )
        return issuer

    @field_validator("oidc_client_id", "oidc_name")
    @classmethod
    def _a_short_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value.strip()) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError(
                f"WATCHKEEPER_{(info.field_name or '').upper()} is over 200 characters or has control characters"
            )
        return value.strip()

    @field_validator("oidc_client_secret")
    @classmethod
    def _an_unset_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("oidc_email_domains")
    @classmethod
    def _domains(cls, value: str | None) -> str | None:
        if value is None:
            return None
        domains = [emails.fold(d.strip()).lstrip("@") for d in value.split(",") if d.strip()]
        wrong = [d for d in domains if not _DOMAIN.match(d)]
        if wrong:
            raise ValueError(f"{wrong[0][:80]!r} is not a domain: write them as example.org,example.com")
        return ",".join(sorted(set(domains))) or None

    def single_sign_on(self) -> SingleSignOn | None:
        """Single sign-on as configured, None when it is not; refuses an incomplete configuration at start."""
        secret = self._oidc_client_secret()
        if self.oidc_issuer is None:
            given = [name for name, set_ in self._oidc_parts(secret).items() if set_]
            if given:
                raise SettingsError(f"{given[0]} is set but WATCHKEEPER_OIDC_ISSUER is not: set both, or neither")
            return None
        if self.oidc_client_id is None or secret is None:
            missing = "WATCHKEEPER_OIDC_CLIENT_ID" if self.oidc_client_id is None else "WATCHKEEPER_OIDC_CLIENT_SECRET"
            raise SettingsError(
                f"single sign-on needs {missing} (or _FILE) as well as WATCHKEEPER_OIDC_ISSUER: both come from "
                "registering Watchkeeper as an application with the provider"
            )
        if self.public_url is None:
            raise SettingsError(
                "single sign-on needs WATCHKEEPER_PUBLIC_URL: the provider sends people back to "
                f"PUBLIC_URL{CALLBACK_PATH}, which is registered with it as the redirect URI"
            )
        host = urlsplit(self.oidc_issuer).hostname or ""
        return SingleSignOn(
            issuer=self.oidc_issuer,
            client_id=self.oidc_client_id,
            client_secret=secret,
            name=self.oidc_name or _KNOWN_PROVIDERS.get(host, host),
            email_domains=frozenset(self.oidc_email_domains.split(",")) if self.oidc_email_domains else frozenset(),
            redirect_uri=self.public_url + CALLBACK_PATH,
        )

    def _oidc_parts(self, secret: SecretStr | None) -> dict[str, bool]:
        return {
            "WATCHKEEPER_OIDC_CLIENT_ID": self.oidc_client_id is not None,
            "WATCHKEEPER_OIDC_CLIENT_SECRET": secret is not None,
            "WATCHKEEPER_OIDC_NAME": self.oidc_name is not None,
            "WATCHKEEPER_OIDC_EMAIL_DOMAINS": self.oidc_email_domains is not None,
        }

    def _oidc_client_secret(self) -> SecretStr | None:
        if self.oidc_client_secret is not None or self.oidc_client_secret_file is None:
            return self.oidc_client_secret
        try:
            text = self.oidc_client_secret_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SettingsError(
                f"WATCHKEEPER_OIDC_CLIENT_SECRET_FILE names {self.oidc_client_secret_file}, which cannot be read "
                f"({error.strerror})"
            ) from None
        if not text:
            raise SettingsError(
                f"WATCHKEEPER_OIDC_CLIENT_SECRET_FILE names {self.oidc_client_secret_file}, which is empty"
            )
        return SecretStr(text)

    def probe_process_count(self) -> int:
        return self.probe_processes or os.cpu_count() or 1

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        # The URL may hold a password: the message names the forms, never the value given.
        if value is not None and not value.get_secret_value():
            return None  # set but empty, as a deployment template leaves it: no email
        if value is not None and not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("write smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://... (TLS from the start)")
        return value

    @field_validator("email_from")
    @classmethod
    def _an_address(cls, value: str) -> str:
        if "@" not in value or any(c in value for c in "\r\n"):
            raise ValueError(f"{value[:80]!r} is not an email address (a display name may come first)")
        return value

    @field_validator("result_retention")
    @classmethod
    def _keep_results_a_day(cls, value: timedelta) -> timedelta:
        # Late results are rolled up again from raw results, and hours from their minutes: both need a day.
        if value < timedelta(days=1):
            raise ValueError(f"{format_duration(value)} is too short: keep raw results at least 1d")
        return _not_forever(value)

    @field_validator("rollup_retention")
    @classmethod
    def _keep_rollups_longer(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        results = info.data.get("result_retention")
        if value < timedelta(days=2):
            raise ValueError(f"{format_duration(value)} is too short: keep rollups at least 2d, so days can be made")
        if results is not None and value < results:
            raise ValueError(
                f"{format_duration(value)} is shorter than WATCHKEEPER_RESULT_RETENTION ({format_duration(results)});"
                " rollups are what is kept long"
            )
        return _not_forever(value)

    @field_validator("session_idle", "session_life", "sign_in_link_life")
    @classmethod
    def _a_sensible_length(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        shortest, longest = _SESSION_BOUNDS[info.field_name or ""]
        if not shortest <= value <= longest:
            name = f"WATCHKEEPER_{(info.field_name or '').upper()}"
            raise ValueError(
                f"{format_duration(value)} is outside {format_duration(shortest)}–{format_duration(longest)} for {name}"
            )
        return value

    @field_validator("delivery_retry_for")
    @classmethod
    def _retry_for_at_most_a_month(cls, value: timedelta) -> timedelta:
        # A notification a month late helps nobody, and the receiver's idempotency window is long gone.
        if value > timedelta(days=30):
            raise ValueError(f"{format_duration(value)} is too long: retry a notification for at most 30d")
        return value

    def secret_key_value(self) -> str:
        """The secret key, refusing a missing or placeholder one; the demo makes its own."""
        key = self.secret_key.get_secret_value() if self.secret_key else None
        if key is None and self.secret_key_file is not None:
            try:
                key = self.secret_key_file.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise SettingsError(
                    f"WATCHKEEPER_SECRET_KEY_FILE names {self.secret_key_file}, which cannot be read ({error.strerror})"
                ) from None
        if not key:
            raise SettingsError(
                f"WATCHKEEPER_SECRET_KEY is not set. Make one with: {MAKE_A_KEY}\n"
                "and set it in the environment (or put it in a file named by WATCHKEEPER_SECRET_KEY_FILE)."
            )
        if key.lower() in _PLACEHOLDERS or len(key) < MIN_KEY_LENGTH or len(set(key)) < 8:
            raise SettingsError(
                f"WATCHKEEPER_SECRET_KEY looks like a placeholder (it must be at least {MIN_KEY_LENGTH} random "
                f"characters). Make one with: {MAKE_A_KEY}"
            )
        return key


def _not_forever(value: timedelta) -> timedelta:
    if value > _LONGEST_KEPT:
        raise ValueError(f"{format_duration(value)} is longer than Watchkeeper can count back (at most 36500d)")
    return value
