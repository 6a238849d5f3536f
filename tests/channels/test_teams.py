"""Microsoft Teams: an Adaptive Card in a Workflows message, which Workflows accepts with 202."""

import logging

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, alert, message, render_and_deliver

from watchkeeper.catalog.teams import TeamsChannel
from watchkeeper.channels.teams.render import render

PATH = "/workflows/${HOOK_TOKEN}/triggers/manual/paths/invoke"
SENT_PATH = f"/workflows/{SECRETS['HOOK_TOKEN']}/triggers/manual/paths/invoke"


def config(receiver: Receiver | None = None) -> TeamsChannel:
    base = receiver.url("") if receiver else "https://prod.westeurope.logic.example"
    return TeamsChannel(id="pay-teams", type="teams", webhook_url=base + PATH)


def test_it_renders_an_adaptive_card_inside_a_workflows_message():
    body = render(message(), config()).body

    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "[Triggered] Payments API is failing"
    assert card["body"][1]["text"] == "Page · team pay · 1 alert"
    container = card["body"][2]
    assert container["items"][0]["text"] == "Triggered: HTTP 503 from /health (attempt 1)"
    assert container["items"][0]["color"] == "Attention"
    assert {"title": "env", "value": "production"} in container["items"][2]["facts"]
    assert [a["title"] for a in card["actions"]] == ["Open in Watchkeeper", "Runbook"]


def test_a_resolved_alert_is_green_and_says_when():
    resolved = alert(status="resolved", resolved_at=alert().started_at.replace(hour=13))

    card = render(message(resolved, action="resolve"), config()).body["attachments"][0]["content"]

    assert card["body"][2]["items"][0]["color"] == "Good"
    assert {"title": "Resolved", "value": "2026-11-26 13:00 UTC"} in card["body"][2]["items"][2]["facts"]


def test_a_storm_keeps_the_card_to_six_buttons_and_twenty_alerts():
    card = render(message(*(alert(n) for n in range(1, 41))), config()).body["attachments"][0]["content"]

    assert len(card["actions"]) == 6
    assert card["body"][-1]["text"] == "… and 20 more alerts"


def test_it_posts_the_card_and_workflows_accepts_it(receiver: Receiver):
    receiver.answer(SENT_PATH, Answer(202, ""))

    outcome = render_and_deliver("teams", config(receiver))

    [sent] = receiver.requests
    assert sent.json()["attachments"][0]["content"]["type"] == "AdaptiveCard"
    assert (outcome.kind, outcome.status_code) == ("sent", 202)


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(429, "", {"Retry-After": "5"}), "retry"),
        (Answer(502, "bad gateway"), "retry"),
        (Answer(400, "BadRequest"), "failed"),
        (Answer(401, "DirectApiAuthorizationRequired"), "failed"),
    ],
)
def test_workflows_errors_are_transient_or_permanent(receiver: Receiver, answer: Answer, kind: str):
    receiver.answer(SENT_PATH, answer)

    assert render_and_deliver("teams", config(receiver)).kind == kind


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer(SENT_PATH, Answer(400, echo=True))

    outcome = render_and_deliver("teams", config(receiver))

    assert receiver.requests[0].path == SENT_PATH
    assert SECRETS["HOOK_TOKEN"] not in repr(render(message(), config(receiver)))
    assert SECRETS["HOOK_TOKEN"] not in outcome.detail
    assert SECRETS["HOOK_TOKEN"] not in caplog.text
