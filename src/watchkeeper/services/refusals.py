"""A request refused with the reason: `status` is the HTTP status that fits, for the API and the console."""


class Refused(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class NotFound(Refused):
    status = 404


class Conflict(Refused):
    status = 409


def person_text(value: str, field: str, limit: int) -> str:
    """An author, comment or name: trimmed, not empty, not too long, no control characters."""
    cleaned = value.strip()
    if not cleaned:
        raise Refused(f"{field} is required: say who, or why, in words")
    if len(cleaned) > limit:
        raise Refused(f"{field} is longer than {limit} characters")
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in cleaned):
        raise Refused(f"{field} has control characters")
    if not encodable(cleaned):
        raise Refused(f"{field} has characters that are not text (a lone surrogate)")
    return cleaned


def encodable(text: str) -> bool:
    """Whether text can be stored: JSON may carry a lone surrogate (`"\\ud800"`), which no database takes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
