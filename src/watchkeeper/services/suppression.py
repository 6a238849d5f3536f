"""Suppression for the pipeline: the windows and silences on at an instant, read once per pass, and the
reason (if any) that an alert is recorded rather than notified (ADR 0021 stage 3).

    suppression = suppression_at(connection, now)      # inside the pipeline's transaction
    reason = suppression.reason_for(facts_of(alert_row))   # "maintenance:<id>", "silence:<id>" or None
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from watchkeeper.catalog.services import Maintenance
from watchkeeper.domain.maintenance import Occurrence, Scope, Window, active_at, one_off, one_off_local, recurring
from watchkeeper.domain.silences import Silence, matcher
from watchkeeper.domain.suppression import AlertFacts, suppressed_by
from watchkeeper.logs import get_logger
from watchkeeper.store import maintenance as maintenance_store
from watchkeeper.store import silences as silence_store

log = get_logger("watchkeeper.suppression")
RUNTIME_PREFIX = "runtime:"
"""A runtime window's id is `runtime:<n>`; a catalog window's is its catalog id, which has no colon."""


@dataclass(frozen=True)
class Suppression:
    at: datetime
    windows: tuple[Occurrence, ...]
    silences: tuple[Silence, ...]

    def reason_for(self, facts: AlertFacts) -> str | None:
        return suppressed_by(facts, self.windows, self.silences, self.at)


def suppression_at(connection: Connection, at: datetime) -> Suppression:
    """The maintenance windows and silences on at `at`: two or three small queries, then pure decisions."""
    windows = all_windows(connection, at)
    silences = [silence_from_row(row) for row in silence_store.active(connection, at)]
    return Suppression(at, tuple(active_at(windows, at)), tuple(s for s in silences if s is not None))


def all_windows(connection: Connection, at: datetime) -> list[Window]:
    """Every catalog window, and the runtime windows not yet over at `at`."""
    catalog = [catalog_window(row) for row in maintenance_store.catalog_windows(connection)]
    runtime = [runtime_window(row) for row in maintenance_store.not_ended(connection, at)]
    return [w for w in catalog if w is not None] + runtime


def facts_of(alert: Mapping[Any, Any]) -> AlertFacts:
    """An `alerts` row as suppression sees it."""
    return AlertFacts(
        source=alert["source"],
        severity=alert["severity"],
        team=alert["team_id"],
        check=alert["subject_id"] if alert["subject_kind"] == "check" else None,
        service=alert["service_id"],
        platform=alert["platform_id"],
        labels={str(k): str(v) for k, v in (alert["labels"] or {}).items()},
    )


def catalog_window(row: Mapping[Any, Any]) -> Window | None:
    spec = json.dumps(row["spec"], sort_keys=True)
    return _catalog_window(row["id"], row["service_id"], row["platform_id"], spec)


@lru_cache(maxsize=4096)
def _catalog_window(window_id: str, service_id: str | None, platform_id: str | None, spec: str) -> Window | None:
    """Parsed once per definition: a pipeline pass asks for every catalog window."""
    try:
        defined = Maintenance.model_validate(json.loads(spec), strict=False)
    except ValueError as error:  # loaded by an older version with other rules; the next load reports it
        log.warning("maintenance window skipped: it no longer validates", window=window_id, error=str(error))
        return None
    scope = Scope(
        services=frozenset({service_id}) if service_id else frozenset(),
        platforms=frozenset({platform_id}) if platform_id else frozenset(),
    )
    if defined.recurrence is None:
        assert isinstance(defined.start, datetime)
        return one_off_local(
            window_id, defined.name, scope, defined.start, defined.duration, defined.timezone, defined.announce
        )
    assert not isinstance(defined.start, datetime)
    return recurring(
        window_id,
        defined.name,
        scope,
        defined.recurrence,
        defined.start,
        defined.duration,
        defined.timezone,
        announce=defined.announce,
    )


def runtime_window(row: Mapping[Any, Any]) -> Window:
    scope = row["scope"] or {}
    return one_off(
        f"{RUNTIME_PREFIX}{row['id']}",
        row["name"],
        Scope(
            checks=frozenset(scope.get("checks", ())),
            services=frozenset(scope.get("services", ())),
            platforms=frozenset(scope.get("platforms", ())),
        ),
        row["starts_at"],
        row["ends_at"],
        cancelled_at=row["cancelled_at"],
        announce=row["announce"],
    )


def silence_from_row(row: Mapping[Any, Any]) -> Silence | None:
    try:
        matchers = tuple(matcher(m["name"], m["op"], m["value"]) for m in row["matchers"])
    except (ValueError, KeyError, TypeError) as error:
        log.warning("silence skipped: its matchers no longer parse", silence=row["id"], error=str(error))
        return None
    ends_at = row["ends_at"] if row["expired_at"] is None else min(row["ends_at"], row["expired_at"])
    return Silence(row["id"], matchers, row["starts_at"], ends_at, row["author"], row["comment"])
