"""GOV.UK Notify: email and text messages through the organisation's Notify service and templates."""

from watchkeeper.channels import ChannelType
from watchkeeper.channels.notify.render import render
from watchkeeper.channels.notify.send import send

CHANNEL = ChannelType("notify", "email and text messages through GOV.UK Notify", render, send)
