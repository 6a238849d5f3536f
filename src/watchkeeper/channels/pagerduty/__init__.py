"""PagerDuty: each alert forwarded through the Events API v2 (trigger, acknowledge, resolve), for organisations
keeping PagerDuty for paging."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.pagerduty.render import render
from watchkeeper.channels.pagerduty.send import send

CHANNEL = ChannelType("pagerduty", "a PagerDuty service, through the Events API v2", render, send)
