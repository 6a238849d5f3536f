"""The read model of a service's or a platform's console page, read in one transaction."""

from dataclasses import dataclass, field
from datetime import datetime

from watchkeeper.domain.state import CheckState
from watchkeeper.services.history import CheckHistory, read_histories
from watchkeeper.store import Database
from watchkeeper.store import subjects as store
from watchkeeper.store.history import StateChangeRow, state_changes
from watchkeeper.store.subjects import CheckRow, Kind, Related, SubjectRow

RECENT_CHANGES = 20


@dataclass(frozen=True)
class CheckOnPage:
    row: CheckRow
    history: CheckHistory

    @property
    def flapping(self) -> bool:
        return CheckState(recent=tuple(flag == "1" for flag in self.row.recent)).flapping


@dataclass(frozen=True)
class SubjectPage:
    subject: SubjectRow
    checks: list[CheckOnPage]
    changes: list[StateChangeRow]
    depends_on: list[Related]
    services_on: list[Related] = field(default_factory=list)
    """For a platform: the services that run on it."""

    def count(self, status: str) -> int:
        return sum(1 for check in self.checks if check.row.status == status and not check.row.paused)


def read_subject_page(db: Database, kind: Kind, subject_id: str, now: datetime) -> SubjectPage | None:
    with db.reading() as connection:
        subject = store.find_subject(connection, kind, subject_id)
        if subject is None:
            return None
        rows = store.checks_with_state(connection, kind, subject_id)
        ids = [row.id for row in rows]
        histories = read_histories(connection, ids, now)
        return SubjectPage(
            subject=subject,
            checks=[CheckOnPage(row, histories[row.id]) for row in rows],
            changes=state_changes(connection, ids, RECENT_CHANGES),
            depends_on=store.depends_on(connection, kind, subject_id),
            services_on=store.services_on(connection, subject_id) if kind == "platform" else [],
        )
