"""A Pingdom export in, a catalog fragment out: services owned by one team, one per check or one per tag.

Every check that comes across is first validated by its check type's own catalog model, so the fragment
loads; a check the catalog refuses is skipped with the catalog's reason, never written half-right.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from watchkeeper.catalog.checks import check_types
from watchkeeper.importers.fragment import Entry, Fragment, ServiceEntry, literal, one_line, render
from watchkeeper.importers.ids import slug, unique_ids
from watchkeeper.importers.pingdom.checks import Converted, Skipped, Spec, convert
from watchkeeper.importers.pingdom.credentials import SecretNeeded
from watchkeeper.importers.pingdom.export import PingdomCheck, read_export
from watchkeeper.importers.problems import ExportInvalid, ExportProblem

GroupBy = Literal["check", "tag"]
_FIRST_KEYS = ("id", "type", "name", "paused", "interval", "timeout", "down_after", "severity")
_ENTRY = re.compile(r"(?:checks)?\[(\d+)\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what the catalog refuses in text


@dataclass(frozen=True)
class ImportOptions:
    team: str
    """The owner of every service made; an id the catalog already has (or will have)."""
    platform: str | None = None
    group_by: GroupBy = "check"
    source: str = "a Pingdom export"
    """The export's name, for the fragment's header."""


@dataclass(frozen=True)
class ImportedCheck:
    pingdom_id: int
    name: str
    service: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class SkippedCheck:
    pingdom_id: int
    name: str
    kind: str
    location: str
    reason: str

    def line(self) -> str:
        return one_line(
            f'Pingdom check {self.pingdom_id} "{self.name}" ({self.kind}) at {self.location}: {self.reason}'
        )


@dataclass(frozen=True)
class Note:
    """Something a reviewer should know about a check that did come across."""

    pingdom_id: int
    name: str
    location: str
    message: str

    def line(self) -> str:
        return one_line(f'Pingdom check {self.pingdom_id} "{self.name}" at {self.location}: {self.message}')


@dataclass(frozen=True)
class PingdomImport:
    yaml: str
    imported: list[ImportedCheck]
    skipped: list[SkippedCheck]
    notes: list[Note]
    secrets: list[SecretNeeded]
    services: int


def import_pingdom(data: Any, options: ImportOptions) -> PingdomImport:
    """The catalog fragment for parsed export `data`; ExportInvalid lists every problem with its location."""
    problems: list[ExportProblem] = []
    outcomes = [convert(check) for check in read_export(data, problems)]
    if problems:
        raise ExportInvalid(sorted(problems, key=_entry))
    kept: list[Converted] = []
    skipped: list[SkippedCheck] = []
    for outcome in outcomes:
        assert outcome is not None  # a None outcome recorded a problem
        refusal = outcome.reason if isinstance(outcome, Skipped) else _refusal(outcome)
        if refusal is None:
            assert isinstance(outcome, Converted)
            kept.append(outcome)
        else:
            source = outcome.source
            skipped.append(SkippedCheck(source.id, source.name, source.kind, source.location, refusal))
    return _result(kept, skipped, options)


def _entry(problem: ExportProblem) -> int:
    """The index of the check a problem is in (-1 for the document), to report in the document's order."""
    found = _ENTRY.match(problem.location)
    return int(found.group(1)) if found else -1


def _refusal(converted: Converted) -> str | None:
    """Why the catalog would refuse one of these checks, or None when it takes them all."""
    for _, spec in converted.specs:
        text = _control_character(spec)
        if text is not None:
            return f"{text} holds a control character (other than a tab or line break), which the catalog cannot hold"
        try:
            check_types()[spec["type"]].config.model_validate({"id": "imported", **spec})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return f"the catalog refuses it: {where}: {first['msg'].removeprefix('Value error, ')}"
    return None


def _control_character(value: Any, path: str = "") -> str | None:
    if isinstance(value, dict):
        return next((p for k, v in value.items() if (p := _control_character(v, f"{path}.{k}".strip(".")))), None)
    if isinstance(value, list):
        return next((p for i, v in enumerate(value) if (p := _control_character(v, f"{path}[{i}]"))), None)
    return path if isinstance(value, str) and _CONTROL.search(value) else None


def _result(kept: list[Converted], skipped: list[SkippedCheck], options: ImportOptions) -> PingdomImport:
    check_ids = _check_ids(kept)
    groups = _groups(kept, options.group_by)
    service_ids = unique_ids([(base, tag) for base, tag, _, _ in groups])
    services: list[ServiceEntry] = []
    imported: list[ImportedCheck] = []
    for service_id, (_, id_tag, title, members) in zip(service_ids, groups, strict=True):
        spec: Spec = {"id": service_id, "name": literal(title), "owner": options.team}
        if options.platform:
            spec["platform"] = options.platform
        entries = [entry for converted in members for entry in _entries(converted, check_ids)]
        services.append(ServiceEntry(spec, entries, [f'Pingdom tag "{title}"'] if id_tag == "tag" else []))
        imported += [_imported(converted, service_id, check_ids) for converted in members]
    notes = [Note(c.source.id, c.source.name, c.source.location, note) for c in kept for note in c.notes]
    secrets = [secret for converted in kept for secret in converted.secrets]
    header = _header(options, imported, skipped, secrets, len(services))
    text = render(Fragment(services, header))
    return PingdomImport(text, imported, skipped, notes, secrets, len(services))


def _imported(converted: Converted, service_id: str, check_ids: dict[tuple[int, str], str]) -> ImportedCheck:
    source = converted.source
    made = tuple(check_ids[(source.id, suffix)] for suffix, _ in converted.specs)
    return ImportedCheck(source.id, source.name, service_id, made)


def _check_ids(kept: Sequence[Converted]) -> dict[tuple[int, str], str]:
    """Each check's id: its Pingdom name as a slug, with a suffix for the extra checks of one Pingdom check."""
    keys = [(c.source.id, suffix) for c in kept for suffix, _ in c.specs]
    wanted = [(_check_base(c.source, suffix), str(c.source.id)) for c in kept for suffix, _ in c.specs]
    return dict(zip(keys, unique_ids(wanted), strict=True))


def _check_base(check: PingdomCheck, suffix: str) -> str:
    base = slug(check.name, f"pingdom-{check.id}")
    return f"{base[: 62 - len(suffix)].rstrip('-')}-{suffix}" if suffix else base


def _groups(kept: Sequence[Converted], group_by: GroupBy) -> list[tuple[str, str, str, list[Converted]]]:
    """(base id, id tag, name, members) per service, in the order the export first names each one."""
    groups: dict[str, tuple[str, str, str, list[Converted]]] = {}
    for converted in kept:
        check = converted.source
        tag = check.tags[0] if group_by == "tag" and check.tags else None
        if tag is None:
            base = slug(check.name, f"pingdom-{check.id}")
            groups[f"check:{check.id}"] = (base, str(check.id), check.name, [converted])
            continue
        key = f"tag:{slug(tag, '') or tag}"  # "Web" and "web" are one service; tags in other scripts stay apart
        if key not in groups:
            unnamed = sum(
                1 for k, group in groups.items() if k.startswith("tag:") and group[0].startswith("pingdom-tag")
            )
            groups[key] = (slug(tag, f"pingdom-tag-{unnamed + 1}"), "tag", tag, [])
        groups[key][3].append(converted)
    return list(groups.values())


def _entries(converted: Converted, check_ids: dict[tuple[int, str], str]) -> list[Entry]:
    check = converted.source
    entries = []
    for suffix, spec in converted.specs:
        ordered = _ordered({"id": check_ids[(check.id, suffix)], **spec})
        if suffix:
            comment = converted.comments.get(suffix, [])
        else:
            every = ordered["interval"]
            comment = [f"{check.describe()}, every {every}{', paused' if check.paused else ''}"]
            comment += [f"Note: {note}" for note in converted.notes]
        entries.append(Entry(ordered, comment))
    return entries


def _ordered(spec: Spec) -> Spec:
    """Common fields first, the type's own next, labels last: the order people write checks in."""
    first = {key: spec[key] for key in _FIRST_KEYS if key in spec}
    rest = {key: value for key, value in spec.items() if key not in first and key != "labels"}
    return {**first, **rest, **({"labels": spec["labels"]} if "labels" in spec else {})}


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _header(
    options: ImportOptions,
    imported: Sequence[ImportedCheck],
    skipped: Sequence[SkippedCheck],
    secrets: Sequence[SecretNeeded],
    services: int,
) -> list[str]:
    checks = sum(len(item.checks) for item in imported)
    lines = [
        f"Imported from Pingdom by `watchkeeper import pingdom` ({options.source}).",
        f"{len(imported)} of {counted(len(imported) + len(skipped), 'Pingdom check')} became "
        f"{counted(checks, 'check')} in {counted(services, 'service')} owned by team {options.team}.",
        "Pingdom's alerting (who was told, how often) is not carried over: the owning team's routes decide.",
    ]
    if secrets:
        lines += ["", "Secrets to set before this file loads (NAME, or NAME_FILE naming a file that holds it):"]
        lines += [f"  {secret.name}: {secret.what}" for secret in secrets]
    if skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {item.line()}" for item in skipped]
    return lines
