"""Email: multipart text and HTML over SMTP (aiosmtplib) to a real aiosmtpd server, with SMTP's own answer
deciding whether to retry."""

import base64
import logging
import socket

import pytest
from channel_receivers import Mailbox
from channel_sending import alert, message, render_and_deliver

from watchkeeper.catalog.teams import EmailChannel
from watchkeeper.channels.email.render import render
from watchkeeper.channels.email.send import mime
from watchkeeper.channels.email.smtp import BadSmtpUrl, parse_smtp_url

PASSWORD = "smtp-pass-8d2e"
TO = ["ops@example.gov.uk", "lead@example.gov.uk"]


def config(*to: str) -> EmailChannel:
    return EmailChannel(id="ops-email", type="email", to=list(to or TO))


def test_it_renders_a_subject_text_and_html_for_the_channels_addresses():
    note = render(message(alert(summary="<script>x</script>")), config())

    assert note.to == tuple(TO)
    assert note.subject == "[Triggered] Payments API is failing"
    assert "Triggered: <script>x</script> (Payments API (pay-api))" in note.text
    assert "&lt;script&gt;x&lt;/script&gt;" in note.html
    assert "<script>" not in note.html
    assert '<a href="https://runbooks.example/pay-api">Runbook</a>' in note.html
    assert ("Auto-Submitted", "auto-generated") in note.headers


def test_the_message_is_multipart_text_and_html_from_the_setting():
    built = mime(render(message(), config()), "Watchkeeper <alerts@example.gov.uk>")

    assert built["From"] == "Watchkeeper <alerts@example.gov.uk>"
    assert built["To"] == "ops@example.gov.uk, lead@example.gov.uk"
    assert built["Watchkeeper-Delivery"] == "5f0c2a9e7b41d3c8"
    assert built.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in built.iter_parts()] == ["text/plain", "text/html"]
    assert built["Message-ID"].endswith("@example.gov.uk>")


def test_a_newline_in_a_title_cannot_add_a_header():
    note = render(message(title="down\nBcc: everyone@example.com"), config())

    assert "\n" not in note.subject
    assert mime(note, "a@example.gov.uk")["Bcc"] is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, False, None, None, None)),
        ("smtps://u%40x:p%3Aw@mail.example", ("mail.example", 465, True, None, "u@x", "p:w")),
        ("smtp://mail.example:587?starttls=require", ("mail.example", 587, False, True, None, None)),
        ("smtp://127.0.0.1:2525?starttls=off", ("127.0.0.1", 2525, False, False, None, None)),
    ],
)
def test_smtp_urls_are_read(url: str, expected: tuple[object, ...]):
    server = parse_smtp_url(url)

    assert (server.host, server.port, server.use_tls, server.start_tls, server.username, server.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://h:99999", "smtp://h?starttls=maybe"])
def test_a_bad_smtp_url_is_refused_without_quoting_it(url: str):
    with pytest.raises(BadSmtpUrl) as raised:
        parse_smtp_url(url.replace("h", "user:hunter22@h", 1) if "h:" in url else url)

    assert "hunter22" not in str(raised.value)


def test_it_sends_to_a_real_smtp_server_with_a_login(mailbox: tuple[Mailbox, int]):
    box, port = mailbox

    outcome = render_and_deliver(
        "email", config(), smtp_url=f"smtp://alerts:{PASSWORD}@127.0.0.1:{port}", email_from="wk@example.gov.uk"
    )

    [(sender, recipients, received)] = box.messages
    assert (sender, recipients) == ("wk@example.gov.uk", TO)
    assert received["Subject"] == "[Triggered] Payments API is failing"
    assert "HTTP 503 from /health" in received.get_body(("plain",)).get_content()
    assert "<h1" in received.get_body(("html",)).get_content()
    assert (outcome.kind, outcome.detail) == ("sent", "accepted for 2 of 2 recipients by 127.0.0.1")


def test_it_uses_starttls_when_the_server_offers_it(tls_mailbox: tuple[Mailbox, int]):
    box, port = tls_mailbox

    outcome = render_and_deliver("email", config(), smtp_url=f"smtp://127.0.0.1:{port}")

    assert outcome.kind == "sent"
    assert len(box.messages) == 1  # the server refuses mail before STARTTLS, so TLS was used


def test_a_partly_refused_message_is_sent_and_says_so(mailbox: tuple[Mailbox, int]):
    box, port = mailbox
    box.refuse["lead@example.gov.uk"] = "550 5.1.1 no such user"

    outcome = render_and_deliver("email", config(), smtp_url=f"smtp://127.0.0.1:{port}")

    assert (outcome.kind, outcome.detail) == ("sent", "accepted for 1 of 2 recipients by 127.0.0.1")


@pytest.mark.parametrize(("reply", "kind"), [("550 5.1.1 no such user", "failed"), ("450 4.2.1 try later", "retry")])
def test_smtp_says_whether_a_refusal_is_permanent(mailbox: tuple[Mailbox, int], reply: str, kind: str):
    box, port = mailbox
    box.refuse["ops@example.gov.uk"] = reply

    outcome = render_and_deliver("email", config("ops@example.gov.uk"), smtp_url=f"smtp://127.0.0.1:{port}")

    assert (outcome.kind, outcome.status_code) == (kind, int(reply[:3]))


def test_a_server_that_is_not_there_is_retried():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    outcome = render_and_deliver("email", config(), smtp_url=f"smtp://127.0.0.1:{port}")

    assert (outcome.kind, outcome.detail) == ("retry", "could not connect to the SMTP server")


def test_without_an_smtp_server_email_fails_for_good_saying_which_setting():
    outcome = render_and_deliver("email", config(), smtp_url=None)

    assert (outcome.kind, outcome.detail) == ("failed", "email needs an SMTP server: set WATCHKEEPER_SMTP_URL")


def test_no_password_in_the_outcome_or_the_logs_when_the_login_is_refused(
    mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    _, port = mailbox
    wrong = "wrong-pass-3f0a"

    outcome = render_and_deliver("email", config(), smtp_url=f"smtp://alerts:{wrong}@127.0.0.1:{port}")

    assert (outcome.kind, outcome.status_code) == ("failed", 535)
    for secret in (
        wrong,
        base64.b64encode(wrong.encode()).decode(),
        base64.b64encode(b"\0alerts\0" + wrong.encode()).decode(),
    ):
        assert secret not in outcome.detail
        assert secret not in caplog.text
    assert wrong not in repr(parse_smtp_url(f"smtp://alerts:{wrong}@127.0.0.1:{port}"))
    assert wrong not in repr(render(message(), config()))


def test_the_smtp_setting_refuses_another_scheme_without_quoting_the_password():
    from pydantic import ValidationError

    from watchkeeper.settings import Settings

    with pytest.raises(ValidationError) as raised:
        Settings(smtp_url=f"http://alerts:{PASSWORD}@mail.example")  # type: ignore[arg-type]

    assert "smtp://" in str(raised.value)
    assert PASSWORD not in str(raised.value)


def test_an_empty_smtp_setting_means_no_email_and_the_password_stays_out_of_the_settings_repr():
    from watchkeeper.settings import Settings

    assert Settings(smtp_url="").smtp_url is None  # type: ignore[arg-type]
    assert PASSWORD not in repr(Settings(smtp_url=f"smtp://alerts:{PASSWORD}@mail.example"))  # type: ignore[arg-type]
