"""One Settings object, read from `WATCHKEEPER_*` environment variables, built where the app is wired."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from watchkeeper.domain.durations import format_duration, parse_duration

Role = Literal["all", "web", "engine"]

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
_LONGEST_KEPT = timedelta(days=36_500)


class SettingsError(ValueError):
    """A setting is missing or unusable; the message says which and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WATCHKEEPER_", extra="ignore", frozen=True)

    database_url: str = Field(default="sqlite:///./watchkeeper.db", description="sqlite:///PATH or postgresql://...")
    secret_key: SecretStr | None = Field(default=None, description="signs and encrypts; required outside the demo")
    secret_key_file: Path | None = Field(default=None, description="a file holding the secret key")
    catalog: Path | None = Field(default=None, description="the catalog file or directory to load and serve")
    host: str = "127.0.0.1"
    public_url: str | None = Field(
        default=None, description="the URL other tools and people reach Watchkeeper at; default http://HOST:PORT"
    )
    port: int = Field(default=8000, ge=0, le=65535)
    role: Role = "all"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
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
    demo: bool = False

    def base_url(self) -> str:
        """Where Watchkeeper is reached, for URLs given to people and other tools (integration endpoints)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def probe_process_count(self) -> int:
        return self.probe_processes or os.cpu_count() or 1

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
