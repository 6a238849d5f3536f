"""A PagerDuty user as a person of the catalog: name, email, phone, timezone and personal `notify` rules.

Only high-urgency notification rules by email, SMS and phone call come across, as `{via, after}`; push
notifications and low-urgency rules are named in the report. A person here has one phone for texts and calls:
the number the first SMS or phone rule uses, else the first SMS number, else the first phone number. The
email is the user's login email, where PagerDuty's default email contact method sends too.
"""

import re
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from watchkeeper.importers.fields import Fields
from watchkeeper.importers.fragment import literal
from watchkeeper.importers.ids import slug
from watchkeeper.importers.pagerduty.export import Record, clean_text, reference_ids

VIA = {"email_contact_method": "email", "sms_contact_method": "sms", "phone_contact_method": "phone"}
PUSH = "push_notification_contact_method"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class _Method:
    kind: str
    """The contact method's type without `_reference`: `sms_contact_method`."""
    address: str | None
    phone: str | None
    """The number in E.164 form, for SMS and phone methods whose number is one."""


@dataclass(frozen=True)
class _Rule:
    high: bool
    kind: str
    """The contact method's type: `sms_contact_method`; empty when the export does not say."""
    delay: int
    method: _Method | None

    @property
    def via(self) -> str | None:
        """email, sms or phone; None for a push notification or a method the export does not describe."""
        return VIA.get(self.kind)


@dataclass
class PersonDraft:
    record: Record
    base_id: str
    spec: dict[str, Any]
    """Every field but the id, which is chosen once every person's base id is known."""
    teams: list[str]
    notes: list[str] = field(default_factory=list)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def convert_user(record: Record) -> PersonDraft | None:
    """The person for a user; None when the export is wrong there (the problem is recorded)."""
    fields = record.fields
    before = len(fields.problems)
    name = clean_text(fields, "name", required=True)
    email = clean_text(fields, "email", required=True)
    if email is not None and not _EMAIL.fullmatch(email):
        fields.problem("email", f"{email!r} is not an email address")
    methods = _methods(fields)
    rules = _rules(fields, methods)
    teams = [ident for ident, _ in reference_ids(fields, "teams")]
    zone = fields.text("time_zone")
    if len(fields.problems) > before or name is None or email is None:
        return None
    draft = PersonDraft(
        record, _base_id(name, email, record.id), {"name": literal(name), "email": literal(email)}, teams
    )
    if zone and zone in known_zones():
        draft.spec["timezone"] = zone
    elif zone:
        draft.notes.append(f"time zone {zone!r} is not an IANA zone name, so the person has none")
    _contact(draft, methods, rules, email)
    return draft


def _base_id(name: str, email: str, pagerduty_id: str) -> str:
    return slug(name, "") or slug(email.partition("@")[0], f"user-{slug(pagerduty_id, 'x')}")


def _methods(fields: Fields) -> dict[str, _Method]:
    """The user's contact methods by id; with only references in the export, their kinds alone."""
    found = {}
    for item in fields.objects("contact_methods") or []:
        ident = item.text("id", required=True)
        kind = (item.text("type") or "").removesuffix("_reference")
        address = clean_text(item, "address")
        phone = _e164(item, address) if kind in ("sms_contact_method", "phone_contact_method") else None
        if ident:
            found[ident] = _Method(kind, address, phone)
    return found


def _e164(item: Fields, address: str | None) -> str | None:
    """`country_code` 44 and `address` "7700900101" as +447700900101; an address that starts with + as it is."""
    if not address:
        return None
    digits = re.sub(r"[\s().-]", "", address)
    if not digits.startswith("+"):
        code = item.data.get("country_code")
        code_digits = str(code).lstrip("+") if isinstance(code, int | str) and not isinstance(code, bool) else ""
        digits = f"+{code_digits}{digits}"
    return digits if _E164.fullmatch(digits) else None


def _rules(fields: Fields, methods: dict[str, _Method]) -> list[_Rule]:
    """The notification rules the export describes (a bare reference has no urgency), in the order they fire."""
    rules = []
    for item in fields.objects("notification_rules") or []:
        delay = item.whole("start_delay_in_minutes", low=0)
        urgency = item.text("urgency")
        method = item.nested("contact_method")
        ident = method.text("id") if method else None
        kind = (method.text("type") or "").removesuffix("_reference") if method else ""
        known = methods.get(ident or "")
        if urgency is not None and delay is not None:
            rules.append(_Rule(urgency == "high", known.kind if known else kind, delay, known))
    return sorted(rules, key=lambda rule: rule.delay)


def _contact(draft: PersonDraft, methods: dict[str, _Method], rules: list[_Rule], email: str) -> None:
    for key, detail in (("contact_methods", "address"), ("notification_rules", "urgency")):
        if _references_only(draft.record.fields.data.get(key), detail):
            draft.notes.append(
                f"the export has only references to the {key.replace('_', ' ')}: save GET /users with "
                f"include[]={key} to carry them over"
            )
    phone = _phone(draft, methods, rules)
    if phone:
        draft.spec["phone"] = phone
    notify: list[dict[str, str]] = []
    for rule in (rule for rule in rules if rule.high):
        entry = _notify(draft, rule, phone, email)
        if entry is not None and entry not in notify:
            notify.append(entry)
    if notify:
        draft.spec["notify"] = notify
    _left_out(draft, rules)


def _references_only(value: Any, detail: str) -> bool:
    """A list saved without `include[]`: references (`{"id", "type", "summary"}`) without their details."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and detail not in v for v in value)


def _phone(draft: PersonDraft, methods: dict[str, _Method], rules: list[_Rule]) -> str | None:
    used = [r.method.phone for r in rules if r.high and r.via in ("sms", "phone") and r.method and r.method.phone]
    by_kind = [
        m.phone
        for kind in ("sms_contact_method", "phone_contact_method")
        for m in methods.values()
        if m.kind == kind and m.phone
    ]
    invalid = [
        m.address
        for m in methods.values()
        if m.kind in ("sms_contact_method", "phone_contact_method") and m.address and not m.phone
    ]
    for address in invalid:
        draft.notes.append(f"the number {address!r} is not a full international number, so it is not carried over")
    numbers = used or by_kind
    return numbers[0] if numbers else None


def _notify(draft: PersonDraft, rule: _Rule, phone: str | None, email: str) -> dict[str, str] | None:
    after = f"{rule.delay}m"
    if rule.via is None:
        return None
    if rule.via in ("sms", "phone") and phone is None:
        draft.notes.append(f"the {rule.via} rule after {after} is not carried over: the person has no usable number")
        return None
    if rule.via in ("sms", "phone") and rule.method and rule.method.phone and rule.method.phone != phone:
        draft.notes.append(
            f"the {rule.via} rule after {after} used {rule.method.phone}; a person here has one number, {phone}"
        )
    if rule.via == "email" and rule.method and rule.method.address and rule.method.address != email:
        draft.notes.append(
            f"the email rule after {after} sent to {rule.method.address}; Watchkeeper emails the person's address"
        )
    return {"via": rule.via, "after": after}


def _left_out(draft: PersonDraft, rules: list[_Rule]) -> None:
    push = sum(1 for rule in rules if rule.high and rule.kind == PUSH)
    unknown = sum(1 for rule in rules if rule.high and rule.via is None) - push
    low = sum(1 for rule in rules if not rule.high)
    if push:
        draft.notes.append(f"{_count(push, 'push notification rule')} not carried over: Watchkeeper has no mobile app")
    if unknown:
        draft.notes.append(
            f"{_count(unknown, 'high-urgency rule')} by a contact method the export does not describe not carried over"
        )
    if low:
        draft.notes.append(
            f"{_count(low, 'low-urgency notification rule')} not carried over: the notify rules apply "
            "whenever the person is paged"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'} {'is' if number == 1 else 'are'}"
