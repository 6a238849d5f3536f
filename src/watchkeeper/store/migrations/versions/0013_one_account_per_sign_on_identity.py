"""One account per single sign-on identity, and people found by their folded email.

- A unique index on accounts (oidc_issuer, oidc_subject): the code finds an account by its identity before
  linking one, and the index makes two sign-ins racing to link one identity to two accounts impossible.
- `people.email_key`, the email folded in Python (`domain.emails`), so that an account finds its catalog person
  alike on SQLite and PostgreSQL, whose `lower()` functions fold differently. Filled here for the catalog in
  force; every catalog load writes it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from watchkeeper.domain.emails import fold

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("uq_accounts_oidc_identity", "accounts", ["oidc_issuer", "oidc_subject"], unique=True)
    op.add_column("people", sa.Column("email_key", sa.Text(), nullable=True))
    op.create_index(op.f("ix_people_email_key"), "people", ["email_key"], unique=False)
    people = sa.table("people", sa.column("id"), sa.column("email"), sa.column("email_key"))
    connection = op.get_bind()
    for person_id, email in connection.execute(sa.select(people.c.id, people.c.email)).all():
        connection.execute(sa.update(people).where(people.c.id == person_id).values(email_key=fold(email)))


def downgrade() -> None:
    op.drop_index(op.f("ix_people_email_key"), table_name="people")
    op.drop_column("people", "email_key")
    op.drop_index("uq_accounts_oidc_identity", table_name="accounts")
