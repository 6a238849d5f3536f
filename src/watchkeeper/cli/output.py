"""Printing for commands: plain text for people, one JSON document with --json for programs."""

import json
from typing import Any, NoReturn

import click


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    """A user's mistake: the message on stderr and a non-zero exit, never a traceback."""
    click.echo(message, err=True)
    raise SystemExit(code)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
