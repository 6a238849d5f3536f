"""Fixtures for the catalog tests: a private copy of the contract example, and helpers to break it.

Each test copies ../shared/examples/catalog into its own tmp_path and edits the copy, so the example
itself is never changed. Expected lines are found by searching the edited file for the text a test put there.
"""

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from watchkeeper.catalog import Catalog, CatalogInvalid, Problem, load_catalog

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "catalog"
SECRET_REFERENCE = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}")


def secret_names_in(root: Path) -> set[str]:
    """Every `${NAME}` written in the YAML files under `root`, read from the text rather than the loader."""
    return {
        name
        for file in root.rglob("*.yaml")
        for line in file.read_text(encoding="utf-8").splitlines()
        for name in SECRET_REFERENCE.findall(line.split(" #")[0])
    }


@dataclass
class CatalogCopy:
    """A copy of the example catalog that a test may edit, load, and search for lines."""

    root: Path

    def file(self, name: str) -> str:
        """The name the loader uses for `name` in its problems."""
        return str(self.root / name)

    def text(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the one place `old` occurs in `name` with `new` (fails if `old` is missing or repeated)."""
        text = self.text(name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        self.write(name, text.replace(old, new))

    def prepend(self, name: str, text: str) -> None:
        self.write(name, text + self.text(name))

    def line_of(self, name: str, snippet: str) -> int:
        """The line on which the one occurrence of `snippet` starts (leading newlines are skipped)."""
        text = self.text(name)
        assert text.count(snippet) == 1, f"{snippet!r} occurs {text.count(snippet)} times in {name}"
        start = text.index(snippet) + len(snippet) - len(snippet.lstrip("\n"))
        return text[:start].count("\n") + 1

    def load(self, **options: Any) -> Catalog:
        options.setdefault("check_secrets", False)
        return load_catalog(self.root, **options)

    def problems(self, **options: Any) -> list[Problem]:
        """The problems the loader reports; fails the test if the catalog loads."""
        with pytest.raises(CatalogInvalid) as raised:
            self.load(**options)
        return raised.value.problems


@pytest.fixture
def catalog(tmp_path: Path) -> CatalogCopy:
    root = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, root)
    return CatalogCopy(root)


@pytest.fixture
def example_dir() -> Path:
    """The contract example itself: to be read, never written."""
    return EXAMPLE


@pytest.fixture
def example_secret_names() -> set[str]:
    return secret_names_in(EXAMPLE)


@pytest.fixture
def all_secrets() -> dict[str, str]:
    """An environment that sets every secret the example names, each to a value found nowhere else."""
    return {name: f"value-of-{name.lower()}-e3b0c442" for name in secret_names_in(EXAMPLE)}


@pytest.fixture(autouse=True)
def _example_is_not_modified() -> Iterator[None]:
    before = {p: p.read_bytes() for p in EXAMPLE.rglob("*") if p.is_file()}
    yield
    after = {p: p.read_bytes() for p in EXAMPLE.rglob("*") if p.is_file()}
    assert after == before, "a test changed the contract example"
