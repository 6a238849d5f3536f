"""The on-call API over the example catalog: who is on call, a schedule's shifts and gaps, and problem details for
what is wrong."""

from datetime import datetime, timedelta

import pytest


def test_who_is_on_call_for_a_team_at_a_time(loaded):
    response = loaded.client.get(
        "/api/v1/oncall", params={"team": "reliability-engineering", "at": "2026-03-30T16:00Z"}
    )

    assert response.status_code == 200, response.text
    answers = {a["schedule"]: a for a in response.json()["items"]}
    assert set(answers) == {"re-primary", "re-secondary"}
    primary = answers["re-primary"]
    assert primary["person"] == {"id": "dami", "name": "Dami Adeyemi", "email": "dami.adeyemi@example.gov.uk"}
    assert primary["source"] == "weekly"
    assert primary["at"] == "2026-03-30T17:00:00+01:00"
    assert primary["until"] == "2026-03-30T17:30:00+01:00"  # ben's weeknight cover from then
    assert answers["re-secondary"]["person"]["id"] == "ben"


def test_every_schedule_when_no_team_is_given_and_a_time_without_offset_is_utc(loaded):
    with_offset = loaded.client.get("/api/v1/oncall", params={"at": "2026-03-30T16:00:00+00:00"}).json()["items"]
    without = loaded.client.get("/api/v1/oncall", params={"at": "2026-03-30T16:00:00"}).json()["items"]

    assert {a["schedule"] for a in with_offset} == {"notify-on-call", "pay-on-call", "re-primary", "re-secondary"}
    assert without == with_offset


def test_now_is_the_default_time(loaded):
    before = datetime.now().astimezone()
    answers = loaded.client.get("/api/v1/oncall", params={"team": "pay"}).json()["items"]

    assert [a["schedule"] for a in answers] == ["pay-on-call"]
    assert abs(datetime.fromisoformat(answers[0]["at"]) - before) < timedelta(minutes=1)
    assert answers[0]["person"]["id"] in {"fatima", "george", "hana"}


def test_a_schedules_shifts_and_gaps_over_a_range(loaded):
    params = {"from": "2026-03-27T09:30:00Z", "to": "2026-03-31T08:30:00Z"}

    shifts = loaded.client.get("/api/v1/schedules/re-primary/shifts", params=params)
    gaps = loaded.client.get("/api/v1/schedules/re-primary/gaps", params=params)

    assert shifts.status_code == 200, shifts.text
    body = shifts.json()
    assert (body["team"], body["schedule"], body["schedule_name"]) == (
        "reliability-engineering",
        "re-primary",
        "RE primary on call",
    )
    assert (body["from"], body["to"]) == ("2026-03-27T09:30:00Z", "2026-03-31T09:30:00+01:00")
    assert [(s["person"]["id"], s["start"], s["end"], s["layer"], s["source"]) for s in body["shifts"]] == [
        ("dami", "2026-03-27T09:30:00Z", "2026-03-30T17:30:00+01:00", 0, "weekly"),
        ("ben", "2026-03-30T17:30:00+01:00", "2026-03-31T09:30:00+01:00", 1, "weeknight cover"),
    ]
    assert body["gaps"] == []
    assert gaps.json()["gaps"] == []
    assert "shifts" not in gaps.json()


def test_the_gaps_of_the_next_fortnight_by_default(loaded):
    before_the_rota = {"from": "2026-01-01T00:00:00Z"}

    body = loaded.client.get("/api/v1/schedules/pay-on-call/gaps", params=before_the_rota).json()

    assert body["to"] == "2026-01-15T00:00:00Z"
    assert body["gaps"] == [{"start": "2026-01-01T00:00:00Z", "end": "2026-01-07T09:30:00Z"}]


def test_an_unknown_team_or_schedule_is_a_404_problem(loaded):
    team = loaded.client.get("/api/v1/oncall", params={"team": "paye"})
    schedule = loaded.client.get("/api/v1/schedules/re-primry/shifts")

    assert team.status_code == 404
    assert team.headers["content-type"] == "application/problem+json"
    assert "no team 'paye'" in team.json()["detail"]
    assert schedule.status_code == 404
    assert "did you mean 're-primary'?" in schedule.json()["detail"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "2026-02-01T00:00Z", "to": "2026-01-01T00:00Z"}, "must end after it starts"),
        ({"from": "2026-01-01T00:00Z", "to": "2027-06-01T00:00Z"}, "ask for at most 366 days"),
        ({"from": "9999-01-01T00:00Z"}, "between 1971 and 9000"),
        ({"from": "9999-12-31T00:00Z"}, "between 1971 and 9000"),  # no overflow adding the default 14 days
    ],
)
def test_a_bad_range_is_a_400_problem(loaded, params, detail):
    response = loaded.client.get("/api/v1/schedules/re-primary/shifts", params=params)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_a_time_that_does_not_parse_is_a_422_problem_not_a_500(loaded):
    response = loaded.client.get("/api/v1/oncall", params={"at": "next tuesday"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
