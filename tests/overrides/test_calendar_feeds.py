"""Calendar feeds on both backends: the iCalendar text parses, has one VEVENT per shift of the schedule (or of
the person, across schedules) with stable UIDs; tokens are kept only as digests, shown once, and rotating one
stops the old URL; a feed whose subject left the catalog opens nothing."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from rota_catalog import CATALOG, NOW, at
from sqlalchemy import select

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.calendar_feeds import (
    FeedExists,
    calendar_for,
    digest_of,
    feed_range,
    issue_feed,
)
from watchkeeper.services.oncall import shifts_of
from watchkeeper.services.overrides import NewOverride, create_override
from watchkeeper.store import tables as t


def events(rotas, token, now=NOW):
    text = calendar_for(rotas.db, token, now)
    assert text is not None
    calendar = Calendar.from_ical(text)
    return calendar, [
        (
            str(e["UID"]),
            str(e["SUMMARY"]),
            e.decoded("DTSTART"),
            e.decoded("DTEND"),
        )
        for e in calendar.walk("VEVENT")
    ]


def expected_shifts(rotas, now=NOW):
    start, end = feed_range(now)
    with rotas.db.reading() as connection:
        answer = shifts_of(connection, "re-primary", start, end + timedelta(days=31))
    return [(s.person.name, s.person.id, s.start, s.end) for s in answer.shifts if s.start < end]


def test_a_schedule_feed_has_one_event_per_shift_in_utc(rotas):
    token = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Asha")).token

    calendar, found = events(rotas, token)

    shifts = expected_shifts(rotas)
    assert str(calendar["X-WR-CALNAME"]) == "On call: RE primary"
    assert str(calendar["PRODID"]) == "-//Watchkeeper//On-call shifts//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert len(found) == len(shifts) > 10
    for (uid, summary, start, end), (name, person, shift_start, shift_end) in zip(found, shifts, strict=True):
        assert summary == f"{name} on call"
        assert (start, end) == (shift_start, shift_end)
        assert start.utcoffset() == timedelta(0)
        assert uid == f"schedule-re-primary-{person}-{shift_start:%Y%m%dT%H%M%SZ}@watchkeeper"
    assert b"DTSTART:20261109T000000Z\r\n" in calendar_for(rotas.db, token, NOW)  # UTC, written as such
    assert feed_range(NOW)[0] == at("2026-11-09 00:00")  # the Monday at least two weeks back
    assert found[0][2] == at("2026-11-09 00:00")  # the shift in progress then, cut at the feed's start
    assert found[-1][2] < NOW + timedelta(weeks=8) < found[-1][3]  # the last shift keeps its real end


def test_the_uids_stay_the_same_from_one_request_to_the_next(rotas):
    token = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Asha")).token

    first = [e[0] for e in events(rotas, token)[1]]
    later = [e[0] for e in events(rotas, token, NOW + timedelta(hours=3))[1]]

    assert first == later
    assert len(set(first)) == len(first)


def test_a_person_feed_has_their_shifts_only_and_overrides_show_in_both_feeds(rotas):
    create_override(
        rotas.db, NOW, NewOverride("re-primary", "fatima", "dentist", "asha", at("2026-11-27 09:00"),
                                   at("2026-11-27 17:00")), cli_actor("Asha"),
    )  # fmt: skip
    asha = issue_feed(rotas.db, "person", "asha", NOW, cli_actor("tests")).token
    fatima = issue_feed(rotas.db, "person", "fatima", NOW, cli_actor("tests")).token
    schedule = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("tests")).token

    calendar, ashas = events(rotas, asha)
    fatimas = events(rotas, fatima)[1]
    everyone = events(rotas, schedule)[1]

    assert str(calendar["X-WR-CALNAME"]) == "Asha Patel: on call"
    assert {summary for _, summary, _, _ in ashas} == {"On call: RE primary"}
    assert [(s, e) for _, _, s, e in ashas] == [
        (s, e) for name, _, s, e in expected_shifts(rotas) if name == "Asha Patel"
    ]
    assert (at("2026-11-27 09:00"), at("2026-11-27 17:00")) not in [(s, e) for _, _, s, e in ashas]
    assert [(uid, summary, s, e) for uid, summary, s, e in fatimas] == [
        ("person-re-primary-fatima-20261127T090000Z@watchkeeper", "On call: RE primary",
         at("2026-11-27 09:00"), at("2026-11-27 17:00")),
    ]  # fmt: skip
    assert ("Fatima Hussain on call", at("2026-11-27 09:00"), at("2026-11-27 17:00")) in [
        (summary, s, e) for _, summary, s, e in everyone
    ]


def test_a_token_is_kept_only_as_its_digest_and_shown_once(rotas):
    issued = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Asha"))

    with rotas.db.reading() as connection:
        row = connection.execute(select(t.calendar_feeds)).mappings().one()
    with pytest.raises(FeedExists, match=r"already has a calendar link \(ending …"):
        issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Ben"))

    assert issued.token not in str(dict(row))
    assert row["digest"] == digest_of(issued.token)
    assert (row["hint"], row["issued_by"]) == (issued.token[-4:], "Asha")
    assert len(issued.token) == 32


def test_rotating_stops_the_old_url_at_once(rotas):
    old = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Asha")).token

    new = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Ben"), rotate=True)

    assert calendar_for(rotas.db, old, NOW) is None
    assert calendar_for(rotas.db, new.token, NOW) is not None
    assert new.subject.feed is not None
    assert new.subject.feed.hint == old[-4:]


@pytest.mark.parametrize("token", ["0" * 32, "not-a-token", "", "A" * 32, "0" * 31])
def test_an_unknown_or_malformed_token_opens_nothing(rotas, token):
    issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("Asha"))

    assert calendar_for(rotas.db, token, NOW) is None


def test_a_feed_whose_subject_left_the_catalog_opens_nothing(rotas):
    schedule = issue_feed(rotas.db, "schedule", "re-primary", NOW, cli_actor("tests")).token
    person = issue_feed(rotas.db, "person", "chen", NOW, cli_actor("tests")).token

    rotas.apply(
        CATALOG.replace("id: re-primary", "id: re-main")
        .replace("rotation: [chen]", "rotation: [ben]")
        .replace("{id: chen, name: Chen Wei, email: chen@example.org}", "{id: dev, name: Dev, email: d@example.org}")
    )

    assert calendar_for(rotas.db, schedule, NOW) is None
    assert calendar_for(rotas.db, person, NOW) is None


def test_a_feed_for_something_not_in_the_catalog_is_refused(rotas):
    from watchkeeper.services.refusals import Refused

    with pytest.raises(Refused, match="did you mean re-primary"):
        issue_feed(rotas.db, "schedule", "re-primry", NOW, cli_actor("tests"))
    with pytest.raises(Refused, match="no person 'zed'"):
        issue_feed(rotas.db, "person", "zed", NOW, cli_actor("tests"))
