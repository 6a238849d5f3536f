"""The console's Integrations page: every integration with its endpoint, whether it has a key and who issued it,
never a key."""

import re
from datetime import UTC, datetime

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.integration_keys import rotate


def row_text(html: str, integration_id: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="integration-{integration_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {integration_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_page_lists_integrations_with_endpoints_and_key_hints_but_no_keys(loaded):
    key = rotate(loaded.db, "re-events", datetime(2026, 11, 26, 9, 30, tzinfo=UTC), cli_actor("Asha Patel")).key

    response = loaded.client.get("/integrations")

    assert response.status_code == 200
    html = response.text
    assert key not in html
    assert row_text(html, "re-events") == (
        "re-events PagerDuty Events API v2 reliability-engineering POST http://testserver/v2/enqueue "
        f"key as routing_key Issued ending {key[-4:]} , 2026-11-26 09:30 UTC by Asha Patel Rotate key"
    )
    assert row_text(html, "pay-sentry") == (
        "pay-sentry Sentry pay POST http://testserver/api/v1/integrations/sentry/&lt;key&gt; key in the URL No key "
        "Issue a key"
    )
    assert 'href="/integrations"' in html
