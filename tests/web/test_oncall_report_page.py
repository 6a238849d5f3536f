"""The on-call report page over the example catalog before anyone was paged, and over an empty database: every
team with noughts, never a 500 (the figures themselves are tested in tests/oncall/test_oncall_reports.py)."""

import csv
import io
import re


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_team_of_the_catalog_has_a_row_before_any_page(loaded):
    page = loaded.client.get("/reports/on-call")
    rows = list(csv.DictReader(io.StringIO(loaded.client.get("/reports/on-call.csv?kind=teams").text)))

    assert page.status_code == 200
    assert 'aria-current="page"' in page.text.split('href="/reports/on-call"')[1][:80], "the navigation marks it"
    for team in ("GOV.UK Pay", "GOV.UK Notify", "Reliability Engineering"):
        assert f"{team} " in _text(page.text)
    assert 'data-testid="no-people"' in page.text
    assert {row["team"] for row in rows} == {"pay", "notify", "reliability-engineering"}
    assert {row["pages"] for row in rows} == {"0"}
    assert {row["time_to_acknowledge_mean_seconds"] for row in rows} == {""}


def test_a_team_lists_its_people_with_no_pages(loaded):
    page = loaded.client.get("/reports/on-call", params={"team": "reliability-engineering", "quarter": "2026-Q4"})

    assert page.status_code == 200
    assert 'id="person-asha"' in page.text
    assert 'id="person-ellis"' in page.text
    assert 'id="team-pay"' not in page.text
    assert '<option value="reliability-engineering" selected>' in page.text


def test_an_empty_database_says_there_is_no_team(served):
    page = served.client.get("/reports/on-call")

    assert page.status_code == 200
    assert 'data-testid="no-teams"' in page.text
