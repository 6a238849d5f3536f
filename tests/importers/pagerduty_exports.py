"""Helpers for the PagerDuty import tests: the fixture export in fixtures/pagerduty (written for these tests from
the REST API v2 shapes, docs/adr/0035), builders for small exports about one field, and loading what an import
wrote through the real catalog loader."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchkeeper.catalog import Catalog, load_catalog
from watchkeeper.importers.pagerduty import ImportOptions, PagerDutyImport, import_pagerduty

EXPORT = Path(__file__).resolve().parent / "fixtures" / "pagerduty"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INTEGRATION_KEY = "c0ffee5e1f0a4b2d9e8f7a6b5c4d3e21"
"""The integration key in the fixture's services response: never written or printed."""

Files = list[tuple[str, Any]]


def fixture_files() -> Files:
    return [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(EXPORT.glob("*.json"))]


def run(files: Files, **options: Any) -> PagerDutyImport:
    return import_pagerduty(files, ImportOptions(**{"now": NOW, "team_id": "platform", **options}))


def load(result: PagerDutyImport, root: Path) -> Catalog:
    """The import's files, one per team, loaded as a catalog directory."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in result.files.items():
        (root / name).write_text(text, encoding="utf-8")
    return load_catalog(root)


def user(ident: str = "PU1", name: str = "Asha Patel", **fields: Any) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + "@example.gov.uk"
    return {"id": ident, "type": "user", "name": name, "email": email, "time_zone": "Europe/London", **fields}


def method(ident: str, kind: str, address: str, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "type": f"{kind}_contact_method", "label": "Mobile", "address": address, **fields}


def notification(method_id: str, kind: str, delay: int, urgency: str = "high") -> dict[str, Any]:
    reference = {"id": method_id, "type": f"{kind}_contact_method_reference"}
    rule = {"type": "assignment_notification_rule", "start_delay_in_minutes": delay, "urgency": urgency}
    return {"id": f"N{method_id}{delay}{urgency}", **rule, "contact_method": reference}


def layer(**fields: Any) -> dict[str, Any]:
    default = {
        "name": "Layer 1",
        "start": "2026-01-07T09:30:00+00:00",
        "end": None,
        "rotation_virtual_start": "2026-01-07T09:30:00+00:00",
        "rotation_turn_length_seconds": 604800,
        "users": [{"user": {"id": "PU1", "type": "user_reference"}}],
        "restrictions": [],
    }
    return {**default, **fields}


def schedule(ident: str = "PS1", *layers: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = {"id": ident, "type": "schedule", "name": f"Schedule {ident}", "time_zone": "Europe/London"}
    return {**data, "schedule_layers": list(layers) or [layer()], **fields}


def rule(delay: int, *targets: str) -> dict[str, Any]:
    """An escalation rule; a target "PS..." is a schedule, any other a user."""
    kinds = ["schedule_reference" if target.startswith("PS") else "user_reference" for target in targets]
    return {
        "escalation_delay_in_minutes": delay,
        "targets": [{"id": target, "type": kind} for target, kind in zip(targets, kinds, strict=True)],
    }


def policy(ident: str = "PE1", *rules: dict[str, Any], **fields: Any) -> dict[str, Any]:
    data = {"id": ident, "type": "escalation_policy", "name": f"Policy {ident}", "num_loops": 0}
    return {**data, "escalation_rules": list(rules) or [rule(30, "PS1")], **fields}


def export(
    users: list[dict[str, Any]] | None = None,
    schedules: list[dict[str, Any]] | None = None,
    policies: list[dict[str, Any]] | None = None,
    teams: list[dict[str, Any]] | None = None,
) -> Files:
    """List responses of each kind, one file each; a user PU1 by default."""
    files: Files = [("users.json", {"users": [user()] if users is None else users})]
    if schedules is not None:
        files.append(("schedules.json", {"schedules": schedules}))
    if policies is not None:
        files.append(("escalation_policies.json", {"escalation_policies": policies}))
    if teams is not None:
        files.append(("teams.json", {"teams": teams}))
    return files
