"""People are told when their shift starts and ends, and when a change moves their shifts (ADR 0036), on both
databases."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.services import shift_notices
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.overrides import NewOverride, create_override
from watchkeeper.store import Database
from watchkeeper.store import tables as t

# Wednesday 2 December 2026, 09:29 GMT: a minute before the weekly 09:30 handover. Week 47 since 7 January.
BEFORE_HANDOVER = datetime(2026, 12, 2, 9, 29, tzinfo=UTC)
CATALOG = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: re
    name: RE
    people:
      - {id: asha, name: Asha, email: asha@example.org}
      - {id: ben, name: Ben, email: ben@example.org}
      - {id: chen, name: Chen, email: chen@example.org}
    schedules:
      - id: re-primary
        name: RE primary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [ROTATION], turn: 1w}
"""


def _load(db: Database, tmp_path: Path, clock: FixedClock, rotation: str = "asha, ben") -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.replace("ROTATION", rotation))
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli")
    assert result.ok, result.problems


def _told(db: Database) -> list[tuple[str, str]]:
    n = t.notifications
    with db.reading() as connection:
        rows = connection.execute(select(n.c.channel_id, n.c.message).order_by(n.c.id)).all()
    return [(row.channel_id, row.message["title"]) for row in rows]


def test_the_handover_tells_the_one_going_off_and_the_one_coming_on(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(BEFORE_HANDOVER)
    _load(db, tmp_path, clock)
    outbox = Outbox(reach=Reach(email=True))
    assert shift_notices.send_due(db, clock.now(), outbox) == 0, "the first pass only notes what people know"

    clock.advance(timedelta(minutes=2))
    shift_notices.send_due(db, clock.now(), outbox)
    clock.advance(timedelta(minutes=2))
    shift_notices.send_due(db, clock.now(), outbox)

    assert _told(db) == [
        ("person:asha/inbox", "Your on-call shift for RE primary has ended"),
        ("person:asha/email", "Your on-call shift for RE primary has ended"),
        ("person:ben/inbox", "Your on-call shift for RE primary starts now, until Wed 09 Dec 09:30 GMT"),
        ("person:ben/email", "Your on-call shift for RE primary starts now, until Wed 09 Dec 09:30 GMT"),
    ]


def test_a_catalog_edit_that_moves_shifts_tells_whoever_it_moved(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))  # Thursday: ben's week, asha's next
    _load(db, tmp_path, clock)
    outbox = Outbox()  # no email: the inbox alone
    shift_notices.send_due(db, clock.now(), outbox)

    clock.advance(timedelta(minutes=1))
    _load(db, tmp_path, clock, rotation="asha, chen")  # chen replaces ben
    shift_notices.send_due(db, clock.now(), outbox)

    told = dict(_told(db))
    assert set(told) == {"person:ben/inbox", "person:chen/inbox"}, "asha's shifts did not move: she is not told"
    assert told["person:chen/inbox"].startswith("Your on-call shifts for RE primary changed: now on call Thu 03 Dec")
    assert "no longer on call Thu 03 Dec 12:01 GMT to Wed 09 Dec 09:30 GMT" in told["person:ben/inbox"]

    clock.advance(timedelta(minutes=1))
    shift_notices.send_due(db, clock.now(), outbox)
    assert len(_told(db)) == 2, "a change is told once"


def test_an_engine_stopped_for_days_does_not_send_stale_notices(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    _load(db, tmp_path, clock)
    outbox = Outbox()
    shift_notices.send_due(db, clock.now(), outbox)

    clock.advance(timedelta(days=12, minutes=1))  # two handovers missed: 25 Nov and 2 Dec 09:30 (now 12:01)
    shift_notices.send_due(db, clock.now(), outbox)

    assert _told(db) == [], "handovers more than an hour ago are not news; the snapshot slid with the window"


def test_a_schedule_leaving_the_catalog_drops_its_snapshot(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(BEFORE_HANDOVER)
    _load(db, tmp_path, clock)
    shift_notices.send_due(db, clock.now(), Outbox())
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.split("    schedules:")[0])
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli").ok

    clock.advance(timedelta(minutes=2))
    shift_notices.send_due(db, clock.now(), Outbox())

    with db.reading() as connection:
        assert connection.execute(select(t.schedule_snapshots)).all() == []
    assert _told(db) == []


def test_an_override_tells_the_person_covering_and_the_person_covered(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))  # Thursday: ben's week
    _load(db, tmp_path, clock)
    shift_notices.send_due(db, clock.now(), Outbox())
    cover = NewOverride(
        schedule_id="re-primary",
        person="chen",
        replaces="ben",
        reason="dentist",
        starts_at=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
        duration=timedelta(hours=3),
    )
    create_override(db, clock.now(), cover, cli_actor("Asha Patel"))

    clock.advance(timedelta(seconds=30))
    shift_notices.send_due(db, clock.now(), Outbox())

    told = dict(_told(db))
    assert set(told) == {"person:ben/inbox", "person:chen/inbox"}
    assert told["person:chen/inbox"] == (
        "Your on-call shifts for RE primary changed: now on call Fri 04 Dec 09:00 GMT to Fri 04 Dec 12:00 GMT"
    )
    assert told["person:ben/inbox"] == (
        "Your on-call shifts for RE primary changed: no longer on call Fri 04 Dec 09:00 GMT to Fri 04 Dec 12:00 GMT"
    )
