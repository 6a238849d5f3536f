"""Sending over SMTP with aiosmtplib, on the event loop. SMTP says itself whether to retry: 4xx replies are
transient and 5xx permanent; a connection that fails or times out is worth trying again; a login refused is
not."""

import asyncio
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from watchkeeper.catalog.teams import EmailChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.email.render import EmailNote
from watchkeeper.channels.email.smtp import BadSmtpUrl, SmtpServer, parse_smtp_url
from watchkeeper.logs import REDACTED


async def send(note: EmailNote, config: EmailChannel, context: SendContext) -> Outcome:
    if not context.smtp_url:
        return Outcome("failed", "email needs an SMTP server: set WATCHKEEPER_SMTP_URL")
    try:
        server = parse_smtp_url(context.smtp_url)
    except BadSmtpUrl as error:
        return Outcome("failed", str(error))
    message = mime(note, context.email_from)
    client = aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=context.timeout,
    )
    transport: asyncio.BaseTransport | None = None
    try:
        async with client:
            transport = client.transport  # after STARTTLS, the TLS one
            refused, _ = await client.send_message(message)
    except Exception as error:  # each kind is sorted below
        return _scrubbed(failure(error, context.timeout), server)
    finally:
        # After QUIT the close has said all there is to say; a TLS close would otherwise keep the socket open
        # until the server answers it (asyncio waits 30 s), and for ever if the loop ends first.
        abort = getattr(transport, "abort", None)  # uvloop's transports are no asyncio.Transport, but have it
        if abort is not None:
            abort()
    accepted = len(note.to) - len(refused)
    detail = f"accepted for {accepted} of {len(note.to)} recipients by {server.host}"
    return Outcome("sent", detail)


def mime(note: EmailNote, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = note.subject
    message["From"] = sender
    message["To"] = ", ".join(note.to)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "watchkeeper")
    for name, value in note.headers:
        message[name] = value
    message.set_content(note.text)
    message.add_alternative(note.html, subtype="html")
    return message


def failure(error: Exception, timeout: float) -> Outcome:
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return Outcome("failed", f"the SMTP server refused the login ({error.code})", error.code)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in error.recipients]
        transient = any(400 <= code < 500 for code in codes)
        return Outcome("retry" if transient else "failed", f"every recipient was refused ({codes[0]})", codes[0])
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return Outcome(
            "retry" if 400 <= error.code < 500 else "failed",
            f"the SMTP server answered {error.code} {error.message[:120]}",
            error.code,
        )
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return Outcome("retry", f"the SMTP server did not answer within {timeout:g} s")
    if isinstance(error, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected):
        return Outcome("retry", "could not connect to the SMTP server")
    if isinstance(error, ssl.SSLError):
        return Outcome("retry", "TLS with the SMTP server failed (is its certificate trusted?)")
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return Outcome("failed", f"the SMTP server does not support what was asked ({error.message[:120]})")
    if isinstance(error, aiosmtplib.SMTPException | OSError):
        return Outcome("retry", f"SMTP failed ({type(error).__name__})")
    raise error


def _scrubbed(outcome: Outcome, server: SmtpServer) -> Outcome:
    """A server may echo what it was sent; the password never goes into a detail."""
    if server.password and len(server.password) >= 4 and server.password in outcome.detail:
        return Outcome(outcome.kind, outcome.detail.replace(server.password, REDACTED), outcome.status_code)
    return outcome
