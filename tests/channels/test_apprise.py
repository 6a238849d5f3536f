"""Apprise: the library posts to any of its services; here its json:// service, pointed at the local receiver."""

import logging

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, alert, message, render_and_deliver

from watchkeeper.catalog.teams import AppriseChannel
from watchkeeper.channels.apprise.render import render


def config(receiver: Receiver | None = None) -> AppriseChannel:
    where = f"127.0.0.1:{receiver.port}" if receiver else "hooks.example"
    return AppriseChannel(id="re-apprise", type="apprise", url=f"json://{where}/notify/${{APPRISE_TOKEN}}")


def test_it_renders_a_title_a_body_and_apprises_kind_of_notice():
    note = render(message(), config())

    assert note.url == "json://hooks.example/notify/${APPRISE_TOKEN}"
    assert note.title == "[Triggered] Payments API is failing"
    assert "Triggered: HTTP 503 from /health (attempt 1) (Payments API (pay-api))" in note.body
    assert note.notify_type == "failure"


@pytest.mark.parametrize(
    ("action", "severity", "kind"),
    [
        ("trigger", "page", "failure"),
        ("trigger", "ticket", "warning"),
        ("acknowledge", "page", "warning"),
        ("trigger", "info", "info"),
        ("resolve", "page", "success"),
    ],
)
def test_the_kind_of_notice_follows_action_and_severity(action: str, severity: str, kind: str):
    assert render(message(action=action, severity=severity), config()).notify_type == kind


def test_it_sends_through_apprise_to_the_receiver(receiver: Receiver):
    outcome = render_and_deliver("apprise", config(receiver))

    [sent] = receiver.requests
    assert sent.path == f"/notify/{SECRETS['APPRISE_TOKEN']}"
    assert sent.json()["title"] == "[Triggered] Payments API is failing"
    assert "HTTP 503 from /health" in sent.json()["message"]
    assert outcome.kind == "sent"


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        (Answer(500, "oops"), "retry", 500),
        (Answer(429, "slow"), "retry", 429),
        (Answer(400, "no"), "failed", 400),
        (Answer(401, "who"), "failed", 401),
    ],
)
def test_failures_are_transient_unless_the_receiver_refused_for_good(
    receiver: Receiver, answer: Answer, kind: str, code: int
):
    receiver.answer(f"/notify/{SECRETS['APPRISE_TOKEN']}", answer)

    outcome = render_and_deliver("apprise", config(receiver))

    assert (outcome.kind, outcome.status_code) == (kind, code)


def test_a_url_apprise_does_not_know_fails_for_good():
    outcome = render_and_deliver("apprise", AppriseChannel(id="a", type="apprise", url="nonsense://${APPRISE_TOKEN}"))

    assert outcome.kind == "failed"
    assert "does not recognise" in outcome.detail


def test_a_missing_secret_fails_for_good():
    outcome = render_and_deliver("apprise", AppriseChannel(id="a", type="apprise", url="json://h/${NOT_SET_HERE}"))

    assert outcome.kind == "failed"
    assert "NOT_SET_HERE" in outcome.detail


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer(f"/notify/{SECRETS['APPRISE_TOKEN']}", Answer(400, echo=True))

    outcome = render_and_deliver("apprise", config(receiver), message(alert()))

    assert outcome.kind == "failed"
    assert SECRETS["APPRISE_TOKEN"] not in repr(render(message(), config(receiver)))
    assert SECRETS["APPRISE_TOKEN"] not in outcome.detail
    assert SECRETS["APPRISE_TOKEN"] not in caplog.text
