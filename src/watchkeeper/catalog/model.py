"""The whole catalog as one typed, frozen value."""

import hashlib
import json
from collections.abc import Iterator

from pydantic import Field

from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.catalog.organisation import DataSource, Organisation
from watchkeeper.catalog.services import Platform, Service, Watched
from watchkeeper.catalog.status_pages import StatusPage
from watchkeeper.catalog.teams import Person, Team
from watchkeeper.catalog.types import Model

SECTIONS: dict[str, str] = {
    "organisation": "organisation",
    "data_sources": "data source",
    "platforms": "platform",
    "teams": "team",
    "services": "service",
    "status_pages": "status page",
}
"""The top-level keys a catalog file may have, and what one item of each is called in messages."""


class Catalog(Model):
    organisation: Organisation = Field(default_factory=Organisation)
    data_sources: list[DataSource] = Field(default_factory=list)
    platforms: list[Platform] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    status_pages: list[StatusPage] = Field(default_factory=list)
    secrets: list[str] = Field(default_factory=list, description="environment variables the catalog names")

    def digest(self) -> str:
        """A fingerprint of the content, so an unchanged reload can be recognised and skipped."""
        text = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def people(self) -> Iterator[tuple[Team, Person]]:
        for team in self.teams:
            for person in team.people:
                yield team, person

    def checks(self) -> Iterator[tuple[Watched, CheckConfig]]:
        for subject in (*self.platforms, *self.services):
            for check in subject.checks:
                yield subject, check

    def summary(self) -> dict[str, int]:
        return {
            "teams": len(self.teams),
            "people": sum(1 for _ in self.people()),
            "platforms": len(self.platforms),
            "services": len(self.services),
            "checks": sum(1 for _ in self.checks()),
            "schedules": sum(len(t.schedules) for t in self.teams),
            "escalation_policies": sum(len(t.escalation_policies) for t in self.teams),
            "service_levels": sum(len(s.service_levels) for s in self.services),
            "status_pages": len(self.status_pages),
        }
