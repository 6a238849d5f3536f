"""Leaving PagerDuty: users, schedules, escalation policies and teams saved from the PagerDuty REST API v2,
turned into catalog teams (`watchkeeper import pagerduty`)."""

from watchkeeper.importers.pagerduty.importer import (
    ImportedTeam,
    ImportOptions,
    Note,
    PagerDutyImport,
    import_pagerduty,
)
from watchkeeper.importers.pagerduty.teams import TeamNeeded

__all__ = ["ImportOptions", "ImportedTeam", "Note", "PagerDutyImport", "TeamNeeded", "import_pagerduty"]
