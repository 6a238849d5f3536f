"""Zendesk: a ticket for each `ticket`-severity alert, opened on trigger, commented on and solved with it."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.zendesk.render import render
from watchkeeper.channels.zendesk.send import send

CHANNEL = ChannelType("zendesk", "Zendesk tickets for ticket-severity alerts", render, send)
