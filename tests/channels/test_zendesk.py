"""Zendesk: a ticket opened for a ticket-severity alert, remembered, commented on, and solved with it."""

import base64
import logging

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, T0, DictMemory, alert, message, render_and_deliver

from watchkeeper.catalog.teams import ZendeskChannel
from watchkeeper.channels.zendesk.render import render

TICKET = {"ticket": {"id": 35436, "status": "new", "subject": "x"}}


def config(receiver: Receiver | None = None) -> ZendeskChannel:
    return ZendeskChannel(
        id="re-zendesk",
        type="zendesk",
        subdomain="gds-example",
        email="re@example.gov.uk",
        api_token="${ZENDESK_TOKEN}",
        url=receiver.url("") if receiver else None,
    )


def ticket_alert(number: int = 1, **fields: object) -> object:
    return alert(number, severity="ticket", **fields)


def test_a_ticket_alert_renders_a_new_ticket_and_a_private_comment():
    work = render(message(ticket_alert(), severity="ticket"), config())

    assert work.base_url == "https://gds-example.zendesk.com"
    [change] = work.changes
    ticket = change.new_ticket["ticket"]
    assert ticket["subject"] == "HTTP 503 from /health (attempt 1) (Payments API (pay-api))"
    assert ticket["external_id"] == "watchkeeper-alert-1"
    assert ticket["tags"] == ["watchkeeper", "watchkeeper-team-pay"]
    assert "Runbook: https://runbooks.example/pay-api" in ticket["comment"]["body"]
    assert change.update == {
        "ticket": {"comment": {"body": "Triggered in Watchkeeper: HTTP 503 from /health (attempt 1)", "public": False}}
    }
    assert change.idempotency_key == "5f0c2a9e7b41d3c8:1"


def test_only_ticket_severity_alerts_become_tickets():
    work = render(message(alert(1, severity="page"), ticket_alert(2), alert(3, severity="info")), config())

    assert [change.alert_id for change in work.changes] == [2]


def test_a_resolved_alert_solves_its_ticket():
    [change] = render(message(ticket_alert(status="resolved", resolved_at=T0)), config()).changes

    assert change.update["ticket"]["status"] == "solved"
    assert change.update["ticket"]["comment"]["body"].startswith("Resolved in Watchkeeper at 2026-11-26 12:00 UTC")


def test_a_trigger_opens_a_ticket_with_token_auth_and_remembers_it(receiver: Receiver):
    receiver.json_answer("/api/v2/tickets", 201, TICKET)
    memory = DictMemory()

    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert()), memory=memory)

    [sent] = receiver.requests
    expected = base64.b64encode(f"re@example.gov.uk/token:{SECRETS['ZENDESK_TOKEN']}".encode()).decode()
    assert (sent.method, sent.path) == ("POST", "/api/v2/tickets")
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["Idempotency-Key"] == "5f0c2a9e7b41d3c8:1"
    assert sent.json()["ticket"]["external_id"] == "watchkeeper-alert-1"
    assert memory.values == {"ticket:1": "35436"}
    assert (outcome.kind, outcome.detail) == ("sent", "ticket 35436 opened")


def test_a_change_comments_on_the_remembered_ticket_and_resolution_solves_it(receiver: Receiver):
    receiver.json_answer("/api/v2/tickets/35436", 200, TICKET)
    memory = DictMemory()
    memory.put("ticket:1", "35436")

    acked = render_and_deliver("zendesk", config(receiver), message(ticket_alert(status="acknowledged")), memory=memory)
    solved = render_and_deliver(
        "zendesk", config(receiver), message(ticket_alert(status="resolved", resolved_at=T0)), memory=memory
    )

    assert [(r.method, r.path) for r in receiver.requests] == [("PUT", "/api/v2/tickets/35436")] * 2
    assert receiver.requests[0].json()["ticket"] == {
        "comment": {"body": "Acknowledged in Watchkeeper: HTTP 503 from /health (attempt 1)", "public": False}
    }
    assert receiver.requests[1].json()["ticket"]["status"] == "solved"
    assert (acked.detail, solved.detail) == ("ticket 35436 updated", "ticket 35436 solved")


def test_an_alert_resolved_before_any_ticket_opens_none(receiver: Receiver):
    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert(status="resolved", resolved_at=T0)))

    assert outcome.kind == "sent"
    assert receiver.requests == []


def test_a_message_without_ticket_alerts_sends_nothing(receiver: Receiver):
    outcome = render_and_deliver("zendesk", config(receiver), message(alert(severity="page")))

    assert (outcome.kind, receiver.requests) == ("sent", [])
    assert "no ticket-severity alert" in outcome.detail


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(429, '{"error": "TooManyRequests"}', {"Retry-After": "60"}), "retry"),
        (Answer(503, "maintenance"), "retry"),
        (Answer(401, '{"error": "Couldn\'t authenticate you"}'), "failed"),
        (Answer(422, '{"error": "RecordInvalid", "description": "Record validation errors"}'), "failed"),
    ],
)
def test_zendesks_errors_are_transient_or_permanent(receiver: Receiver, answer: Answer, kind: str):
    receiver.answer("/api/v2/tickets", answer)

    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert()))

    assert (outcome.kind, outcome.status_code) == (kind, answer.status)


def test_a_deleted_ticket_is_a_permanent_failure_that_names_it(receiver: Receiver):
    receiver.json_answer("/api/v2/tickets/9", 404, {"error": "RecordNotFound", "description": "Not found"})
    memory = DictMemory()
    memory.put("ticket:1", "9")

    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert()), memory=memory)

    assert outcome.kind == "failed"
    assert outcome.detail == "refused: ticket 9 no longer exists (HTTP 404 RecordNotFound: Not found)"


def test_a_creation_that_names_no_ticket_is_retried_rather_than_forgotten(receiver: Receiver):
    receiver.answer("/api/v2/tickets", Answer(201, "{}"))

    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert()))

    assert outcome.kind == "retry"


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer("/api/v2/tickets", Answer(400, echo=True))
    token = SECRETS["ZENDESK_TOKEN"]
    encoded = base64.b64encode(f"re@example.gov.uk/token:{token}".encode()).decode()

    outcome = render_and_deliver("zendesk", config(receiver), message(ticket_alert()))

    assert outcome.kind == "failed"
    assert "[redacted]" in outcome.detail
    assert token not in repr(render(message(ticket_alert()), config(receiver)))
    for secret in (token, encoded):
        assert secret not in outcome.detail
        assert secret not in caplog.text
