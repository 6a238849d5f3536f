"""What a user can see is documented: every setting, command and check type appears in the README."""

from pathlib import Path

import click

from watchkeeper.catalog.checks import check_types
from watchkeeper.cli.main import cli
from watchkeeper.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _variable(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else f"WATCHKEEPER_{name.upper()}"


def test_every_setting_is_in_the_readme():
    variables = [_variable(name) for name in Settings.model_fields]

    assert "SENTRY_DSN" in variables
    assert [variable for variable in variables if f"`{variable}`" not in README] == []


def _commands(group: click.Group, prefix: str = "watchkeeper") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.extend(_commands(command, path) if isinstance(command, click.Group) else [path])
    return found


def test_every_command_is_in_the_readme():
    commands = _commands(cli)

    assert "watchkeeper catalog apply" in commands
    assert [c for c in commands if f"`{c}" not in README] == []


def test_every_check_type_is_in_the_readme():
    assert set(check_types()) == {"http", "tcp", "dns", "tls", "heartbeat"}
    assert [name for name in check_types() if f"| `{name}` |" not in README] == []
