"""Escalation at runtime: one escalation a paging alert group, the contacts it makes (a person by one of their
ways, or a channel), and the one-click links in pages (ADR 0036)."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from watchkeeper.store.tables.base import Json, UTCDateTime, metadata

escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_key", Text, nullable=False),
    Column("team_id", String(63), nullable=False, index=True),
    Column("policy_id", String(63), nullable=False),
    Column("status", String(12), nullable=False),  # active, acknowledged or ended
    Column("round", Integer, nullable=False),  # 0 for the first run of the levels
    Column("level", Integer, nullable=False),  # the last level paged, from 0
    Column("round_started_at", UTCDateTime, nullable=False),
    Column("next_at", UTCDateTime),  # when the engine next looks: the next level, or the ack timeout
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("version", Integer, nullable=False),  # compare-and-set: each step moves it on by one
)
Index("ix_escalations_status_next_at", escalations.c.status, escalations.c.next_at)
# One live escalation a group; ended ones are history.
Index(
    "uq_escalations_live_group_key",
    escalations.c.group_key,
    unique=True,
    sqlite_where=escalations.c.status != "ended",
    postgresql_where=escalations.c.status != "ended",
)

escalation_contacts = Table(
    "escalation_contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("escalation_id", Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("target", Text, nullable=False),  # as the policy names it: schedule:ID, person:ID or channel:ID
    Column("person_id", String(63)),  # who was paged, for a schedule or person target
    Column("channel_id", String(63)),  # the channel, for a channel target
    Column("via", String(8), nullable=False),  # inbox, email, sms, phone, or channel
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(8), nullable=False),  # pending, sent, or skipped (acknowledged or ended first)
    Column("notification_id", Integer),
    Column("page_link_id", Integer),  # the link its message carries, for a person
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_escalation_contacts_status_due_at", escalation_contacts.c.status, escalation_contacts.c.due_at)

page_links = Table(
    "page_links",
    metadata,
    # The link carries this id and an HMAC of it under the server's key; the token itself is never stored.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("escalation_id", Integer, ForeignKey("escalations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("person_id", String(63)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("used_for", String(12)),  # acknowledge or resolve
)

# The shifts of each schedule people were last told of, over the 14 days ahead: the next pass compares the
# schedule's shifts now (after an override, a swap or a catalog edit) with these, and tells whoever's changed.
schedule_snapshots = Table(
    "schedule_snapshots",
    metadata,
    Column("schedule_id", String(63), primary_key=True),  # no foreign key: a snapshot outlives a catalog reload
    Column("taken_at", UTCDateTime, nullable=False),
    Column("until", UTCDateTime, nullable=False),
    Column("shifts", Json, nullable=False),  # [[person, start ISO, end ISO], ...]
)
