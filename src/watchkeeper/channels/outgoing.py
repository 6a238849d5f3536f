"""What a channel's render step returns when the channel speaks HTTP: the request to make, with any `${NAME}`
secret in its URL or headers still unresolved, so that it can be shown, stored and compared safely. Pure."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    body: Any
    """A JSON value, serialised when sent."""
    headers: tuple[tuple[str, str], ...] = ()
