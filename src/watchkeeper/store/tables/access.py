"""Accounts, their sessions and sign-in links, API tokens, failed sign-ins and the audit log.

Secrets are never kept: a password as its argon2 hash, a session, link or token as its SHA-256. Accounts name
their catalog person by email and their team by id without foreign keys, so that they outlive a catalog reload
that drops either (ADR 0038)."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from watchkeeper.store.tables.base import Json, UTCDateTime, metadata

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),  # lower case
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),  # platform-admin, team-admin, team-member or viewer
    Column("team_id", String(63)),  # the team of a team role
    Column("password_hash", Text),  # argon2id; none for single sign-on only
    Column("oidc_issuer", Text),
    Column("oidc_subject", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("disabled_at", UTCDateTime),
)
Index("uq_accounts_oidc_identity", accounts.c.oidc_issuer, accounts.c.oidc_subject, unique=True)

sessions = Table(
    "sessions",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("method", String(16), nullable=False),  # password, oidc, link or demo
)

sign_in_links = Table(
    "sign_in_links",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("hint", String(8), nullable=False),  # the token's last four characters
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE")),  # a personal token
    Column("team_id", String(63)),  # a team token
    Column("scopes", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoked_by", Text),
    Column("used_at", UTCDateTime),
)

# Failed sign-ins, by account email and by client address, for rate limits and lockout; pruned as they age.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False),  # email:ADDRESS or client:IP
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_sign_in_failures_key_at", sign_in_failures.c.key, sign_in_failures.c.at)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("account_id", Integer),
    Column("token_id", Integer),
    Column("via", String(16), nullable=False),  # console, api, cli, link, engine
    Column("action", String(80), nullable=False),  # such as silence.create
    Column("object_kind", String(40), nullable=False),
    Column("object_id", String(200), nullable=False),
    Column("team_id", String(63), index=True),
    Column("before", Json),
    Column("after", Json),
)
Index("ix_audit_events_object", audit_events.c.object_kind, audit_events.c.object_id)
