"""An on-call report for programs: CSV, one table at a time, and JSON.

CSV has a header row, then a row a team or a person. Durations are given twice, in whole seconds for a
spreadsheet's sums and as text for people (`1 h 5 min`); a figure with no value (no page was acknowledged) is an
empty cell, never a zero. JSON has both tables, durations in seconds, and null for a figure with no value."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Literal

from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.oncall_reports import Spread
from watchkeeper.services.oncall_reports import OnCallReport, PersonRow, TeamRow

Kind = Literal["teams", "people"]
KINDS: tuple[Kind, ...] = ("teams", "people")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell a spreadsheet would run as a formula: names come from catalog files anyone may edit."""
_MEASURES = ("mean", "median", "p90")
_UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9._-]")


def file_name(report: OnCallReport, kind: Kind) -> str:
    team = f"{report.team_id}-" if report.team_id else ""
    return _UNSAFE_IN_FILE_NAMES.sub("_", f"on-call-{kind}-{team}{report.period.slug}.csv")


def kind_of(text: str | None) -> Kind | None:
    """`teams` or `people` as asked for; None for anything else."""
    return next((kind for kind in KINDS if kind == text), None)


def csv_text(report: OnCallReport, kind: Kind) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180's line ends
    rows = _team_rows(report) if kind == "teams" else _person_rows(report)
    writer.writerows(rows)
    return out.getvalue()


def _team_rows(report: OnCallReport) -> Iterator[list[str]]:
    yield [
        "from",
        "to",
        "team",
        "team_name",
        "pages",
        "out_of_hours_pages",
        "acknowledged",
        "unacknowledged",
        *_spread_header("time_to_acknowledge"),
        "resolved",
        "open",
        *_spread_header("time_to_resolve"),
    ]
    for row in report.teams:
        yield _team_row(report, row)


def _team_row(report: OnCallReport, row: TeamRow) -> list[str]:
    f = row.figures
    return [
        *_period(report),
        _text(f.team_id),
        _text(row.name),
        str(f.pages),
        str(f.out_of_hours),
        str(f.acknowledged),
        str(f.unacknowledged),
        *_spread_cells(f.to_acknowledge),
        str(f.resolved),
        str(f.open),
        *_spread_cells(f.to_resolve),
    ]


def _person_rows(report: OnCallReport) -> Iterator[list[str]]:
    yield [
        "from",
        "to",
        "person",
        "name",
        "team",
        "pages",
        "out_of_hours_pages",
        "acknowledged",
        "acknowledged_from_page_links",
        *_spread_header("time_to_acknowledge"),
    ]
    for row in report.people:
        yield _person_row(report, row)


def _person_row(report: OnCallReport, row: PersonRow) -> list[str]:
    f = row.figures
    return [
        *_period(report),
        _text(f.person_id),
        _text(row.name),
        _text(row.team_id or ""),
        str(f.pages),
        str(f.out_of_hours),
        str(f.acknowledged),
        str(f.from_page_links),
        *_spread_cells(f.to_acknowledge),
    ]


def _period(report: OnCallReport) -> list[str]:
    return [report.period.first_day.isoformat(), report.period.last_day.isoformat()]


def _spread_header(name: str) -> list[str]:
    return [f"{name}_{measure}{unit}" for measure in _MEASURES for unit in ("_seconds", "")]


def _spread_cells(spread: Spread) -> list[str]:
    cells = []
    for value in (spread.mean, spread.median, spread.p90):
        cells += ["", ""] if value is None else [str(round(value.total_seconds())), duration_text(value)]
    return cells


def duration_text(value: timedelta | None) -> str:
    """A time to acknowledge or resolve to the second, for people: `45 s`, `1 h 5 min`; `–` for none."""
    return "–" if value is None else readable_duration(timedelta(seconds=round(value.total_seconds())))


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def as_json(report: OnCallReport) -> dict[str, Any]:
    period = report.period
    return {
        "period": {
            "from": period.first_day.isoformat(),
            "to": period.last_day.isoformat(),
            "quarter": period.quarter,
            "timezone": period.timezone,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "team": report.team_id,
        "teams": [_team_json(row) for row in report.teams],
        "people": [_person_json(row) for row in report.people],
    }


def _team_json(row: TeamRow) -> dict[str, Any]:
    f = row.figures
    return {
        "team": f.team_id,
        "name": row.name,
        "pages": f.pages,
        "out_of_hours_pages": f.out_of_hours,
        "acknowledged": f.acknowledged,
        "unacknowledged": f.unacknowledged,
        "time_to_acknowledge": _spread_json(f.to_acknowledge),
        "resolved": f.resolved,
        "open": f.open,
        "time_to_resolve": _spread_json(f.to_resolve),
    }


def _person_json(row: PersonRow) -> dict[str, Any]:
    f = row.figures
    return {
        "person": f.person_id,
        "name": row.name,
        "team": row.team_id,
        "pages": f.pages,
        "out_of_hours_pages": f.out_of_hours,
        "acknowledged": f.acknowledged,
        "acknowledged_from_page_links": f.from_page_links,
        "time_to_acknowledge": _spread_json(f.to_acknowledge),
    }


def _spread_json(spread: Spread) -> dict[str, Any]:
    values = {"mean": spread.mean, "median": spread.median, "p90": spread.p90}
    seconds = {f"{name}_seconds": None if v is None else v.total_seconds() for name, v in values.items()}
    return {"count": spread.count, **seconds}
