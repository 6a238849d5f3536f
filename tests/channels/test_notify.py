"""GOV.UK Notify: an email or text message per recipient through the service's templates, with Notify's JWT."""

import base64
import hashlib
import hmac
import json
import logging
import time

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, alert, message, render_and_deliver

from watchkeeper.catalog.teams import NotifyChannel
from watchkeeper.channels.notify.render import render
from watchkeeper.channels.notify.token import BadApiKey, split_key

EMAIL_TEMPLATE = "217a419e-6a7d-482a-9596-718b889dffce"
SMS_TEMPLATE = "5bd2bd23-5e1d-4c8f-8cfa-0e4c3e4ff45b"
CREATED = {
    "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
    "reference": "5f0c2a9e7b41d3c8",
    "content": {"subject": "x", "body": "y"},
    "uri": "https://api.notifications.service.gov.uk/v2/notifications/740e5834-3a29-46b4-9a6f-16142fde533a",
    "template": {"id": EMAIL_TEMPLATE, "version": 1, "uri": "x"},
}
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SIGNING_HALF = "3d844edf-8d35-48ac-975b-e847b4f122b0"


def config(receiver: Receiver | None = None, to: tuple[str, ...] = ("ops@example.gov.uk", "+447700900123")):
    return NotifyChannel(
        id="notify-ops",
        type="notify",
        api_key="${NOTIFY_KEY}",
        email_template_id=EMAIL_TEMPLATE,
        sms_template_id=SMS_TEMPLATE,
        to=list(to),
        base_url=receiver.url("") if receiver else None,
    )


def test_an_address_gets_an_email_and_a_number_a_text_through_their_templates():
    work = render(message(), config())

    assert work.base_url == "https://api.notifications.service.gov.uk"
    assert work.api_key == "${NOTIFY_KEY}"
    email, sms = work.sends
    assert (email.path, sms.path) == ("/v2/notifications/email", "/v2/notifications/sms")
    assert email.body["email_address"] == "ops@example.gov.uk"
    assert sms.body["phone_number"] == "+447700900123"
    assert (email.body["template_id"], sms.body["template_id"]) == (EMAIL_TEMPLATE, SMS_TEMPLATE)
    assert email.body["reference"] == "5f0c2a9e7b41d3c8"
    assert email.body["personalisation"]["subject"] == "[Triggered] Payments API is failing"
    assert "Runbook: https://runbooks.example/pay-api" in email.body["personalisation"]["body"]
    assert email.body["personalisation"]["url"] == "https://watchkeeper.example/alerts/1"


def test_a_text_message_stays_short_in_a_storm():
    [sms] = render(message(*(alert(n, summary="s" * 300) for n in range(50))), config(to=("+447700900123",))).sends

    assert len(sms.body["personalisation"]["body"]) <= 612


def test_a_recipient_without_its_template_is_a_catalog_error():
    with pytest.raises(ValueError, match="sms_template_id"):
        NotifyChannel(id="n", type="notify", api_key="k", email_template_id=EMAIL_TEMPLATE, to=["+447700900123"])


def test_the_api_key_splits_into_service_id_and_secret():
    assert split_key(SECRETS["NOTIFY_KEY"]) == (SERVICE_ID, SIGNING_HALF)
    with pytest.raises(BadApiKey):
        split_key("too-short")


def test_it_sends_each_with_a_jwt_notify_accepts(receiver: Receiver):
    receiver.json_answer("/v2/notifications/email", 201, CREATED)
    receiver.json_answer("/v2/notifications/sms", 201, CREATED)
    before = int(time.time())

    outcome = render_and_deliver("notify", config(receiver))

    assert [r.path for r in receiver.requests] == ["/v2/notifications/email", "/v2/notifications/sms"]
    header, claims, signature = receiver.requests[0].headers["Authorization"].removeprefix("Bearer ").split(".")
    assert _decoded(header) == {"typ": "JWT", "alg": "HS256"}
    assert _decoded(claims)["iss"] == SERVICE_ID
    assert before <= _decoded(claims)["iat"] <= int(time.time())
    expected = hmac.new(SIGNING_HALF.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected
    assert (outcome.kind, outcome.detail) == ("sent", "Notify accepted 1 email and 1 text message")


def _decoded(part: str) -> dict[str, object]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (400, "BadRequestError", "failed"),
        (403, "AuthError", "failed"),
        (429, "RateLimitError", "retry"),
        (500, "Exception", "retry"),
    ],
)
def test_notifys_errors_are_transient_or_permanent(receiver: Receiver, status: int, error: str, kind: str):
    body = {"status_code": status, "errors": [{"error": error, "message": "Can't send to this recipient"}]}
    receiver.json_answer("/v2/notifications/email", status, body)

    outcome = render_and_deliver("notify", config(receiver, to=("ops@example.gov.uk",)))

    assert (outcome.kind, outcome.status_code) == (kind, status)
    assert outcome.detail.endswith(f"HTTP {status} {error}: Can't send to this recipient")


def test_a_channel_without_recipients_fails_for_good(receiver: Receiver):
    outcome = render_and_deliver("notify", config(receiver, to=()))

    assert (outcome.kind, receiver.requests) == ("failed", [])


def test_a_key_not_in_notifys_form_fails_for_good(receiver: Receiver):
    outcome = render_and_deliver("notify", config(receiver), secret=lambda text: "not-a-notify-key")

    assert outcome.kind == "failed"
    assert "not in Notify's form" in outcome.detail


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer("/v2/notifications/email", Answer(400, echo=True))

    outcome = render_and_deliver("notify", config(receiver, to=("ops@example.gov.uk",)))

    assert outcome.kind == "failed"
    assert "[redacted]" in outcome.detail  # the JWT the receiver quoted back
    assert SECRETS["NOTIFY_KEY"] not in repr(render(message(), config(receiver)))
    for secret in (SECRETS["NOTIFY_KEY"], SIGNING_HALF):
        assert secret not in outcome.detail
        assert secret not in caplog.text
