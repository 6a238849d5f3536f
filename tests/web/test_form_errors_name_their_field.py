"""A refused form says which field is wrong, the GOV.UK way (WCAG 3.3.1): the error summary links to that
field, and the message stands beside it, tied to the input by aria-describedby; no other field is marked. A
refusal about a row (a silence or window that is gone) links to its list and marks no field."""

import re
from datetime import UTC, datetime

from signed_in import Person, sign_in
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
SECRET_KEY = "web-tests-secret-key-0123456789-abcdefghij"  # the served app's (conftest.py)
SILENCE = {"matchers": "service=pay-api", "duration": "2h", "comment": "deploy"}
WINDOW = {"name": "Upgrade", "kind": "service", "ids": "pay-api", "duration": "1h"}


def _marked(html: str) -> tuple[list[str], list[str]]:
    """The error summary's links, and the ids of the inline error messages."""
    summary = html.split('data-testid="error"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary), re.findall(
        r'<p id="([^"]+)-error" class="govuk-error-message"', html
    )


SILENCE_FAULTS = [
    ({"matchers": "service=~("}, "matchers"),
    ({"duration": "soon"}, "duration"),
    ({"duration": "0"}, "duration"),
    ({"comment": ""}, "comment"),
]
WINDOW_FAULTS = [
    ({"name": ""}, "name"),
    ({"kind": "planet"}, "kind"),
    ({"ids": "no-such-service"}, "ids"),
    ({"ids": ""}, "ids"),
    ({"start": "tomorrow"}, "start"),
    ({"duration": "ages"}, "duration"),
    ({"end": "2020-01-01 00:00", "duration": ""}, "end"),
]


def test_a_refused_silence_marks_the_field_at_fault(loaded):
    for change, field in SILENCE_FAULTS:  # one database for every case: a refusal changes nothing
        response = loaded.client.post("/silences", data=SILENCE | change, headers=SAME_SITE)

        assert response.status_code == 400, change
        assert _marked(response.text) == ([field], [field]), change
        assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', response.text), change


def test_a_refused_window_marks_the_field_at_fault(loaded):
    for change, field in WINDOW_FAULTS:
        response = loaded.client.post("/maintenance", data=WINDOW | change, headers=SAME_SITE)

        assert response.status_code == 400, change
        assert _marked(response.text) == ([field], [field]), change


def test_expiring_a_silence_that_is_gone_points_at_the_list_and_marks_no_field(loaded):
    response = loaded.client.post("/silences/999/expire", headers=SAME_SITE)

    assert response.status_code == 404
    assert _marked(response.text) == (["current"], [])


def test_cancelling_a_window_that_is_gone_points_at_the_list_and_marks_no_field(loaded):
    response = loaded.client.post("/maintenance/999/cancel", headers=SAME_SITE)

    assert response.status_code == 404
    assert _marked(response.text) == (["runtime"], [])


def test_a_refused_report_marks_the_field_at_fault(loaded):
    for query, field in [
        ("from=yesterday&to=2026-11-30", "from"),
        ("team=nobody", "team"),
        ("quarter=2026-Q4&from=2026-11-01", "quarter"),
    ]:
        response = loaded.client.get(f"/reports/on-call?{query}")

        assert response.status_code == 400, query
        assert _marked(response.text) == ([field], [field]), query


def test_acting_on_another_teams_alert_is_summed_up_at_the_top(loaded):
    signal = Signal("trigger", "generic:cards", "generic", Subject("team", "pay"), summary="Card processor errors")
    [received] = receive(loaded.db, [signal], datetime.now(UTC))
    alert_id = received.alert_id
    sign_in(loaded.client, loaded.db, SECRET_KEY, Person("ines.costa@example.gov.uk", "viewer"))  # of notify

    response = loaded.client.post(f"/alerts/{alert_id}/acknowledge", headers=SAME_SITE)

    assert response.status_code == 403
    assert "<title>Error: Alert" in response.text
    assert _marked(response.text) == (["act"], [])
    assert "belongs to team pay" in response.text
