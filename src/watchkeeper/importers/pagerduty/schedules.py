"""A PagerDuty schedule as a schedule of the catalog: its timezone and its layers, lowest first.

PagerDuty's API lists `schedule_layers` with the highest layer (the one that wins) first, the reverse of the
order it takes them in on a create or update; in the catalog a later layer is higher. So the layers are
written in the reverse of the export's order (docs/adr/0035). A layer's `start` is the wall-clock time of its
`rotation_virtual_start` in the schedule's timezone, the instant its rotation counts turns from; its turn is
whole weeks, days or hours.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from watchkeeper.domain.durations import format_duration
from watchkeeper.importers.fields import Fields
from watchkeeper.importers.fragment import literal
from watchkeeper.importers.ids import slug
from watchkeeper.importers.pagerduty.export import Record, Skip, clean_text, reference_ids
from watchkeeper.importers.pagerduty.people import known_zones
from watchkeeper.importers.pagerduty.restrictions import Restriction, read_restriction, windows

_DEFAULT_NAME = re.compile(r"Layer (\d+)")


@dataclass
class LayerDraft:
    spec: dict[str, Any]
    """The layer's fields but its rotation, which is written once every person has an id."""
    users: list[str]
    """The PagerDuty user ids of the rotation, in order."""


@dataclass
class ScheduleDraft:
    record: Record
    base_id: str
    spec: dict[str, Any]
    layers: list[LayerDraft]
    teams: list[str]
    notes: list[str] = field(default_factory=list)


def convert_schedule(record: Record, users: set[str], now: datetime) -> ScheduleDraft | Skip | None:
    """The schedule's catalog form; Skip when nothing of it can be carried over; None when the export is
    wrong there (the problem is recorded with its location)."""
    fields = record.fields
    before = len(fields.problems)
    name = clean_text(fields, "name") or clean_text(fields, "summary")
    zone = fields.text("time_zone", required=True)
    if zone is not None and zone not in known_zones():
        fields.problem("time_zone", f"unknown timezone {zone!r}: PagerDuty schedules name an IANA zone")
    teams = [ident for ident, _ in reference_ids(fields, "teams")]
    layers = fields.objects("schedule_layers")
    if layers is None and len(fields.problems) == before:
        return Skip(
            record,
            f"the export has no layers for it: save GET /schedules/{record.id}, or the list with "
            "include[]=schedule_layers",
        )
    if layers is None:
        return None
    draft = ScheduleDraft(record, _base_id(name, record.id), {}, [], teams)
    known = zone if zone in known_zones() else "UTC"  # so that the layers' problems are found too
    converted = [_layer(layer, index, ZoneInfo(known), users, now, draft.notes) for index, layer in enumerate(layers)]
    if len(fields.problems) > before or zone is None:
        return None
    if name:
        draft.spec["name"] = literal(name)
    draft.spec["timezone"] = zone
    draft.layers = [layer for layer in reversed(converted) if layer is not None]
    _order_note(layers, draft.notes)
    if not draft.layers:
        why = "; ".join(draft.notes) if layers else "it has none"
        return Skip(record, f"none of its layers can be carried over: {why}")
    return draft


def _base_id(name: str | None, pagerduty_id: str) -> str:
    fallback = f"schedule-{slug(pagerduty_id, 'x')}"
    return slug(name, fallback) if name else fallback


def _layer(
    layer: Fields, index: int, zone: ZoneInfo, users: set[str], now: datetime, notes: list[str]
) -> LayerDraft | None:
    """One layer, or None when it is not carried over (with a note) or wrong (with a problem)."""
    before = len(layer.problems)
    name = clean_text(layer, "name")
    label = f'layer "{name}"' if name else f"layer {index + 1}"
    start = _instant(layer, "start", required=True)
    end = _instant(layer, "end")
    virtual = _instant(layer, "rotation_virtual_start", required=True)
    turn = layer.whole("rotation_turn_length_seconds", low=1, required=True)
    rotation = _rotation(layer, users)
    restrictions = [read_restriction(item) for item in layer.objects("restrictions") or []]
    if len(layer.problems) > before or start is None or virtual is None or turn is None:
        return None
    if end is not None and end <= now:
        notes.append(f"{label} ended at {_shown(end, zone)}: not carried over")
        return None
    if turn < 3600:
        notes.append(
            f"{label} hands over every {format_duration(timedelta(seconds=turn))}; a turn here lasts at "
            "least an hour, so the layer is not carried over"
        )
        return None
    if not rotation:
        notes.append(f"{label} has nobody in its rotation: not carried over")
        return None
    spec = _spec(name, virtual, zone, turn, [r for r in restrictions if r is not None], label, notes)
    _timing_notes(label, start, end, zone, now, notes)
    return LayerDraft(spec, rotation)


def _spec(
    name: str | None,
    virtual: datetime,
    zone: ZoneInfo,
    turn: int,
    restrictions: list[Restriction],
    label: str,
    notes: list[str],
) -> dict[str, Any]:
    local = virtual.astimezone(zone).replace(tzinfo=None)
    spec: dict[str, Any] = {"name": literal(name)} if name else {}
    spec["start"] = local.isoformat(timespec="minutes" if local.second == 0 else "seconds")
    spec["turn"] = turn_length(turn)
    if restrictions:
        spec["restrict"] = windows(restrictions)
        if not all(restriction.whole_minutes() for restriction in restrictions):
            notes.append(f"{label}: restriction times are moved back to whole minutes")
    return spec


def turn_length(seconds: int) -> str:
    """Whole weeks as weeks (`1w`), whole days as days (`10d`), else hours (`36h`, `1h30m`)."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return format_duration(timedelta(seconds=seconds))


def _rotation(layer: Fields, users: set[str]) -> list[str]:
    """The rotation's user ids from `[{"user": {"id": ...}}]`; an id the export has no user for is a problem."""
    found = []
    for entry in layer.objects("users", required=True) or []:
        user = entry.nested("user") if "user" in entry.data else entry
        ident = user.text("id", required=True) if user else None
        if ident is not None and ident not in users:
            assert user is not None
            user.problem("id", f"user {ident} is not in the export: save GET /users (every page) beside the schedules")
        elif ident is not None:
            found.append(ident)
    return found


def _instant(fields: Fields, key: str, *, required: bool = False) -> datetime | None:
    text = fields.text(key, required=required)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        fields.problem(key, f"{text!r} is not an ISO 8601 date and time such as 2026-01-07T09:30:00+00:00")
        return None
    if value.tzinfo is None:
        fields.problem(key, f"{text!r} has no UTC offset: PagerDuty gives one, such as +00:00")
        return None
    return value


def _timing_notes(
    label: str, start: datetime, end: datetime | None, zone: ZoneInfo, now: datetime, notes: list[str]
) -> None:
    if start > now:
        notes.append(
            f"{label} takes effect in PagerDuty at {_shown(start, zone)}; a layer here has no start apart "
            "from its rotation's, so check who it puts on call before then"
        )
    if end is not None:
        notes.append(f"{label} ends at {_shown(end, zone)} in PagerDuty; a layer here has no end, so remove it then")


def _order_note(layers: list[Fields], notes: list[str]) -> None:
    """PagerDuty names new layers "Layer 1", "Layer 2"...; listed in rising order, the export is not in the
    API's usual order (highest first), which a reviewer should check."""
    numbers = [_DEFAULT_NAME.fullmatch(str(layer.data.get("name", ""))) for layer in layers]
    found = [int(match.group(1)) for match in numbers if match]
    if len(found) == len(layers) > 1 and found == sorted(found) and len(set(found)) == len(found):
        notes.append(
            "the export lists Layer 1 first; PagerDuty's API lists the highest layer first, so the layers were "
            "reversed (Layer 1 is now highest): check which layer should win"
        )


def _shown(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
