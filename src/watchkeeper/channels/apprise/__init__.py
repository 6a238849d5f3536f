"""Apprise: any of the services the apprise library speaks to, named by an Apprise URL."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.apprise.render import render
from watchkeeper.channels.apprise.send import send

CHANNEL = ChannelType("apprise", "any service Apprise supports, by Apprise URL", render, send)
