"""What every HTTP channel shares: a receiver that never answers, refuses the connection or is misnamed is
a transient failure (or a permanent one for a URL that cannot work), and Retry-After is read both ways."""

import socket
from datetime import UTC, datetime

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import render_and_deliver

from watchkeeper.catalog.teams import SlackChannel
from watchkeeper.channels.outcomes import from_status, retry_after


def _slack(url: str) -> SlackChannel:
    return SlackChannel(id="s", type="slack", webhook_url=url)


def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver: Receiver):
    receiver.answer("/slow", Answer(delay=3))

    outcome = render_and_deliver("slack", _slack(receiver.url("/slow")), timeout=0.3)

    assert (outcome.kind, outcome.detail) == ("retry", "no answer within 0.3 s")


def test_a_refused_connection_is_retried():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    outcome = render_and_deliver("slack", _slack(f"http://127.0.0.1:{port}/hook"))

    assert outcome.kind == "retry"
    assert outcome.detail.startswith("could not connect to the receiver")
    assert str(port) not in outcome.detail


def test_a_secret_that_makes_the_url_unusable_fails_for_good():
    outcome = render_and_deliver("slack", _slack("${HOOK_TOKEN}"))

    assert (outcome.kind, outcome.detail) == ("failed", "the URL is not a valid http:// or https:// URL")


def test_a_redirect_is_permanent_since_a_webhook_must_name_its_final_url(receiver: Receiver):
    receiver.answer("/moved", Answer(301, "", {"Location": "/elsewhere"}))

    outcome = render_and_deliver("slack", _slack(receiver.url("/moved")))

    assert (outcome.kind, outcome.status_code) == ("failed", 301)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, "sent"),
        (202, "sent"),
        (204, "sent"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (502, "retry"),
        (400, "failed"),
        (401, "failed"),
        (404, "failed"),
        (422, "failed"),
    ],
)
def test_statuses_are_classified(status: int, kind: str):
    assert from_status(status, "x").kind == kind


def test_retry_after_reads_seconds_and_http_dates_and_caps_both():
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    assert retry_after("120") == 120.0
    assert retry_after("Thu, 26 Nov 2026 12:01:30 GMT", now) == 90.0
    assert retry_after("Thu, 26 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("999999") == 3600.0
    assert retry_after("soon") is None
    assert retry_after(None) is None
