"""Slack: Block Kit with a text fallback, posted to an incoming webhook; Slack's answers classified."""

import logging

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, alert, message, render_and_deliver

from watchkeeper.catalog.teams import SlackChannel
from watchkeeper.channels.slack.render import render

PATH = "/services/T0/B0/${HOOK_TOKEN}"
SENT_PATH = f"/services/T0/B0/{SECRETS['HOOK_TOKEN']}"


def config(receiver: Receiver | None = None) -> SlackChannel:
    base = receiver.url() if receiver else "https://hooks.slack.example"
    return SlackChannel(id="pay-slack", type="slack", webhook_url=base.rstrip("/") + PATH)


def test_it_renders_a_header_the_alert_and_a_fallback_text():
    request = render(message(), config())

    assert request.method == "POST"
    assert request.url == "https://hooks.slack.example/services/T0/B0/${HOOK_TOKEN}"
    assert request.body["text"].startswith("[Triggered] Payments API is failing\nTriggered: HTTP 503")
    header, context, section = request.body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "[Triggered] Payments API is failing"}}
    assert context["elements"][0]["text"] == "*Page* · team `pay` · 1 alert"
    assert section["text"]["text"].splitlines() == [
        "*Triggered*: HTTP 503 from /health (attempt 1)",
        "_Payments API (pay-api)_",
        "Since 2026-11-26 12:00 UTC",
        "<https://runbooks.example/pay-api|Runbook> · <https://watchkeeper.example/alerts/1|Open in Watchkeeper>",
    ]


def test_it_escapes_slack_markup_in_what_alerts_say():
    request = render(message(alert(summary="a <b> & <!channel>")), config())

    assert "a &lt;b&gt; &amp; &lt;!channel&gt;" in request.body["blocks"][2]["text"]["text"]
    assert "<!channel>" not in request.body["text"]


def test_a_storm_lists_twenty_alerts_and_counts_the_rest():
    request = render(message(*(alert(n) for n in range(1, 31))), config())

    assert len(request.body["blocks"]) == 2 + 20 + 1
    assert request.body["blocks"][-1]["elements"][0]["text"] == "… and 10 more alerts"
    assert request.body["text"].endswith("… and 25 more alerts")


def test_a_long_title_is_cut_to_slacks_header_limit():
    request = render(message(title="x" * 400), config())

    assert len(request.body["blocks"][0]["text"]["text"]) == 150


def test_it_posts_to_the_webhook_and_slack_says_ok(receiver: Receiver):
    outcome = render_and_deliver("slack", config(receiver))

    [sent] = receiver.requests
    assert (sent.method, sent.path) == ("POST", SENT_PATH)
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.json()["blocks"][0]["type"] == "header"
    assert (outcome.kind, outcome.status_code, outcome.detail) == ("sent", 200, "HTTP 200 ok")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(500, "rollup_error"), "retry"),
        (Answer(503, "service unavailable"), "retry"),
        (Answer(429, "rate_limited", {"Retry-After": "30"}), "retry"),
        (Answer(400, "invalid_blocks"), "failed"),
        (Answer(403, "action_prohibited"), "failed"),
        (Answer(404, "no_service"), "failed"),
        (Answer(410, "channel_is_archived"), "failed"),
    ],
)
def test_slacks_errors_are_transient_or_permanent(receiver: Receiver, answer: Answer, kind: str):
    receiver.answer(SENT_PATH, answer)

    outcome = render_and_deliver("slack", config(receiver))

    assert (outcome.kind, outcome.status_code) == (kind, answer.status)
    assert answer.text in outcome.detail


def test_a_429_passes_on_how_long_slack_asked_to_wait(receiver: Receiver):
    receiver.answer(SENT_PATH, Answer(429, "rate_limited", {"Retry-After": "30"}))

    outcome = render_and_deliver("slack", config(receiver))

    assert outcome.retry_after == 30.0


def test_a_missing_secret_fails_for_good_naming_it():
    outcome = render_and_deliver("slack", config(), secret=lambda text: _unset(text))

    assert outcome.kind == "failed"
    assert "HOOK_TOKEN" in outcome.detail


def _unset(text: str) -> str:
    from watchkeeper.catalog.secrets import resolve

    return resolve(text, {})


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    receiver.answer(SENT_PATH, Answer(400, echo=True))

    request = render(message(), config(receiver))
    outcome = render_and_deliver("slack", config(receiver))

    assert receiver.requests[0].path == SENT_PATH  # the secret was sent where it belongs
    assert SECRETS["HOOK_TOKEN"] not in repr(request)
    assert SECRETS["HOOK_TOKEN"] not in outcome.detail
    assert "[redacted]" in outcome.detail
    assert SECRETS["HOOK_TOKEN"] not in caplog.text


def test_a_secret_with_special_characters_is_hidden_in_the_form_the_url_gave_it(receiver: Receiver):
    special = "tok en/ä+1"
    receiver.answer("/services/tok en/ä+1", Answer(400, echo=True))  # the path as the server decodes it
    chosen = SlackChannel(id="s", type="slack", webhook_url=receiver.url("/services/${ODD_TOKEN}"))

    outcome = render_and_deliver("slack", chosen, secret=lambda text: text.replace("${ODD_TOKEN}", special))

    assert outcome.kind == "failed"
    assert "tok%20en" not in outcome.detail
    assert "[redacted]" in outcome.detail
