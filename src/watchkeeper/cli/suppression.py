"""What the silences and maintenance commands share: the database, times and lengths typed in, refusals."""

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import fail
from watchkeeper.domain.durations import parse_duration
from watchkeeper.services.refusals import Refused
from watchkeeper.settings import Settings
from watchkeeper.store import Database

T = TypeVar("T")


@contextmanager
def database() -> Iterator[Database]:
    with migrated_database(Settings()) as (db, _revision):
        yield db


def refused_is_failure(action: Callable[..., T], *args: Any) -> T:
    try:
        return action(*args)
    except Refused as refused:
        fail(refused.message)
        raise  # unreachable: fail() exits


def instant(_ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """ISO 8601; a time without an offset is UTC, as the console shows times."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time: write it as 2026-12-01T06:00Z") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def utc(at: datetime | None) -> str:
    return "–" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
