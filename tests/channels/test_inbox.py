"""Inbox: the message handed to the engine's keep_in_inbox, which stores it for the console."""

import logging

import pytest
from channel_sending import message, render_and_deliver

from watchkeeper.catalog.teams import InboxChannel
from watchkeeper.channels import Message
from watchkeeper.channels.inbox.render import render

CONFIG = InboxChannel(id="shop-inbox", type="inbox")


def test_it_renders_a_subject_and_a_plain_body():
    note = render(message(), CONFIG)

    assert note.subject == "[Triggered] Payments API is failing"
    assert note.body.splitlines()[:2] == ["[Triggered] Payments API is failing", "Severity: Page. Team: pay."]
    assert note.message == message()


def test_it_keeps_the_message_through_the_engine():
    kept: list[tuple[Message, str, str]] = []

    outcome = render_and_deliver("inbox", CONFIG, keep_in_inbox=lambda m, s, b: kept.append((m, s, b)))

    [(kept_message, subject, body)] = kept
    assert (kept_message.idempotency_key, subject) == ("5f0c2a9e7b41d3c8", "[Triggered] Payments API is failing")
    assert "Runbook: https://runbooks.example/pay-api" in body
    assert (outcome.kind, outcome.detail) == ("sent", "kept in the inbox")


def test_a_store_that_fails_is_retried():
    def broken(*_: object) -> None:
        raise ConnectionError("database is away")

    assert render_and_deliver("inbox", CONFIG, keep_in_inbox=broken).kind == "retry"


def test_a_process_without_an_inbox_fails_for_good():
    assert render_and_deliver("inbox", CONFIG).kind == "failed"


def test_nothing_secret_is_involved_and_nothing_is_logged(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)

    render_and_deliver("inbox", CONFIG, keep_in_inbox=lambda *_: None)

    assert [r for r in caplog.records if r.name.startswith("watchkeeper")] == []
