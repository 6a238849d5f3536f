"""Resolve every reference between catalog objects, and report duplicates and dependency cycles.

Ids are unique per kind across the whole catalog (teams, people, channels, schedules, checks ...), so a
reference such as `person:ellis` or `schedule:re-primary` means the same thing in every file.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from watchkeeper.catalog.organisation import DataSource
from watchkeeper.catalog.problems import Problem, closest
from watchkeeper.catalog.services import Platform, Service
from watchkeeper.catalog.status_pages import StatusPage
from watchkeeper.catalog.teams import Team
from watchkeeper.catalog.yamlsource import Document, Path_

T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    """A validated item and where it was written."""

    value: T
    doc: Document
    path: Path_

    def line(self, *rest: str | int) -> int:
        return self.doc.line_of(self.path + rest)


Broken = Sequence[tuple[str, str, Document, Path_]]
"""(kind, id, document, path) of items that failed validation: their ids still count as defined."""


class References:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._defined: dict[str, dict[str, tuple[str, int]]] = {}
        self.platform_teams: dict[str, bool] = {}

    def index(self, kind: str) -> dict[str, tuple[str, int]]:
        return self._defined.setdefault(kind, {})

    def define(self, kind: str, item_id: str, doc: Document, path: Path_) -> None:
        index = self.index(kind)
        line = doc.line_of((*path, "id"))
        if item_id in index:
            first_file, first_line = index[item_id]
            hint = f"also defined at {first_file}:{first_line}"
            self.problems.append(Problem(doc.file, line, f"duplicate {kind} id '{item_id}'", hint))
        else:
            index[item_id] = (doc.file, line)

    def require(self, kind: str, item_id: str, doc: Document, path: Path_, context: str = "") -> bool:
        index = self.index(kind)
        if item_id in index:
            return True
        hint = closest(item_id, index)
        where = f"{context}: " if context else ""
        self.problems.append(Problem(doc.file, doc.line_of(path), f"{where}unknown {kind} '{item_id}'", hint))
        return False


def resolve(
    teams: Sequence[Located[Team]],
    platforms: Sequence[Located[Platform]],
    services: Sequence[Located[Service]],
    data_sources: Sequence[Located[DataSource]],
    status_pages: Sequence[Located[StatusPage]],
    broken: Broken,
) -> list[Problem]:
    refs = References()
    definitions = [*_definitions(teams, platforms, services, data_sources, status_pages), *broken]
    # In file order, so that "duplicate" is said of the later one whichever of the two failed validation.
    definitions.sort(key=lambda d: (d[2].file, d[2].line_of((*d[3], "id"))))
    for kind, item_id, doc, path in definitions:
        refs.define(kind, item_id, doc, path)
    for team in teams:
        refs.platform_teams[team.value.id] = team.value.platform_team
    for team in teams:
        _team_references(refs, team)
    for platform in platforms:
        _platform_references(refs, platform)
    for service in services:
        _service_references(refs, service)
    for page in status_pages:
        for g, group in enumerate(page.value.components):
            for i, item in enumerate(group.items):
                at = (*page.path, "components", g, "items", i)
                if item.service:
                    refs.require("service", item.service, page.doc, (*at, "service"))
                if item.platform:
                    refs.require("platform", item.platform, page.doc, (*at, "platform"))
    refs.problems.extend(_cycles("platform", platforms))
    refs.problems.extend(_cycles("service", services))
    return refs.problems


def _definitions(
    teams: Sequence[Located[Team]],
    platforms: Sequence[Located[Platform]],
    services: Sequence[Located[Service]],
    data_sources: Sequence[Located[DataSource]],
    status_pages: Sequence[Located[StatusPage]],
) -> Iterator[tuple[str, str, Document, Path_]]:
    """Every id the catalog defines: (kind, id, document, path of the item)."""
    for kind, items in (("data source", data_sources), ("status page", status_pages)):
        for located in items:
            yield kind, located.value.id, located.doc, located.path
    for team in teams:
        yield "team", team.value.id, team.doc, team.path
        for kind, attribute in (
            ("person", "people"),
            ("channel", "channels"),
            ("schedule", "schedules"),
            ("escalation policy", "escalation_policies"),
            ("integration", "integrations"),
        ):
            for i, item in enumerate(getattr(team.value, attribute)):
                yield kind, item.id, team.doc, (*team.path, attribute, i)
    for kind, subjects in (("platform", platforms), ("service", services)):
        for subject in subjects:
            yield kind, subject.value.id, subject.doc, subject.path
            for i, check in enumerate(subject.value.checks):
                yield "check", check.id, subject.doc, (*subject.path, "checks", i)
            for i, window in enumerate(subject.value.maintenance):
                yield "maintenance window", window.id, subject.doc, (*subject.path, "maintenance", i)
    for service in services:
        for i, level in enumerate(service.value.service_levels):
            yield "service level", level.id, service.doc, (*service.path, "service_levels", i)


def _team_references(refs: References, located: Located[Team]) -> None:
    team, doc, path = located.value, located.doc, located.path
    if team.capacity_managed_by != "self":
        refs.require("team", team.capacity_managed_by, doc, (*path, "capacity_managed_by"))
    for s, schedule in enumerate(team.schedules):
        for l_, layer in enumerate(schedule.layers):
            for r, person in enumerate(layer.rotation):
                refs.require("person", person, doc, (*path, "schedules", s, "layers", l_, "rotation", r))
    for p, policy in enumerate(team.escalation_policies):
        for v, level in enumerate(policy.levels):
            _require_targets(refs, level.notify, doc, (*path, "escalation_policies", p, "levels", v, "notify"))
    for r, route in enumerate(team.routes):
        at = (*path, "routes", r)
        if route.escalation_policy:
            refs.require("escalation policy", route.escalation_policy, doc, (*at, "escalation_policy"))
        _require_targets(refs, route.notify, doc, (*at, "notify"))
        services = route.match.service if route.match else None
        for s, service in enumerate([services] if isinstance(services, str) else services or []):
            refs.require(
                "service",
                service,
                doc,
                (*at, "match", "service", *(() if isinstance(services, str) else (s,))),
            )


def _require_targets(refs: References, targets: Iterable[str], doc: Document, path: Path_) -> None:
    for t, target in enumerate(targets):
        kind, _, target_id = target.partition(":")
        refs.require(kind, target_id, doc, (*path, t))


def _platform_references(refs: References, located: Located[Platform]) -> None:
    platform, doc, path = located.value, located.doc, located.path
    refs.require("team", platform.owner, doc, (*path, "owner"), f"owner of platform '{platform.id}'")
    if refs.platform_teams.get(platform.owner) is False:
        refs.problems.append(
            Problem(
                doc.file,
                located.line("owner"),
                f"platform '{platform.id}' is owned by '{platform.owner}', which is not a platform team",
                "platforms belong to the platform team: set platform_team: true on that team",
            )
        )
    for d, dependency in enumerate(platform.depends_on):
        refs.require("platform", dependency, doc, (*path, "depends_on", d))
    refs.problems.extend(_listed_twice(platform.depends_on, doc, (*path, "depends_on"), "depends_on"))


def _service_references(refs: References, located: Located[Service]) -> None:
    service, doc, path = located.value, located.doc, located.path
    refs.require("team", service.owner, doc, (*path, "owner"), f"owner of service '{service.id}'")
    if service.platform:
        refs.require("platform", service.platform, doc, (*path, "platform"))
    for d, dependency in enumerate(service.depends_on):
        refs.require("service", dependency, doc, (*path, "depends_on", d))
    refs.problems.extend(_listed_twice(service.depends_on, doc, (*path, "depends_on"), "depends_on"))
    signal_ids = [signal.id for signal in service.capacity.signals]
    refs.problems.extend(_listed_twice(signal_ids, doc, (*path, "capacity", "signals"), "capacity signal id"))
    for i, level in enumerate(service.service_levels):
        at = (*path, "service_levels", i, "indicator")
        indicator: Any = level.indicator
        if hasattr(indicator, "checks"):
            for c, check in enumerate(indicator.checks):
                refs.require("check", check, doc, (*at, "checks", c))
        else:
            refs.require("data source", indicator.source, doc, (*at, "source"))
    for i, signal in enumerate(service.capacity.signals):
        refs.require("data source", signal.source, doc, (*path, "capacity", "signals", i, "source"))


def _listed_twice(values: Sequence[str], doc: Document, path: Path_, what: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, value in enumerate(values):
        line = doc.line_of((*path, index))
        if value in first:
            problems.append(
                Problem(doc.file, line, f"{what} '{value}' is given twice", f"first on line {first[value]}")
            )
        else:
            first[value] = line
    return problems


def _cycles(kind: str, items: Sequence[Located[Any]]) -> list[Problem]:
    """One problem per cycle found, at the depends_on of the item where the cycle closes.

    A depth-first walk that visits each item once: an edge back to an item still on the walk is a cycle.
    """
    graph = {item.value.id: item for item in items}
    done: set[str] = set()
    problems: list[Problem] = []
    for start in graph:
        if start in done:
            continue
        trail: list[str] = [start]
        on_trail = {start}
        pending: list[Iterator[str]] = [iter(graph[start].value.depends_on)]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                done.add(trail[-1])
                on_trail.discard(trail.pop())
            elif nxt in on_trail:
                chain = " -> ".join([*trail[trail.index(nxt) :], nxt])
                closing = graph[trail[-1]]
                problems.append(
                    Problem(closing.doc.file, closing.line("depends_on"), f"{kind} dependency cycle: {chain}")
                )
            elif nxt in graph and nxt not in done:
                trail.append(nxt)
                on_trail.add(nxt)
                pending.append(iter(graph[nxt].value.depends_on))
    return problems
