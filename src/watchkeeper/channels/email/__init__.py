"""Email: each message to the channel's addresses, through the SMTP server in WATCHKEEPER_SMTP_URL."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.email.render import render
from watchkeeper.channels.email.send import send

CHANNEL = ChannelType("email", "email through the SMTP server in WATCHKEEPER_SMTP_URL", render, send)
