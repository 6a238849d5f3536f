"""Which catalog team each person, schedule and escalation policy goes to, and the teams' ids and names.

PagerDuty lists the teams of each user, schedule and policy on the object itself. With a teams export
(`GET /teams`), an object goes to the first of its teams that the export has; one in several is named in the
report. An object in no exported team goes to the team given with `--team-id`: with no teams export, that is
every object. A `--team-id` that is also an imported team's id adds them to that team.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from watchkeeper.importers.ids import slug, unique_ids
from watchkeeper.importers.pagerduty.export import Record, clean_text

UNTEAMED = ""
"""The key of the `--team-id` team, for objects in no exported PagerDuty team."""


class TeamNeeded(Exception):
    """Something belongs to no PagerDuty team in the export, and no `--team-id` says where it goes."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        shown = ", ".join(self.labels[:3]) + (f" and {len(self.labels) - 3} more" if len(self.labels) > 3 else "")
        super().__init__(f"{shown} belong{'s' if len(self.labels) == 1 else ''} to no PagerDuty team in the export")


@dataclass
class Team:
    id: str
    name: str
    record: Record | None
    """The PagerDuty team; None for the `--team-id` team when it is not also an imported one."""
    members: dict[str, list[str]] = field(default_factory=lambda: {"people": [], "schedules": [], "policies": []})


def plan_teams(teams: Mapping[str, Record], team_id: str | None, team_name: str | None) -> dict[str, Team]:
    """The catalog team for each PagerDuty team id, and for UNTEAMED when `--team-id` is given."""
    names = {
        ident: clean_text(record.fields, "name") or record.fields.data.get("summary") or ident
        for ident, record in teams.items()
    }
    wanted = [(slug(str(names[ident]), f"team-{slug(ident, 'x')}"), slug(ident, "x")) for ident in teams]
    planned = {
        ident: Team(catalog_id, str(names[ident]), record)
        for (ident, record), catalog_id in zip(teams.items(), unique_ids(wanted), strict=True)
    }
    if team_id is not None:
        same = next((team for team in planned.values() if team.id == team_id), None)
        planned[UNTEAMED] = same or Team(team_id, team_name or _title(team_id), None)
    return planned


def place(refs: Sequence[str], teams: Mapping[str, Record]) -> tuple[str, list[str]]:
    """The PagerDuty team (or UNTEAMED) an object with these team references goes to, and its other teams."""
    exported = [ref for ref in refs if ref in teams]
    return (exported[0], exported[1:]) if exported else (UNTEAMED, [])


def _title(team_id: str) -> str:
    """`reliability-engineering` becomes "Reliability Engineering"."""
    return " ".join(word.capitalize() for word in team_id.replace("_", "-").split("-") if word) or team_id
