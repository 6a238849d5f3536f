"""A PagerDuty export in, catalog teams out: people, schedules and escalation policies, grouped by team.

Everything is read before any id is chosen, so that ids come from names whatever the order of the files and
a re-import gives the same ids. Each person, schedule and policy is checked by its own catalog model before it
is written, so the files load; what the catalog would refuse is reported as a problem with its location.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from watchkeeper.catalog.teams import EscalationPolicy, Person, Schedule
from watchkeeper.importers.fragment import Entry, TeamEntry, literal, one_line, render_teams
from watchkeeper.importers.ids import slug, unique_ids
from watchkeeper.importers.pagerduty.export import Export, Record, Skip, read_export, reference_ids
from watchkeeper.importers.pagerduty.people import PersonDraft, convert_user
from watchkeeper.importers.pagerduty.policies import PolicyDraft, convert_policy
from watchkeeper.importers.pagerduty.schedules import ScheduleDraft, convert_schedule
from watchkeeper.importers.pagerduty.teams import Team, TeamNeeded, place, plan_teams
from watchkeeper.importers.problems import ExportInvalid

Spec = dict[str, Any]
_SECTIONS = (("people", "people"), ("schedules", "schedules"), ("policies", "escalation_policies"))
_PERSON = ("id", "name", "email", "phone", "timezone", "notify")
_LAYER = ("name", "start", "rotation", "turn", "restrict")
_POLICY = ("id", "name", "levels", "repeat")


@dataclass(frozen=True)
class ImportOptions:
    now: datetime
    """Layers that ended before this are left behind; the command passes the current time."""
    team_id: str | None = None
    """The team for whatever belongs to no exported PagerDuty team (everything, without a teams export)."""
    team_name: str | None = None
    source: str = "a PagerDuty export"
    """The export's name, for the files' headers."""


@dataclass(frozen=True)
class Note:
    """Something not carried over, or that a reviewer should know, about one object of the export."""

    location: str
    """The file and the place in its JSON: `users.json: users[3]`."""
    subject: str
    message: str
    team: str | None = None
    """The catalog team it concerns, when it concerns one."""

    def line(self) -> str:
        return one_line(f"{self.location}: {self.subject}: {self.message}")


@dataclass(frozen=True)
class ImportedTeam:
    """A team written, with (catalog id, PagerDuty id) of what is in it."""

    id: str
    name: str
    pagerduty_id: str | None
    file: str
    people: tuple[tuple[str, str], ...]
    schedules: tuple[tuple[str, str], ...]
    escalation_policies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PagerDutyImport:
    yaml: str
    """Every team in one catalog file."""
    files: dict[str, str]
    """One catalog file per team, by file name (`TEAM-ID.yaml`)."""
    teams: list[ImportedTeam]
    skipped: list[Note]
    notes: list[Note]


@dataclass
class _Drafts:
    people: list[PersonDraft] = field(default_factory=list)
    schedules: list[ScheduleDraft] = field(default_factory=list)
    policies: list[PolicyDraft] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    ids: dict[tuple[str, str], str] = field(default_factory=dict)
    """The catalog id of each (kind, PagerDuty id) that is written."""


def import_pagerduty(files: Sequence[tuple[str, Any]], options: ImportOptions) -> PagerDutyImport:
    """Catalog teams for the parsed files (name, JSON). ExportInvalid lists every problem with its file and
    location; TeamNeeded says what belongs to no team when no `team_id` is given."""
    order = [name for name, _ in files]
    export = read_export(files)
    drafts = _convert(export, options.now)
    _raise_problems(export, order)
    _choose_ids(drafts)
    levels = {policy.record.id: _levels(policy, drafts) for policy in drafts.policies}
    drafts.policies = [policy for policy in drafts.policies if levels[policy.record.id]]
    teams, notes = _place(export, drafts, options)
    specs = _specs(drafts, levels)
    _raise_problems(export, order)
    return _result(export, drafts, teams, specs, notes, options)


def _convert(export: Export, now: datetime) -> _Drafts:
    drafts = _Drafts()
    users, schedules = set(export.of("user")), set(export.of("schedule"))
    for record in export.of("user").values():
        person = convert_user(record)
        drafts.people += [person] if person else []
    for record in export.of("schedule").values():
        schedule = convert_schedule(record, users, now)
        drafts.schedules += [schedule] if isinstance(schedule, ScheduleDraft) else []
        drafts.skips += [schedule] if isinstance(schedule, Skip) else []
    for record in export.of("escalation_policy").values():
        policy = convert_policy(record, users, schedules)
        drafts.policies += [policy] if isinstance(policy, PolicyDraft) else []
        drafts.skips += [policy] if isinstance(policy, Skip) else []
    return drafts


def _raise_problems(export: Export, order: list[str]) -> None:
    problems = export.problems()
    if problems:
        raise ExportInvalid(sorted(problems, key=lambda p: (order.index(p.file), _natural(p.location))))


def _natural(location: str) -> list[Any]:
    """`users[10]` after `users[9]`: numbers compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", location)]


def _choose_ids(drafts: _Drafts) -> None:
    for kind, items in (("person", drafts.people), ("schedule", drafts.schedules), ("policy", drafts.policies)):
        records = [item.record for item in items]
        wanted = [(item.base_id, slug(item.record.id, "x")) for item in items]
        drafts.ids.update({(kind, r.id): ident for r, ident in zip(records, unique_ids(wanted), strict=True)})


def _levels(policy: PolicyDraft, drafts: _Drafts) -> list[Spec]:
    """The policy's levels with catalog ids; a schedule left behind is dropped from a level, with a note."""
    levels: list[Spec] = []
    for number, level in enumerate(policy.levels):
        notify = []
        for target in level.targets:
            ident = drafts.ids.get((target.kind, target.pagerduty_id))
            if ident is None:
                policy.notes.append(
                    f"rule {number + 1}: schedule {target.pagerduty_id} is left behind, so the level does not notify it"
                )
            else:
                notify.append(f"{target.kind}:{ident}")
        if not notify:
            policy.notes.append(f"rule {number + 1} notifies nobody the import carries over: the level is left out")
            continue
        levels.append({"after": f"{level.after}m", "notify": notify} if number else {"notify": notify})
    if not levels:
        drafts.skips.append(Skip(policy.record, "none of its rules notifies anyone the import carries over"))
    return levels


def _place(export: Export, drafts: _Drafts, options: ImportOptions) -> tuple[dict[str, Team], list[Note]]:
    pagerduty_teams = export.of("team")
    teams = plan_teams(pagerduty_teams, options.team_id, options.team_name)
    notes: list[Note] = []
    homeless: list[str] = []
    for section, items in _members(drafts):
        for item in items:
            key, others = place(item.teams, pagerduty_teams)
            if key not in teams:
                homeless.append(item.record.label())
                continue
            teams[key].members[section].append(item.record.id)
            if others:
                also = ", ".join(pagerduty_teams[other].label() for other in others)
                notes.append(
                    Note(
                        item.record.where,
                        item.record.label(),
                        f"is also in {also}: it is written in team {teams[key].id}, its first",
                    )
                )
    if homeless:
        raise TeamNeeded(homeless)
    return teams, notes


def _members(drafts: _Drafts) -> list[tuple[str, Sequence[PersonDraft | ScheduleDraft | PolicyDraft]]]:
    return [("people", drafts.people), ("schedules", drafts.schedules), ("policies", drafts.policies)]


def _specs(drafts: _Drafts, levels: dict[str, list[Spec]]) -> dict[tuple[str, str], Spec]:
    """Each object's catalog fields, checked by its model; a refusal is a problem at the object."""
    specs: dict[tuple[str, str], Spec] = {}
    for person in drafts.people:
        spec = _ordered({"id": drafts.ids[("person", person.record.id)], **person.spec}, _PERSON)
        specs[("people", person.record.id)] = _checked(Person, spec, person.record)
    for schedule in drafts.schedules:
        layers = [
            _ordered({**layer.spec, "rotation": [drafts.ids[("person", user)] for user in layer.users]}, _LAYER)
            for layer in schedule.layers
        ]
        spec = {"id": drafts.ids[("schedule", schedule.record.id)], **schedule.spec, "layers": layers}
        specs[("schedules", schedule.record.id)] = _checked(Schedule, spec, schedule.record)
    for policy in drafts.policies:
        spec = {"id": drafts.ids[("policy", policy.record.id)], **policy.spec, "levels": levels[policy.record.id]}
        spec = _ordered(spec, _POLICY)
        specs[("policies", policy.record.id)] = _checked(EscalationPolicy, spec, policy.record)
    return specs


def _ordered(spec: Spec, keys: tuple[str, ...]) -> Spec:
    """The fields in the order people write them (the catalog's examples)."""
    return {key: spec[key] for key in keys if key in spec}


def _checked(model: type[BaseModel], spec: Spec, record: Record) -> Spec:
    try:
        model.model_validate(spec)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        record.fields.problem(None, f"the catalog refuses it: {where}: {first['msg'].removeprefix('Value error, ')}")
    return spec


def _result(
    export: Export,
    drafts: _Drafts,
    teams: dict[str, Team],
    specs: dict[tuple[str, str], Spec],
    placement_notes: list[Note],
    options: ImportOptions,
) -> PagerDutyImport:
    notes = (
        placement_notes + _notes(drafts) + [Note(file, "export", message) for file, message in export.missing_pages()]
    )
    unique = list({team.id: team for team in teams.values()}.values())  # --team-id may name an imported team
    written = [team for team in unique if _has_members(team)]
    skipped = _skipped(export, drafts, teams)
    skipped += [
        Note(
            team.record.where,
            team.record.label(),
            "has no people, schedules or escalation policies in the export: not written",
            team.id,
        )
        for team in unique
        if team.record is not None and not _has_members(team)
    ]
    comments = _comments(drafts)
    entries = {team.id: _team_entry(team, specs, comments) for team in written}
    files = {
        f"{team.id}.yaml": render_teams([entries[team.id]], _header(options, [team], _concerning(skipped, team)))
        for team in written
    }
    combined = render_teams(list(entries.values()), _header(options, written, skipped))
    return PagerDutyImport(combined, files, [_imported(team, drafts.ids) for team in written], skipped, notes)


def _has_members(team: Team) -> bool:
    return any(team.members.values())


def _concerning(skipped: list[Note], team: Team) -> list[Note]:
    """What was left behind of this team's, and what belongs to no team (a services response, say)."""
    return [note for note in skipped if note.team in (None, team.id)]


def _notes(drafts: _Drafts) -> list[Note]:
    return [
        Note(item.record.where, item.record.label(), note)
        for _, items in _members(drafts)
        for item in items
        for note in item.notes
    ]


def _skipped(export: Export, drafts: _Drafts, teams: dict[str, Team]) -> list[Note]:
    skipped = []
    for skip in drafts.skips:
        key, _ = place([ident for ident, _ in reference_ids(skip.record.fields, "teams")], export.of("team"))
        team = teams[key].id if key in teams else None
        skipped.append(Note(skip.record.where, skip.record.label(), skip.reason, team))
    for left in export.left_behind:
        what = counted(left.count, f"PagerDuty {left.noun}", f"PagerDuty {left.key.replace('_', ' ')}")
        skipped.append(Note(f"{left.file}: {left.location or '(top level)'}", what, left.reason))
    return skipped


def _comments(drafts: _Drafts) -> dict[tuple[str, str], list[str]]:
    return {
        (section, item.record.id): [f"{item.record.label()}, at {item.record.where}"]
        + [f"Note: {note}" for note in item.notes]
        for section, items in _members(drafts)
        for item in items
    }


def _team_entry(
    team: Team, specs: dict[tuple[str, str], Spec], comments: dict[tuple[str, str], list[str]]
) -> TeamEntry:
    spec = {"id": team.id, "name": literal(team.name)}
    sections = [
        (name, [Entry(specs[(section, ident)], comments[(section, ident)]) for ident in team.members[section]])
        for section, name in _SECTIONS
    ]
    comment = [team.record.label()] if team.record else ["What PagerDuty put in no team (--team-id)"]
    return TeamEntry(spec, sections, comment)


def _imported(team: Team, ids: dict[tuple[str, str], str]) -> ImportedTeam:
    def made(section: str, kind: str) -> tuple[tuple[str, str], ...]:
        return tuple((ids[(kind, ident)], ident) for ident in team.members[section])

    return ImportedTeam(
        team.id,
        team.name,
        team.record.id if team.record else None,
        f"{team.id}.yaml",
        made("people", "person"),
        made("schedules", "schedule"),
        made("policies", "policy"),
    )


def counted(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _header(options: ImportOptions, teams: Sequence[Team], skipped: Sequence[Note]) -> list[str]:
    lines = [f"Imported from PagerDuty by `watchkeeper import pagerduty` ({options.source})."]
    for team in teams:
        origin = f"PagerDuty team {team.record.id}" if team.record else "what PagerDuty put in no team"
        lines.append(
            f"Team {team.id} from {origin}: {counted(len(team.members['people']), 'person', 'people')}, "
            f"{counted(len(team.members['schedules']), 'schedule')}, "
            f"{counted(len(team.members['policies']), 'escalation policy', 'escalation policies')}."
        )
    lines += [
        "Not carried over: services, integrations, overrides and push notifications. Add routes to each team so",
        "that its alerts reach its escalation policies. Notes above an entry say what else did not come across.",
    ]
    if skipped:
        lines += ["", "Skipped:"] + [f"  {note.line()}" for note in skipped]
    return lines
