"""What is wrong with a catalog, and where: every problem carries file, line and, where one helps, a hint."""

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message, "hint": self.hint}


class CatalogInvalid(Exception):
    """The catalog cannot be used; `problems` lists everything found, sorted by file and line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the catalog")

    def report(self) -> str:
        return "\n".join([*(str(p) for p in self.problems), str(self)])


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a mistyped name, or None when nothing is close. Case is ignored when
    comparing (`get` finds `GET`), and the hint gives the candidate as it is spelled."""
    by_folded = {candidate.casefold(): candidate for candidate in sorted(set(candidates))}
    matches = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f"did you mean '{by_folded[matches[0]]}'?" if matches else None
