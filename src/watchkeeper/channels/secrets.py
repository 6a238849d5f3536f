"""Secrets as a send step meets them: resolved through the context at the moment of use, and remembered, so
that any text a receiver sent back can be scrubbed of them before it becomes a detail in the delivery log."""

from watchkeeper.catalog.secrets import SecretMissing, find_references
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.logs import REDACTED

__all__ = ["SecretMissing", "Secrets", "missing"]


class Secrets:
    """`secrets(text)` is `text` with its `${NAME}` references resolved; `secrets.scrub(text)` hides every
    value resolved so far."""

    def __init__(self, context: SendContext) -> None:
        self._resolve = context.secret
        self._values: set[str] = set()

    def __call__(self, text: str) -> str:
        for _, name in find_references(text):
            value = self._resolve("${" + name + "}")
            if len(value) >= 4:  # shorter values would hide ordinary words, and guard nothing
                self._values.add(value)
        return self._resolve(text)

    def hide(self, value: str) -> str:
        """Hides a value made from secrets too (credentials encoded for a header), and gives it back."""
        self._values.add(value)
        return value

    def scrub(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


def missing(error: SecretMissing) -> Outcome:
    """A secret the configuration names is not set: no retry can help until someone sets it."""
    return Outcome("failed", str(error))
