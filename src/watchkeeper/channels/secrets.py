"""Secrets as a send step meets them: resolved through the context at the moment of use, and remembered, so
that any text a receiver sent back can be scrubbed of them before it becomes a detail in the delivery log."""

from urllib.parse import quote, quote_plus

from watchkeeper.catalog.secrets import SecretMissing, find_references
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.logs import REDACTED

__all__ = ["SecretMissing", "Secrets", "missing"]

_PATH_SAFE = "/!$&'()*+,;=:@~"
"""What URL libraries (yarl among them) leave unencoded in a path, by RFC 3986; and below, in a query."""
_QUERY_SAFE = "/?:@!$'()*,;~"


class Secrets:
    """`secrets(text)` is `text` with its `${NAME}` references resolved; `secrets.scrub(text)` hides every
    value resolved so far."""

    def __init__(self, context: SendContext) -> None:
        self._resolve = context.secret
        self._values: set[str] = set()

    def __call__(self, text: str) -> str:
        for _, name in find_references(text):
            self.hide(self._resolve("${" + name + "}"))
        return self._resolve(text)

    def hide(self, value: str) -> str:
        """Hides a value made from secrets too (credentials encoded for a header), and gives it back. The forms
        a URL gives it are hidden as well, since a receiver quotes back what it got."""
        if len(value) >= 4:  # shorter values would hide ordinary words, and guard nothing
            forms = (quote(value, safe=safe) for safe in ("", "/", _PATH_SAFE, _QUERY_SAFE))
            self._values.update({value, quote_plus(value), *forms})
        return value

    def scrub(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text


def missing(error: SecretMissing) -> Outcome:
    """A secret the configuration names is not set: no retry can help until someone sets it."""
    return Outcome("failed", str(error))
