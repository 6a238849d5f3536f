"""`${VAR}` secrets in catalog strings.

The catalog keeps the reference, never the value: what is stored in the database is the `${VAR}` text, and
the value is read from the environment (or from the file named by `VAR_FILE`) only where it is used.
`$${` writes a literal `${`.
"""

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


@dataclass(frozen=True)
class SecretUse:
    name: str
    path: tuple[str | int, ...]


class SecretMissing(LookupError):
    def __init__(self, name: str, reason: str | None = None) -> None:
        super().__init__(reason or f"secret {name} is not set: set {name} or {name}_FILE in the environment")
        self.name = name


def find_references(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every `${...}` in the strings of `data`, with the path where it stands (names not yet checked)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from find_references(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_references(value, (*path, index))
    elif isinstance(data, str):
        for match in _REFERENCE.finditer(data):
            if match.group(1) is not None:
                yield path, match.group(1)
        if re.search(r"(?<!\$)\$\{[^}]*$", data):
            yield path, data[data.rindex("${") :]


def is_valid_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def read_secret(name: str, environ: Mapping[str, str]) -> str:
    """The value of secret `name`: the variable itself, or the contents of the file `NAME_FILE` names."""
    if name in environ:
        return environ[name]
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            reason = f"secret {name}: {name}_FILE names {file_name}, which cannot be read ({error.strerror})"
            raise SecretMissing(name, reason) from None
    raise SecretMissing(name)


def resolve(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every `${VAR}` replaced by its secret's value; for the adapter that uses it, nowhere else."""
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return "${" if name is None else read_secret(name, env)

    return _REFERENCE.sub(substitute, text)
