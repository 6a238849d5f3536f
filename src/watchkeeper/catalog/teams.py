"""Teams and what each one keeps: people, channels, schedules, escalation policies, routes, integrations."""

from datetime import datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import Discriminator, Field, model_validator

from watchkeeper.catalog.types import (
    ALL_DAYS,
    Duration,
    Email,
    Id,
    LocalDateTime,
    Model,
    Phone,
    Severity,
    Target,
    TimeOfDay,
    Timezone,
    Url,
    Weekday,
)

LONGEST_RULE_WAIT = timedelta(days=1)
LONGEST_ESCALATION_WAIT = timedelta(days=7)
"""Bounds on waits in paging: longer ones help nobody, and unbounded ones overflow the engine's sums."""
EARLIEST_START = datetime(1971, 1, 1)
LATEST_START = datetime(2200, 12, 31)


class NotifyRule(Model):
    via: Literal["email", "sms", "phone"]
    after: Duration

    @model_validator(mode="after")
    def _within_a_day(self) -> "NotifyRule":
        if self.after > LONGEST_RULE_WAIT:
            raise ValueError("a notify rule's after is at most 1d: a page waits no longer than that to reach anyone")
        return self


class Person(Model):
    id: Id
    name: str
    email: Email
    phone: Phone | None = None
    timezone: Timezone | None = None
    notify: list[NotifyRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _phone_for_sms(self) -> "Person":
        for rule in self.notify:
            if rule.via in ("sms", "phone") and self.phone is None:
                raise ValueError(f"notify via {rule.via} needs a phone number for {self.id}")
        return self


class SlackChannel(Model):
    id: Id
    type: Literal["slack"]
    webhook_url: Url


class TeamsChannel(Model):
    id: Id
    type: Literal["teams"]
    webhook_url: Url


class EmailChannel(Model):
    id: Id
    type: Literal["email"]
    to: list[Email] = Field(min_length=1)


class WebhookChannel(Model):
    id: Id
    type: Literal["webhook"]
    url: Url
    secret: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


class PagerDutyChannel(Model):
    id: Id
    type: Literal["pagerduty"]
    routing_key: str
    url: Url | None = None
    """The Events API v2 endpoint: PagerDuty's own by default, `https://events.eu.pagerduty.com/v2/enqueue` for
    an account in the EU service region."""


class ZendeskChannel(Model):
    id: Id
    type: Literal["zendesk"]
    subdomain: str
    email: Email
    api_token: str
    url: Url | None = None
    """The account's address when it is not `https://SUBDOMAIN.zendesk.com` (a host mapped to Zendesk)."""


class NotifyChannel(Model):
    """GOV.UK Notify: email and SMS through the organisation's Notify service."""

    id: Id
    type: Literal["notify"]
    api_key: str
    email_template_id: str | None = None
    sms_template_id: str | None = None
    to: list[str] = Field(default_factory=list)
    base_url: Url | None = None
    """The Notify API's address: `https://api.notifications.service.gov.uk` unless it says otherwise."""

    @model_validator(mode="after")
    def _templates_for_recipients(self) -> "NotifyChannel":
        # An address with an @ is sent an email, anything else a text message; each needs its template.
        if any("@" in to for to in self.to) and self.email_template_id is None:
            raise ValueError("sending email through Notify needs email_template_id")
        if any("@" not in to for to in self.to) and self.sms_template_id is None:
            raise ValueError("sending text messages through Notify needs sms_template_id")
        return self


class AppriseChannel(Model):
    id: Id
    type: Literal["apprise"]
    url: str


class InboxChannel(Model):
    """Kept in Watchkeeper and shown in the console; the demo's channel, and handy for trying routes."""

    id: Id
    type: Literal["inbox"]


Channel = Annotated[
    SlackChannel
    | TeamsChannel
    | EmailChannel
    | WebhookChannel
    | PagerDutyChannel
    | ZendeskChannel
    | NotifyChannel
    | AppriseChannel
    | InboxChannel,
    Discriminator("type"),
]
CHANNEL_TYPES = ("slack", "teams", "email", "webhook", "pagerduty", "zendesk", "notify", "apprise", "inbox")


class Restriction(Model):
    """A layer applies on `days` from `from` to `to` local time; a `to` at or before `from` ends the next day,
    and `to` equal to `from` lasts a whole day (ADR 0031)."""

    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    from_: TimeOfDay = Field(alias="from")
    to: TimeOfDay

    @model_validator(mode="after")
    def _starts_inside_the_day(self) -> "Restriction":
        if self.from_ == time.max:
            raise ValueError('a restriction starts from "00:00" to "23:59"; "24:00" can only end one')
        return self


class Layer(Model):
    name: str | None = None
    start: LocalDateTime
    rotation: list[Id] = Field(min_length=1)
    turn: Duration
    restrict: list[Restriction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _turn_is_positive(self) -> "Layer":
        if self.turn.total_seconds() < 3600:
            raise ValueError("a turn lasts at least an hour, such as 12h, 1d or 1w")
        if self.turn > timedelta(weeks=53):
            raise ValueError("a turn lasts at most 53w")
        if not EARLIEST_START.year <= self.start.year <= LATEST_START.year:
            raise ValueError(
                f"a layer starts between {EARLIEST_START.year} and {LATEST_START.year}: "
                "give the first handover of the rotation"
            )
        return self


class Schedule(Model):
    id: Id
    name: str | None = None
    timezone: Timezone
    layers: list[Layer] = Field(min_length=1)


class EscalationLevel(Model):
    after: Duration | None = Field(
        default=None, description="when this level is paged, counted from the start of the round (the first: at once)"
    )
    notify: list[Target] = Field(min_length=1)


class EscalationPolicy(Model):
    id: Id
    name: str | None = None
    levels: list[EscalationLevel] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=10, description="rounds run again when nobody acknowledges")
    repeat_after: Duration | None = Field(
        default=None,
        description="when a repeated round starts, counted from the start of the round before; by default as long "
        "after the last level as the last level came after the one before it (15 minutes for a single level)",
    )
    ack_timeout: Duration | None = None

    @model_validator(mode="after")
    def _levels_in_order(self) -> "EscalationPolicy":
        # Each level's `after` counts from the start of the round, so they must grow. The first may wait too.
        previous = self.levels[0].after or timedelta(0)
        for number, level in enumerate(self.levels[1:], start=2):
            if level.after is None or level.after <= previous:
                raise ValueError(
                    f"level {number} needs an after later than the level before it "
                    "(each after counts from the start of the round, such as 15m, then 30m)"
                )
            previous = level.after
        if previous > LONGEST_ESCALATION_WAIT:
            raise ValueError("a level's after is at most 7d")
        if self.repeat_after is not None and self.repeat_after <= previous:
            raise ValueError("repeat_after must come after the last level's after")
        if self.repeat_after is not None and self.repeat_after > LONGEST_ESCALATION_WAIT:
            raise ValueError("repeat_after is at most 7d")
        if self.ack_timeout is not None and not timedelta(minutes=1) <= self.ack_timeout <= LONGEST_ESCALATION_WAIT:
            raise ValueError("ack_timeout is at least a minute and at most 7d")
        return self


class RouteMatch(Model):
    severity: Severity | list[Severity] | None = None
    source: str | list[str] | None = None
    service: Id | list[Id] | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    hours: Literal["in", "out"] | None = None


GROUP_LABELS = ("team", "service", "platform", "check", "source", "severity")
"""What `group_by` may name besides an alert's own labels."""


class Route(Model):
    match: RouteMatch | None = None
    escalation_policy: Id | None = None
    notify: list[Target] = Field(default_factory=list)
    group_by: list[str] = Field(default_factory=lambda: ["service"], description="labels an alert group shares")
    group_wait: Duration | None = Field(default=None, description="wait before a new group's first notification")
    group_interval: Duration | None = Field(default=None, description="least time between a group's notifications")
    repeat_interval: Duration | None = Field(default=None, description="reminder while a group's alerts stay open")

    @model_validator(mode="after")
    def _one_destination(self) -> "Route":
        if (self.escalation_policy is None) == (not self.notify):
            raise ValueError("a route gives either escalation_policy or notify, not both or neither")
        return self


class Integration(Model):
    id: Id
    type: Literal["alertmanager", "pagerduty_events_v2", "sentry", "generic"]
    name: str | None = None


class Team(Model):
    id: Id
    name: str
    platform_team: bool = False
    capacity_managed_by: Id = "self"
    people: list[Person] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    integrations: list[Integration] = Field(default_factory=list)
