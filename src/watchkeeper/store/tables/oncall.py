"""On-call state made at run time: overrides (and the swaps made of two of them), and the secret calendar feeds.
Schedules and people are catalog objects; these rows name them by id without foreign keys, so that they outlive
a catalog reload that drops one (ADR 0033)."""

from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from watchkeeper.store.tables.base import UTCDateTime, metadata

overrides = Table(
    "overrides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", String(63), nullable=False),
    Column("person_id", String(63), nullable=False),  # who is on call instead
    Column("replaces", String(63)),  # whose turns they take; null: the whole schedule
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("kind", String(8), nullable=False),  # override, cover or swap: how it was made
    Column("swap_with", Integer),  # the other half of a swap, removed with it
    Column("author", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Removed overrides stay as history: they applied until removed_at, never after.
    Column("removed_at", UTCDateTime),
    Column("removed_by", Text),
)
Index("ix_overrides_schedule_id_ends_at", overrides.c.schedule_id, overrides.c.ends_at)

# One secret feed URL per schedule and per person; only the token's SHA-256 is kept, as for integration keys.
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("subject_kind", String(8), nullable=False),  # schedule or person
    Column("subject_id", String(63), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("hint", String(8), nullable=False),  # the token's last four characters
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", Text),
    PrimaryKeyConstraint("subject_kind", "subject_id"),
)
