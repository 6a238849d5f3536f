"""On-call figures per team and per person: pages, out-of-hours pages, and how long until someone acknowledged
and until the alerts were resolved (ADR 0037). Pure: the facts of each page come in, the figures go out.

- A team's **page** is one of its escalations: one for each alert group it paged. A repeated round is part of
  the same page; an acknowledged alert paged again after `ack_timeout` is a new escalation, so a new page.
- A page is **out of hours** when it started outside the organisation's support hours; bank holidays are out
  of hours, as they are for routes.
- Its **acknowledgement** is the first response on the timeline of any of its alerts while it was live: an
  acknowledgement, or a resolution by hand (from a page link, the console, the API or the CLI, or by a person
  of the catalog). A resolution by the check or the sending tool is no acknowledgement: a page whose alerts
  went away on their own was never answered. **Time to acknowledge** runs from the page's start to it; a page
  nobody acknowledged counts as unacknowledged, never as a time.
- **Time to resolve** runs from the page's start to when the last of its alerts was resolved; a page with an
  alert still open is counted as open.
- **A person's pages** are the pages that sent them something (any way: inbox, email, text). Out of hours,
  for a person, is when the page first reached them. **Their acknowledgements** are the pages whose
  acknowledgement was theirs, and their time to acknowledge runs from when the page first reached them (from
  its start, when they took a page that had not reached them yet).
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from watchkeeper.domain.support_hours import SupportHours, in_hours

ResponseKind = Literal["acknowledged", "resolved"]
_BY_HAND = re.compile(r"(?P<name>.*) \((?P<way>from a page link|console|api|cli)\)")
"""How the page link, the console, the API and `watchkeeper alerts` write who acted."""
ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class Response:
    """An acknowledgement or resolution on the timeline of one of a page's alerts while the page was live."""

    at: datetime
    kind: ResponseKind
    actor: str | None


@dataclass(frozen=True, slots=True)
class Page:
    """One escalation of a team, with what happened to its alerts."""

    id: int
    team_id: str
    started_at: datetime
    alerts: int
    """Alerts of its group that were open while it was live."""
    open_alerts: int
    """Of those, the ones not resolved yet."""
    last_resolved_at: datetime | None
    responses: tuple[Response, ...] = ()
    reached: tuple[tuple[str, datetime], ...] = ()
    """(person id, when the page first sent them something), one a person."""

    @property
    def resolved_at(self) -> datetime | None:
        """When the last of its alerts was resolved; None while one is open."""
        return self.last_resolved_at if self.alerts and not self.open_alerts else None


@dataclass(frozen=True, slots=True)
class Spread:
    """How a set of durations is spread: how many, and their mean, median and 90th percentile."""

    count: int
    mean: timedelta | None
    median: timedelta | None
    p90: timedelta | None


def spread(durations: Iterable[timedelta]) -> Spread:
    """The median of an even number is the mean of the middle two; the 90th percentile is the nearest rank, so
    always a time that happened."""
    ordered = sorted(durations)
    if not ordered:
        return Spread(0, None, None, None)
    count, middle = len(ordered), len(ordered) // 2
    median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Spread(count, sum(ordered, ZERO) / count, median, ordered[max(1, math.ceil(0.9 * count)) - 1])


@dataclass(frozen=True, slots=True)
class Directory:
    """The catalog's people by the words an acknowledgement may name them with: id, email and name, in any
    case. A name two people share names nobody."""

    by_id: Mapping[str, str] = field(default_factory=dict)
    by_email: Mapping[str, str] = field(default_factory=dict)
    by_name: Mapping[str, str] = field(default_factory=dict)

    def find(self, words: str) -> str | None:
        key = words.strip().casefold()
        return self.by_id.get(key) or self.by_email.get(key) or self.by_name.get(key)


def directory(people: Iterable[tuple[str, str, str]]) -> Directory:
    """A directory of (id, name, email) triples."""
    ids: dict[str, str] = {}
    emails: dict[str, str | None] = {}
    names: dict[str, str | None] = {}
    for person_id, name, email in people:
        ids[person_id.casefold()] = person_id
        for table, key in ((emails, email.casefold()), (names, name.strip().casefold())):
            table[key] = person_id if table.get(key, person_id) == person_id else None
    return Directory(
        ids,
        {k: v for k, v in emails.items() if v is not None},
        {k: v for k, v in names.items() if v is not None},
    )


@dataclass(frozen=True, slots=True)
class Attribution:
    person_id: str | None
    by_hand: bool
    from_page_link: bool


def attribute(actor: str | None, people: Directory) -> Attribution:
    """Who a timeline's actor is. A page link writes `ID (from a page link)`; the console, API and CLI write the
    name a person typed and where (`Asha (console)`), and `watchkeeper alerts ack --by NAME` the bare name."""
    if actor is None:
        return Attribution(None, False, False)
    match = _BY_HAND.fullmatch(actor)
    if match is None:
        person_id = people.find(actor)
        return Attribution(person_id, person_id is not None, False)
    return Attribution(people.find(match["name"]), True, match["way"] == "from a page link")


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    at: datetime
    who: Attribution


def acknowledgement(page: Page, people: Directory) -> Acknowledgement | None:
    """The page's first acknowledgement, or resolution by hand; None when nobody answered it."""
    for response in sorted(page.responses, key=lambda r: r.at):
        who = attribute(response.actor, people)
        if response.kind == "acknowledged" or who.by_hand:
            return Acknowledgement(response.at, who)
    return None


@dataclass(frozen=True, slots=True)
class TeamFigures:
    team_id: str
    pages: int
    out_of_hours: int
    acknowledged: int
    to_acknowledge: Spread
    resolved: int
    to_resolve: Spread

    @property
    def unacknowledged(self) -> int:
        return self.pages - self.acknowledged

    @property
    def open(self) -> int:
        return self.pages - self.resolved


def team_figures(
    team_ids: Iterable[str], pages: Sequence[Page], hours: SupportHours, people: Directory
) -> list[TeamFigures]:
    """One row for each of `team_ids` and for any other team with pages, in id order."""
    by_team: dict[str, list[Page]] = {team_id: [] for team_id in team_ids}
    for page in pages:
        by_team.setdefault(page.team_id, []).append(page)
    return [_team(team_id, by_team[team_id], hours, people) for team_id in sorted(by_team)]


def _team(team_id: str, pages: list[Page], hours: SupportHours, people: Directory) -> TeamFigures:
    taken = [(page, acknowledgement(page, people)) for page in pages]
    to_acknowledge = [ack.at - page.started_at for page, ack in taken if ack is not None]
    to_resolve = [max(ZERO, p.resolved_at - p.started_at) for p in pages if p.resolved_at is not None]
    return TeamFigures(
        team_id=team_id,
        pages=len(pages),
        out_of_hours=sum(1 for page in pages if not in_hours(hours, page.started_at)),
        acknowledged=len(to_acknowledge),
        to_acknowledge=spread(to_acknowledge),
        resolved=len(to_resolve),
        to_resolve=spread(to_resolve),
    )


@dataclass(frozen=True, slots=True)
class PersonFigures:
    person_id: str
    pages: int
    out_of_hours: int
    acknowledged: int
    from_page_links: int
    """Of their acknowledgements, those made from the link in a page."""
    to_acknowledge: Spread


@dataclass
class _Tally:
    pages: int = 0
    out_of_hours: int = 0
    from_page_links: int = 0
    to_acknowledge: list[timedelta] = field(default_factory=list)


def person_figures(
    person_ids: Iterable[str], pages: Sequence[Page], hours: SupportHours, people: Directory
) -> list[PersonFigures]:
    """One row for each of `person_ids` and for anyone else a page reached or who acknowledged one, in id
    order."""
    tallies: defaultdict[str, _Tally] = defaultdict(_Tally, {person_id: _Tally() for person_id in person_ids})
    for page in pages:
        reached = dict(page.reached)
        for person_id, at in reached.items():
            tallies[person_id].pages += 1
            tallies[person_id].out_of_hours += not in_hours(hours, at)
        ack = acknowledgement(page, people)
        if ack is None or ack.who.person_id is None:
            continue
        tally = tallies[ack.who.person_id]
        since = reached.get(ack.who.person_id, page.started_at)
        tally.to_acknowledge.append(ack.at - (since if since <= ack.at else page.started_at))
        tally.from_page_links += ack.who.from_page_link
    return [
        PersonFigures(
            person_id,
            t.pages,
            t.out_of_hours,
            len(t.to_acknowledge),
            t.from_page_links,
            spread(t.to_acknowledge),
        )
        for person_id, t in sorted(tallies.items())
    ]
