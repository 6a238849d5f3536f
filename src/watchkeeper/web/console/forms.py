"""What the console's forms share: the page for a form refused as sent from another site (web.access), and
reading times and lists typed in."""

from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from watchkeeper.web.access import CrossSiteForm
from watchkeeper.web.console.views import page_context, render


def install_cross_site_page(app: FastAPI) -> None:
    """A person whose post is refused gets a page saying why and where to go back to, not a JSON document."""

    @app.exception_handler(CrossSiteForm)
    async def _cross_site(request: Request, error: CrossSiteForm) -> HTMLResponse:
        back = "/" + request.url.path.strip("/").split("/", 1)[0]  # the page the form belongs to
        values = await page_context(request, came_from=error.came_from, back=back)
        return render(request, "cross_site.html", values, status_code=403)


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
