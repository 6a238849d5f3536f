"""The checks a scheduler runs, read from the checks table as cheaply as 100,000 of them allow: the table is
re-read only when it changed, a check's definition is validated only when its row changed, and what each
check keeps in memory is small, because values that many checks share are kept once."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from watchkeeper.catalog.checks import CheckConfig, check_types, probed_types
from watchkeeper.domain.schedule import phase
from watchkeeper.logs import get_logger
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.check_runs import checks_marker

log = get_logger("watchkeeper.engine.entries")

SHORT = 16
"""Strings up to this length are shared (methods, severities); longer ones are nearly always unique."""

READ_CHUNK = 500
"""Definitions fetched per query, below every backend's limit on bound parameters."""


@dataclass(slots=True)
class CheckEntry:
    config: CheckConfig
    interval: float
    offset: float
    updated_at: datetime
    host: str
    """Whom the check talks to, for the per-host bound: one slow or fragile target is not hammered."""
    next_at: float = 0.0
    """When the scheduler plans to start it next (epoch seconds)."""


class CheckTable:
    """The scheduler's view of the checks table: the probed checks that `owns` accepts, not paused."""

    def __init__(self, db: Database, owns: Callable[[str], bool] = lambda _check_id: True) -> None:
        self.db = db
        self.owns = owns
        self._seen: tuple[Any, ...] | None = None
        self._shared = SharedValues()

    def changed(self) -> bool:
        """Whether any check was added, removed, edited, paused or resumed since the last `read`."""
        return self._marker() != self._seen

    def read(self, current: dict[str, CheckEntry]) -> dict[str, CheckEntry]:
        """The wanted entries: unchanged rows keep their entry; new or edited rows are read and validated."""
        marker = self._marker()
        with self.db.reading() as connection:
            rows = connection.execute(
                select(t.checks.c.id, t.checks.c.type, t.checks.c.updated_at).where(t.checks.c.paused.is_(False))
            ).all()
        probed = probed_types()
        wanted: dict[str, CheckEntry] = {}
        stale: dict[str, datetime] = {}
        for check_id, check_type, updated_at in rows:
            if check_type not in probed or not self.owns(check_id):
                continue  # heartbeat checks are driven by pings, not by the scheduler
            entry = current.get(check_id)
            if entry is not None and entry.updated_at == updated_at:
                wanted[check_id] = entry
            else:
                stale[check_id] = updated_at
        wanted.update(self._entries(stale))
        self._seen = marker
        return wanted

    def _marker(self) -> tuple[Any, ...]:
        with self.db.reading() as connection:
            return checks_marker(connection)

    def _entries(self, stale: dict[str, datetime]) -> Iterator[tuple[str, CheckEntry]]:
        ids = list(stale)
        for start in range(0, len(ids), READ_CHUNK):
            query = select(t.checks.c.id, t.checks.c.type, t.checks.c.spec).where(
                t.checks.c.id.in_(ids[start : start + READ_CHUNK])
            )
            with self.db.reading() as connection:
                rows = connection.execute(query).all()
            for check_id, check_type, spec in rows:
                config = _config(check_type, spec)
                if config is not None:
                    interval = config.interval.total_seconds()
                    offset = phase(check_id, interval)
                    config = self._shared.compact(config)
                    yield check_id, CheckEntry(config, interval, offset, stale[check_id], _host(config))


class SharedValues:
    """Keeps one copy of each value many check definitions hold alike (the same expectations, timeouts,
    empty header maps): 100,000 checks then cost about a quarter of the memory. The models are frozen and
    probes never change what they are given, so sharing is safe."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def compact(self, config: CheckConfig) -> CheckConfig:
        fields = config.__dict__
        for name, value in fields.items():
            if name != "id":
                fields[name] = self._one(value)
        object.__setattr__(config, "__pydantic_fields_set__", self._one(frozenset(config.model_fields_set)))
        return config

    def _one(self, value: Any) -> Any:
        if isinstance(value, BaseModel):
            key: Any = (type(value), value.model_dump_json())
        elif isinstance(value, dict | list):
            key = (type(value), "empty") if not value else None
        elif isinstance(value, str):
            key = (str, value) if len(value) <= SHORT else None  # a URL or a name is nearly always unique
        elif isinstance(value, timedelta | int | frozenset):
            key = (type(value), value)
        else:
            key = None
        return value if key is None else self._values.setdefault(key, value)


def _config(check_type: str, spec: dict[str, Any]) -> CheckConfig | None:
    known = check_types().get(check_type)
    if known is None or known.probe is None:
        return None
    try:
        return known.config.model_validate(spec)
    except ValidationError as error:
        log.error("stored check cannot be read; skipped", check=spec.get("id"), error=str(error))
        return None


def _host(config: CheckConfig) -> str:
    url = getattr(config, "url", None)
    if isinstance(url, str):
        return urlsplit(url).hostname or url
    return str(getattr(config, "resolver", None) or getattr(config, "host", None) or config.id)
