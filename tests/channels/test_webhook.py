"""Webhook: the documented JSON body, the delivery header, and an HMAC-SHA256 signature receivers can check."""

import json
import logging
import math
import time

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, T0, alert, message, render_and_deliver

from watchkeeper.catalog.teams import WebhookChannel
from watchkeeper.channels.webhook.render import render
from watchkeeper.channels.webhook.signature import sign, verify


def config(receiver: Receiver | None = None, **fields: object) -> WebhookChannel:
    url = receiver.url("/hook") if receiver else "https://hooks.pay.example/watchkeeper"
    values = {"id": "pay-webhook", "type": "webhook", "url": url, "secret": "${SIGNING_SECRET}"} | fields
    return WebhookChannel(**values)  # type: ignore[arg-type]


def test_the_body_is_the_documented_json():
    body = render(message(), config()).body

    assert body == {
        "version": 1,
        "delivery": "5f0c2a9e7b41d3c8",
        "team": "pay",
        "channel": "pay-channel",
        "action": "trigger",
        "severity": "page",
        "title": "Payments API is failing",
        "created_at": "2026-11-26T12:00:00Z",
        "alerts": [
            {
                "id": 1,
                "dedup_key": "check:pay-api-health-1",
                "status": "triggered",
                "severity": "page",
                "summary": "HTTP 503 from /health (attempt 1)",
                "subject": "Payments API (pay-api)",
                "started_at": "2026-11-26T12:00:00Z",
                "resolved_at": None,
                "details": {"reason": "HTTP 503", "response_ms": 42},
                "labels": {"env": "production"},
                "links": [{"href": "https://runbooks.example/pay-api", "text": "Runbook"}],
                "url": "https://watchkeeper.example/alerts/1",
            }
        ],
    }


def test_the_request_carries_the_delivery_key_and_the_channels_headers_unresolved():
    request = render(message(), config(headers={"Authorization": "Bearer ${HEADER_TOKEN}"}))

    assert request.headers == (
        ("Authorization", "Bearer ${HEADER_TOKEN}"),
        ("Watchkeeper-Delivery", "5f0c2a9e7b41d3c8"),
    )


def test_it_posts_a_signed_body_that_verifies_with_the_secret(receiver: Receiver):
    before = int(time.time())
    outcome = render_and_deliver("webhook", config(receiver, headers={"Authorization": "Bearer ${HEADER_TOKEN}"}))

    [sent] = receiver.requests
    timestamp = sent.headers["Watchkeeper-Timestamp"]
    assert outcome.kind == "sent"
    assert sent.headers["Watchkeeper-Delivery"] == "5f0c2a9e7b41d3c8"
    assert sent.headers["Authorization"] == f"Bearer {SECRETS['HEADER_TOKEN']}"
    assert before <= int(timestamp) <= int(time.time())
    assert verify(SECRETS["SIGNING_SECRET"], timestamp, sent.body, sent.headers["Watchkeeper-Signature"])
    assert not verify("another-secret", timestamp, sent.body, sent.headers["Watchkeeper-Signature"])
    assert sent.json()["alerts"][0]["id"] == 1


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()

    assert sign("k", 1700000000, b"{}") == f"sha256={expected}"


def test_a_changed_body_or_timestamp_no_longer_verifies():
    signature = sign("k", 1700000000, b'{"a":1}')

    assert verify("k", "1700000000", b'{"a":1}', signature)
    assert not verify("k", "1700000000", b'{"a":2}', signature)
    assert not verify("k", "1700000001", b'{"a":1}', signature)
    assert not verify("k", "soon", b'{"a":1}', signature)


def test_without_a_secret_nothing_is_signed(receiver: Receiver):
    render_and_deliver("webhook", config(receiver, secret=None))

    assert "Watchkeeper-Signature" not in receiver.requests[0].headers


def test_a_repeated_send_carries_the_same_delivery_key(receiver: Receiver):
    receiver.answer("/hook", Answer(503, "busy"), Answer(200, "ok"))
    note = render(message(), config(receiver))

    first = render_and_deliver("webhook", config(receiver))
    second = render_and_deliver("webhook", config(receiver))

    assert (first.kind, second.kind) == ("retry", "sent")
    assert [r.headers["Watchkeeper-Delivery"] for r in receiver.requests] == [note.body["delivery"]] * 2


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(429, "slow down", {"Retry-After": "7"}), "retry"),
        (Answer(500, "oops"), "retry"),
        (Answer(408, "timeout"), "retry"),
        (Answer(401, "who are you"), "failed"),
        (Answer(422, "no"), "failed"),
    ],
)
def test_receiver_errors_are_transient_or_permanent(receiver: Receiver, answer: Answer, kind: str):
    receiver.answer("/hook", answer)

    assert render_and_deliver("webhook", config(receiver)).kind == kind


def test_a_missing_signing_secret_fails_for_good():
    outcome = render_and_deliver("webhook", config(secret="${NOT_SET_ANYWHERE}"))

    assert outcome.kind == "failed"
    assert "NOT_SET_ANYWHERE" in outcome.detail


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer("/hook", Answer(400, echo=True))
    chosen = config(receiver, headers={"Authorization": "Bearer ${HEADER_TOKEN}"})

    request = render(message(alert(started_at=T0)), chosen)
    outcome = render_and_deliver("webhook", chosen)

    for name in ("SIGNING_SECRET", "HEADER_TOKEN"):
        assert SECRETS[name] not in repr(request)
        assert SECRETS[name] not in outcome.detail
        assert SECRETS[name] not in caplog.text
    assert "[redacted]" in outcome.detail


def test_a_number_json_cannot_carry_is_sent_as_null_so_the_body_stays_json(receiver: Receiver):
    """Python would write `NaN` and `Infinity`, which are not JSON; a strict receiver would refuse them for good."""
    odd = alert(details={"rows": math.inf, "ratio": math.nan, "all": [-math.inf, 1.5]})

    outcome = render_and_deliver("webhook", config(receiver), message(odd))

    [sent] = receiver.requests
    strict = json.loads(sent.body, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert outcome.kind == "sent"
    assert strict["alerts"][0]["details"] == {"rows": None, "ratio": None, "all": [None, 1.5]}
