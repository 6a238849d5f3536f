"""A PagerDuty escalation policy as one of the catalog: levels that notify schedules and people, and a repeat.

PagerDuty's `escalation_delay_in_minutes` is how long a rule waits before the next one; our `after` counts from
the start of the round. So level 0 has no `after`, and level n's is the sum of the delays of rules 0 to n-1.
`num_loops` (repeats after the last rule) is our `repeat`, which is at most 10.
"""

from dataclasses import dataclass, field
from typing import Any

from watchkeeper.importers.fields import Fields
from watchkeeper.importers.fragment import literal
from watchkeeper.importers.ids import slug
from watchkeeper.importers.pagerduty.export import Record, Skip, clean_text, reference_ids

MOST_REPEATS = 10
"""The most `repeat` an escalation policy has in the catalog (catalog/teams.py)."""
_TARGETS = {"user_reference": "person", "user": "person", "schedule_reference": "schedule", "schedule": "schedule"}


@dataclass(frozen=True)
class Target:
    kind: str
    """person or schedule"""
    pagerduty_id: str


@dataclass
class LevelDraft:
    after: int
    """Minutes from the start of the round."""
    targets: list[Target]


@dataclass
class PolicyDraft:
    record: Record
    base_id: str
    spec: dict[str, Any]
    """The policy's fields but its levels, which name ids chosen later."""
    levels: list[LevelDraft]
    teams: list[str]
    notes: list[str] = field(default_factory=list)


def convert_policy(record: Record, users: set[str], schedules: set[str]) -> PolicyDraft | Skip | None:
    """The policy's catalog form; None when the export is wrong there (the problem is recorded)."""
    fields = record.fields
    before = len(fields.problems)
    name = clean_text(fields, "name") or clean_text(fields, "summary")
    loops = fields.whole("num_loops", low=0)
    teams = [ident for ident, _ in reference_ids(fields, "teams")]
    rules = fields.objects("escalation_rules")
    if rules is None and len(fields.problems) == before:
        return Skip(record, f"the export has no escalation rules for it: save GET /escalation_policies/{record.id}")
    levels = _levels(rules or [], users, schedules)
    if rules == []:
        fields.problem("escalation_rules", "an escalation policy needs at least one rule")
    if len(fields.problems) > before or rules is None:
        return None
    fallback = f"policy-{slug(record.id, 'x')}"
    draft = PolicyDraft(record, slug(name, fallback) if name else fallback, {}, levels, teams)
    if name:
        draft.spec["name"] = literal(name)
    _repeat(draft, loops or 0, rules)
    _services(draft)
    return draft


def _levels(rules: list[Fields], users: set[str], schedules: set[str]) -> list[LevelDraft]:
    levels, elapsed = [], 0
    for rule in rules:
        delay = rule.whole("escalation_delay_in_minutes", low=0, required=True)
        levels.append(LevelDraft(elapsed, _targets(rule, users, schedules)))
        elapsed += delay or 0
    return levels


def _targets(rule: Fields, users: set[str], schedules: set[str]) -> list[Target]:
    found: list[Target] = []
    items = rule.objects("targets", required=True) or []
    if not items and "targets" in rule.data:
        rule.problem("targets", "an escalation rule needs at least one target")
    for item in items:
        ident = item.text("id", required=True)
        kind = _TARGETS.get(item.text("type", required=True) or "")
        if ident is None or "type" not in item.data:
            continue
        if kind is None:
            item.problem(
                "type", f"unknown target type {item.data['type']!r}: expected user_reference or schedule_reference"
            )
        elif ident not in (users if kind == "person" else schedules):
            source = "GET /users" if kind == "person" else "GET /schedules/ID for each schedule"
            item.problem("id", f"{'user' if kind == 'person' else kind} {ident} is not in the export: save {source}")
        elif Target(kind, ident) not in found:
            found.append(Target(kind, ident))
    return found


def _repeat(draft: PolicyDraft, loops: int, rules: list[Fields]) -> None:
    if loops > MOST_REPEATS:
        draft.notes.append(f"PagerDuty repeats it {loops} times; {MOST_REPEATS} is the most here")
    if loops:
        draft.spec["repeat"] = min(loops, MOST_REPEATS)
        last = rules[-1].data.get("escalation_delay_in_minutes")
        draft.notes.append(
            f"PagerDuty waits {last} minutes after the last rule before it repeats the rules; check the round's "
            "length here"
        )
    for index, rule in enumerate(rules):
        strategy = rule.nested("escalation_rule_assignment_strategy")
        kind = strategy.text("type") if strategy else None
        if kind == "round_robin":
            draft.notes.append(f"rule {index + 1} assigns round robin; here every target of a level is notified")


def _services(draft: PolicyDraft) -> None:
    services = reference_ids(draft.record.fields, "services")
    if services:
        draft.notes.append(
            f"{len(services)} PagerDuty service{'s use' if len(services) != 1 else ' uses'} it: add routes to the "
            "team that send those alerts to this policy"
        )
