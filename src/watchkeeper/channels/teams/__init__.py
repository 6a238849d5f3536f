"""Microsoft Teams: a Workflows webhook posts each message to a channel as an Adaptive Card."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.teams.render import render
from watchkeeper.channels.teams.send import send

CHANNEL = ChannelType("teams", "a Microsoft Teams channel, through a Workflows webhook", render, send)
