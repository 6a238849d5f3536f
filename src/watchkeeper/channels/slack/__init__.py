"""Slack: an incoming webhook posts each message to one channel (`webhook_url`, usually a `${SECRET}`)."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.slack.render import render
from watchkeeper.channels.slack.send import send

CHANNEL = ChannelType("slack", "a Slack channel, through an incoming webhook", render, send)
