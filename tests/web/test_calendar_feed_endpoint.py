"""`/calendar/TOKEN.ics` over HTTP: the iCalendar content type and no-store; every URL that opens no feed gets
the very same 404 as any unknown path; the token never reaches the request log."""

import logging
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.calendar_feeds import issue_feed


def _token(loaded, kind="schedule", subject="re-primary", rotate=False):
    return issue_feed(loaded.db, kind, subject, datetime.now(UTC), cli_actor("Asha"), rotate).token


def test_a_feed_is_served_as_icalendar_that_no_cache_keeps(loaded, caplog):
    token = _token(loaded)

    with caplog.at_level(logging.INFO):
        response = loaded.client.get(f"/calendar/{token}.ics")

    calendar = Calendar.from_ical(response.content)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert str(calendar["X-WR-CALNAME"]) == "On call: RE primary on call"
    assert "Asha Patel on call" in summaries
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("watchkeeper"))  # not the client's
    assert token not in ours
    assert "/calendar/<token>" in ours


def test_a_person_feed_is_served_too(loaded):
    token = _token(loaded, "person", "ben")

    response = loaded.client.get(f"/calendar/{token}.ics")

    summaries = {str(event["SUMMARY"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
    assert summaries <= {"On call: RE primary on call", "On call: RE secondary on call"}
    assert len(summaries) == 2


def _answer(response):
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("kind", ["unknown", "rotated", "malformed", "no suffix", "nested"])
def test_every_url_that_opens_no_feed_is_the_same_404_as_any_unknown_path(loaded, kind):
    old = _token(loaded)
    _token(loaded, rotate=True)
    path = {
        "unknown": "/calendar/" + "0" * 32 + ".ics",
        "rotated": f"/calendar/{old}.ics",
        "malformed": "/calendar/%00%20x.ics",
        "no suffix": f"/calendar/{old}",
        "nested": "/calendar/a/b.ics",
    }[kind]

    assert _answer(loaded.client.get(path)) == _answer(loaded.client.get("/no-such-page-at-all"))
