"""Pages of the catalog in force for the API: teams, platforms, services and checks, each in order of id and
filtered as asked. The catalog is read whole (as the console reads it) and paged in memory."""

from dataclasses import dataclass

from watchkeeper.domain.keyset import Key, Page, page_of
from watchkeeper.services.catalogue import CheckView, SubjectView, TeamView, read_catalogue
from watchkeeper.store import Database


@dataclass(frozen=True)
class SubjectFilter:
    owner: str | None = None
    platform: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class CheckFilter:
    service: str | None = None
    platform: str | None = None
    owner: str | None = None
    type: str | None = None
    severity: str | None = None
    status: str | None = None
    paused: bool | None = None


def team_page(db: Database, platform_team: bool | None, after: Key | None, limit: int) -> Page[TeamView]:
    teams = read_catalogue(db).teams
    chosen = [team for team in teams if platform_team in (None, team.platform_team)]
    return page_of(chosen, lambda team: (team.id,), after, limit)


def subject_page(db: Database, kind: str, given: SubjectFilter, after: Key | None, limit: int) -> Page[SubjectView]:
    catalogue = read_catalogue(db)
    subjects = catalogue.services if kind == "service" else catalogue.platforms
    chosen = [
        subject
        for subject in subjects
        if given.owner in (None, subject.owner_team_id)
        and given.platform in (None, subject.platform_id)
        and given.origin in (None, subject.origin)
    ]
    return page_of(chosen, lambda subject: (subject.id,), after, limit)


def check_page(db: Database, given: CheckFilter, after: Key | None, limit: int) -> Page[CheckView]:
    catalogue = read_catalogue(db)
    owners = {(s.kind, s.id): s.owner_team_id for s in (*catalogue.services, *catalogue.platforms)}
    chosen = [
        check
        for check in catalogue.checks()
        if _subject_matches(check, given)
        and given.owner in (None, owners.get((check.subject_kind, check.subject_id)))
        and given.type in (None, check.type)
        and given.severity in (None, check.severity)
        and given.status in (None, check.status)
        and given.paused in (None, check.paused)
    ]
    return page_of(chosen, lambda check: (check.id,), after, limit)


def find_check(db: Database, check_id: str) -> CheckView | None:
    return next((check for check in read_catalogue(db).checks() if check.id == check_id), None)


def _subject_matches(check: CheckView, given: CheckFilter) -> bool:
    if given.service is not None and (check.subject_kind, check.subject_id) != ("service", given.service):
        return False
    return given.platform is None or (check.subject_kind, check.subject_id) == ("platform", given.platform)
