"""What is wrong with an export, and where: each problem names the place in the JSON, such as checks[3].type."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExportProblem:
    location: str
    """A path into the JSON (`checks[3].type.http.port`); empty for the document as a whole."""
    message: str
    file: str = ""
    """The file the JSON came from, when an import reads several; empty when the caller names the file."""

    def __str__(self) -> str:
        where = f"{self.location or '(top level)'}: {self.message}"
        return f"{self.file}: {where}" if self.file else where


class ExportInvalid(Exception):
    """The export cannot be imported; `problems` lists everything found, in the order of the document."""

    def __init__(self, problems: Sequence[ExportProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the export")
