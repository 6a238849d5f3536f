"""Calendar feeds: the SHA-256 digest of each schedule's and person's secret feed token, its last characters, and
when and by whom it was issued. The token itself is never stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, delete, insert, select

from watchkeeper.store import tables as t

SubjectKind = Literal["schedule", "person"]
_f = t.calendar_feeds.c


@dataclass(frozen=True)
class FeedRow:
    subject_kind: SubjectKind
    subject_id: str
    hint: str
    issued_at: datetime
    issued_by: str | None


def find_by_digest(connection: Connection, digest: str) -> FeedRow | None:
    query = select(_f.subject_kind, _f.subject_id, _f.hint, _f.issued_at, _f.issued_by).where(_f.digest == digest)
    row = connection.execute(query).first()
    return None if row is None else FeedRow(*row)


def feed(connection: Connection, kind: SubjectKind, subject_id: str) -> FeedRow | None:
    query = select(_f.subject_kind, _f.subject_id, _f.hint, _f.issued_at, _f.issued_by).where(
        _f.subject_kind == kind, _f.subject_id == subject_id
    )
    row = connection.execute(query).first()
    return None if row is None else FeedRow(*row)


def replace_if_unchanged(
    connection: Connection,
    kind: SubjectKind,
    subject_id: str,
    seen: FeedRow | None,
    digest: str,
    hint: str,
    at: datetime,
    by: str | None,
) -> bool:
    """Keeps `digest` as the subject's only feed token, provided its token is still the one `seen` (or it still
    has none): False when another request replaced it since. The old token stops working in the same commit."""
    mine = (_f.subject_kind == kind) & (_f.subject_id == subject_id)
    if seen is not None:
        still = mine & (_f.hint == seen.hint) & (_f.issued_at == seen.issued_at)
        if connection.execute(delete(t.calendar_feeds).where(still)).rowcount != 1:
            return False
    elif connection.execute(select(_f.hint).where(mine)).first() is not None:
        return False
    values = {
        "subject_kind": kind,
        "subject_id": subject_id,
        "digest": digest,
        "hint": hint,
        "issued_at": at,
        "issued_by": by,
    }
    connection.execute(insert(t.calendar_feeds).values(**values))
    return True
