"""Webhook: each message as a JSON POST to `url`, signed with HMAC-SHA256 when the channel has a `secret`."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.webhook.render import render
from watchkeeper.channels.webhook.send import send

CHANNEL = ChannelType("webhook", "a JSON POST to any URL, signed with HMAC-SHA256", render, send)
