"""What the console's forms share: a same-origin check on every POST, and reading times and lists typed in.

The console has no sign-in yet (issue 6), so a page elsewhere could post a form here from an operator's
browser and silence every alert. Browsers say where a form post comes from (Sec-Fetch-Site, or Origin on
older ones), so a post from another site is refused.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import Request

from watchkeeper.web.problems import Problem


def require_same_origin(request: Request) -> None:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise Problem(403, "Forbidden", "a form from another site cannot change this one")
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise Problem(403, "Forbidden", "a form from another site cannot change this one")


def utc_instant(text: str, field: str) -> datetime | None:
    """`2026-12-01 06:00` (UTC, as the console shows times) or with an offset; None when left empty."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{field}: {cleaned!r} is not a date and time: write it as 2026-12-01 06:00") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def words(text: str) -> list[str]:
    """Ids typed with commas, spaces or new lines between them."""
    return [part for part in text.replace(",", " ").split() if part]
