"""`watchkeeper check`: run one check once and print what it found."""

import asyncio
import math
from datetime import timedelta
from pathlib import Path

import click
from pydantic import ValidationError

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.catalog.problems import closest
from watchkeeper.catalog.secrets import SecretMissing
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.domain.durations import parse_duration, readable_duration
from watchkeeper.services.check_once import CannotRun, CheckResult

SHORTEST, LONGEST = timedelta(milliseconds=100), timedelta(minutes=5)
"""The range of --timeout."""


def _timeout(_context: click.Context, _parameter: click.Parameter, value: str) -> timedelta:
    """Bare seconds, as before, or the catalog's duration syntax (`500ms`, `10s`, `1m`)."""
    text = value.strip()
    try:
        length = _seconds(text) if _is_number(text) else parse_duration(text)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if length is None or not SHORTEST <= length <= LONGEST:
        raise click.BadParameter(
            f"{text} is not between {readable_duration(SHORTEST)} and {readable_duration(LONGEST)}"
        )
    return length


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _seconds(text: str) -> timedelta | None:
    """Bare seconds; None for a number no timeout can be (infinity, not-a-number, or too large to count)."""
    seconds = float(text)
    if not math.isfinite(seconds) or abs(seconds) > 10**9:
        return None
    return timedelta(seconds=seconds)


@click.command()
@click.option("--catalog", "catalog_path", type=click.Path(path_type=Path), help="Catalog holding the check.")
@click.option("--id", "check_id", help="The id of the check in the catalog.")
@click.option("--url", help="Check this URL ad hoc instead (passes on a 2xx or 3xx answer).")
@click.option(
    "--timeout",
    metavar="DURATION",
    default="10s",
    callback=_timeout,
    show_default=True,
    help="With --url: seconds (2.5) or a duration as in the catalog (500ms, 10s, 1m), from 0.1 s to 5 min.",
)
@json_option
def check(catalog_path: Path | None, check_id: str | None, url: str | None, timeout: timedelta, as_json: bool) -> None:
    """Run one check once and print its result with the time each phase took.

    Exits 0 when the check passes and 1 when it fails.
    """
    config = _check_from(catalog_path, check_id, url, timeout)
    try:
        result = asyncio.run(_run(config))
    except (SecretMissing, CannotRun) as error:
        fail(str(error))
    if as_json:
        emit_json(result.as_dict())
    else:
        _describe(result)
    raise SystemExit(0 if result.verdict.ok else 1)


async def _run(config: CheckConfig) -> CheckResult:
    from watchkeeper.checks.context import probe_context
    from watchkeeper.services.check_once import run_once
    from watchkeeper.services.clock import SystemClock

    async with probe_context() as context:
        return await run_once(config, context, SystemClock())


def _check_from(catalog_path: Path | None, check_id: str | None, url: str | None, timeout: timedelta) -> CheckConfig:
    if url is not None:
        if catalog_path or check_id:
            fail("give either --url, or --catalog and --id")
        return _ad_hoc(url, timeout)
    if catalog_path is None or check_id is None:
        fail("give --url, or --catalog and --id")
    try:
        catalog = load_catalog(catalog_path, check_secrets=False)
    except CatalogInvalid as invalid:
        fail(invalid.report())
    found = {check.id: check for _, check in catalog.checks()}
    if check_id not in found:
        hint = closest(check_id, found)
        fail(f"no check {check_id!r} in {catalog_path}" + (f" ({hint})" if hint else ""))
    return found[check_id]


def _ad_hoc(url: str, timeout: timedelta) -> CheckConfig:
    from watchkeeper.checks.http.config import HttpCheck

    try:
        return HttpCheck(id="ad-hoc", url=url, timeout=timeout, interval=max(timeout, timedelta(minutes=1)))
    except ValidationError as error:
        fail(f"--url: {error.errors()[0]['msg'].removeprefix('Value error, ')}")


def _describe(result: CheckResult) -> None:
    mark = "UP" if result.verdict.ok else "DOWN"
    click.echo(f"{mark}  {result.check_id} ({result.check_type}): {result.verdict.reason}")
    phases = result.timings.as_dict()
    if phases:
        click.echo("      " + "  ".join(f"{name.replace('_', ' ')} {ms:.1f} ms" for name, ms in phases.items()))
    certificate = result.certificate
    if certificate is not None:
        click.echo(
            f"      certificate for {', '.join(certificate.names) or certificate.subject}, "
            f"expires {certificate.not_after:%Y-%m-%d %H:%M} UTC ({certificate.key_type} {certificate.key_bits})"
        )
