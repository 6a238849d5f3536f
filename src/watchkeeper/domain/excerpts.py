"""Text a target sent, shortened before it goes into a reason: a reason is read on a page and stored with every
result, and a target can send a megabyte where a person needs the first few words."""

EXCERPT_LENGTH = 60
"""Characters of a target's text quoted in a reason: enough to recognise it, short enough to read in a line."""


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """`text` itself when short; else its first `limit` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """`text` shortened and quoted as Python quotes a string, so spaces and control characters show."""
    return repr(excerpt(text, limit))
