"""What the import commands share: catalog ids given as options, and files written whole or not at all."""

import os
from pathlib import Path

import click

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.cli.output import fail


def catalog_id(_context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    """A click callback: the option's value is a catalog id, or the command stops with exit 2."""
    if value is not None and not is_valid_id(value):
        raise click.BadParameter(
            f"{value!r} is not a catalog id: lower-case letters, digits, - and _, at most 63 characters"
        )
    return value


def write_file(output: Path, text: str, force: bool) -> None:
    """Write atomically: a new file is created exclusively, a replaced one swapped in whole."""
    try:
        if not force:
            with output.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return
        temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, output)
    except FileExistsError:
        fail(f"{output} exists: give --force to replace it")
    except OSError as error:
        fail(f"{output}: cannot write: {error.strerror or error}")
