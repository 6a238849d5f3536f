"""Inbox: messages kept in Watchkeeper and shown in the console; nothing to configure."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.inbox.render import render
from watchkeeper.channels.inbox.send import send

CHANNEL = ChannelType("inbox", "kept in Watchkeeper and shown in the console", render, send)
