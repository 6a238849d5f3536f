"""On-call reports from real escalations: a catalog loaded, alerts triggered, the engine's passes run on a fake
clock, pages acknowledged from their links and by hand, in and out of hours, and every figure of the report
worked out by hand, on both databases (ADR 0037)."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from paging_harness import Paging
from sqlalchemy import select

from signed_in import sign_in
from watchkeeper.domain.access import Principal
from watchkeeper.domain.oncall_reports import Spread
from watchkeeper.services import page_links
from watchkeeper.services.alert_views import act
from watchkeeper.services.audit import Actor
from watchkeeper.services.oncall_report_formats import csv_text
from watchkeeper.services.oncall_reports import OnCallReport, ReportRequest, on_call_report
from watchkeeper.services.page_links import PageLinks
from watchkeeper.services.refusals import Refused
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "oncall-report-tests-secret-key-0123456789-abcdef"
LINKS = PageLinks(KEY, "https://wk.example.org")
MIN = 60  # seconds
CATALOG = """
organisation:
  name: Org
  timezone: Europe/London
  support_hours: {days: [mon, tue, wed, thu, fri], start: "09:30", end: "17:30", bank_holidays: england-and-wales}
teams:
  - id: re
    name: Reliability
    platform_team: true
    people:
      - id: asha
        name: Asha
        email: asha@example.org
        phone: "+447700900101"
        notify:
          - {via: email, after: 0m}
          - {via: sms, after: 5m}
      - {id: ben, name: Ben, email: ben@example.org}
      - {id: chen, name: Chen, email: chen@example.org}
    channels:
      - {id: re-chat, type: inbox}
    schedules:
      - id: re-primary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [asha, ben], turn: 1w}
    escalation_policies:
      - id: re-default
        levels:
          - notify: [schedule:re-primary]
          - after: 15m
            notify: [person:chen]
        repeat: 1
        ack_timeout: 30m
    routes:
      - match: {severity: page}
        escalation_policy: re-default
        group_by: [incident]
        group_wait: 0s
  - id: pay
    name: Payments
    people:
      - {id: dev, name: Dev, email: dev@example.org}
      - {id: eve, name: Eve, email: eve@example.org}
    channels:
      - {id: pay-chat, type: inbox}
    escalation_policies:
      - id: pay-default
        levels:
          - notify: [person:dev]
          - after: 10m
            notify: [person:eve]
    routes:
      - match: {severity: page}
        escalation_policy: pay-default
        group_by: [incident]
        group_wait: 0s
"""


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class Scenario(Paging):
    """The paging harness, with ways to answer its pages as people and tools do."""

    def __init__(self, db: Database, tmp_path: Path, start: datetime) -> None:
        super().__init__(db, tmp_path, CATALOG, start)

    def trigger(self, team: str, incident: str) -> int:
        alert_id = self.signal("trigger", incident, team, {"incident": incident}, f"{incident} is broken")
        assert alert_id is not None
        return alert_id

    def recover(self, team: str, incident: str) -> None:
        """The sending tool resolves the alert, as a check that is UP again does: nobody's hand in it."""
        self.signal("resolve", incident, team, {"incident": incident}, f"{incident} is broken")

    def by_hand(self, alert_id: int, action: str, actor: str) -> None:
        """`Asha (console)` acts as Asha through the console; a bare name through the command line."""
        name, _, way = actor.partition(" (")
        who = Actor(Principal(name=name, platform_admin=True), way.rstrip(")") or "cli")
        act(self.db, alert_id, action, who, self.clock.now())

    def by_link(self, person_id: str, action: page_links.PageAction) -> None:
        """Uses the newest link the person was paged with."""
        p = t.page_links
        with self.db.reading() as connection:
            link_id = connection.execute(
                select(p.c.id).where(p.c.person_id == person_id).order_by(p.c.id.desc()).limit(1)
            ).scalar_one()
        page_links.act(self.db, LINKS, LINKS.token(link_id), action, self.clock.now())


def _quarter_of_pages(db: Database, tmp_path: Path) -> Scenario:
    """Six pages in the last quarter of 2026, each worked out by hand below.

    re (Asha is on call: her weeks of re-primary start on Wednesdays 25 November and 23 December):
      A  Thursday 26 Nov 12:00 UTC, in hours. Asha acknowledges from her page's link at 3 min; resolved by
         hand in the console at 20 min. Time to acknowledge 3 min, to resolve 20 min.
      B  Saturday 28 Nov 03:00, out of hours. Asha (0 min) and Chen (15 min) are paged; Chen acknowledges at
         17 min as `watchkeeper alerts ack --by chen` would; the alert recovers on its own at 40 min.
         Team: 17 min and 40 min. Chen: 2 min from his page.
      C  Friday 25 Dec 10:00, Christmas Day, a bank holiday: out of hours. Nobody answers: Asha at 0, Chen at
         15, Asha again at 30 in the second round; it recovers on its own at 40 min, before Chen's second page.
         Unacknowledged; 40 min to resolve; one page each for Asha and Chen, however many rounds.
    pay:
      P1 Tuesday 1 Dec 20:00, out of hours. Dev at 0, Eve at 10; nobody answers; it is still open.
      P2 Wednesday 2 Dec 10:00. Dev acknowledges in the console as "Dev" at 4 min and resolves through the API
         at 6 min. 4 min and 6 min.
      P3 Thursday 3 Dec 11:00. Dev resolves from his page's link at 2 min without acknowledging first: an
         answer all the same. 2 min and 2 min.
    """
    s = Scenario(db, tmp_path, _utc(2026, 11, 26, 12, 0))
    a = s.trigger("re", "a")
    s.advance(3)
    s.by_link("asha", "acknowledge")
    s.advance(17)
    s.by_hand(a, "resolve", "Asha (console)")
    s.advance(1)

    s.at(_utc(2026, 11, 28, 3, 0))
    b = s.trigger("re", "b")
    s.advance(17)
    s.by_hand(b, "acknowledge", "chen")
    s.advance(23)
    s.recover("re", "b")
    s.advance(1)

    s.at(_utc(2026, 12, 1, 20, 0))
    s.trigger("pay", "p1")
    s.advance(20)

    s.at(_utc(2026, 12, 2, 10, 0))
    p2 = s.trigger("pay", "p2")
    s.advance(4)
    s.by_hand(p2, "acknowledge", "Dev (console)")
    s.advance(2)
    s.by_hand(p2, "resolve", "Dev (api)")
    s.advance(1)

    s.at(_utc(2026, 12, 3, 11, 0))
    s.trigger("pay", "p3")
    s.advance(2)
    s.by_link("dev", "resolve")
    s.advance(1)

    s.at(_utc(2026, 12, 25, 10, 0))
    s.trigger("re", "c")
    s.advance(40)
    s.recover("re", "c")
    s.advance(10)
    return s


def _seconds(spread: Spread) -> tuple[float | None, ...]:
    values = (spread.mean, spread.median, spread.p90)
    return (spread.count, *(None if v is None else v.total_seconds() for v in values))


def _report(s: Scenario, **asked: str) -> OnCallReport:
    return on_call_report(s.db, ReportRequest(**asked), s.clock.now())


def test_the_quarter_per_team(db: Database, tmp_path: Path) -> None:
    s = _quarter_of_pages(db, tmp_path)

    report = _report(s, quarter="2026-Q4")

    teams = {row.figures.team_id: row for row in report.teams}
    assert [row.name for row in report.teams] == ["Payments", "Reliability"]
    pay, re = teams["pay"].figures, teams["re"].figures
    assert (re.pages, re.out_of_hours, re.acknowledged, re.unacknowledged) == (3, 2, 2, 1)
    # Acknowledged after 3 and 17 minutes: mean and median 10, and the 90th percentile is the larger.
    assert _seconds(re.to_acknowledge) == (2, 10 * MIN, 10 * MIN, 17 * MIN)
    # Resolved after 20, 40 and 40 minutes.
    assert (re.resolved, re.open) == (3, 0)
    assert _seconds(re.to_resolve) == (3, (20 + 40 + 40) * MIN / 3, 40 * MIN, 40 * MIN)
    assert (pay.pages, pay.out_of_hours, pay.acknowledged, pay.unacknowledged) == (3, 1, 2, 1)
    assert _seconds(pay.to_acknowledge) == (2, 3 * MIN, 3 * MIN, 4 * MIN)
    assert (pay.resolved, pay.open) == (2, 1)
    assert _seconds(pay.to_resolve) == (2, 4 * MIN, 4 * MIN, 6 * MIN)


def test_the_quarter_per_person(db: Database, tmp_path: Path) -> None:
    s = _quarter_of_pages(db, tmp_path)

    report = _report(s, quarter="2026-Q4")

    people = {row.figures.person_id: row for row in report.people}
    assert [row.name for row in report.people] == ["Asha", "Chen", "Dev", "Eve"], "Ben was never paged"
    asha, chen, dev, eve = (people[p].figures for p in ("asha", "chen", "dev", "eve"))
    # Asha: A, B and C (twice in C, one page); B on a Saturday night and C on Christmas Day.
    assert (asha.pages, asha.out_of_hours, asha.acknowledged, asha.from_page_links) == (3, 2, 1, 1)
    assert _seconds(asha.to_acknowledge) == (1, 3 * MIN, 3 * MIN, 3 * MIN)
    # Chen: B and C, both out of hours; he took B 2 minutes after it reached him at 15.
    assert (chen.pages, chen.out_of_hours, chen.acknowledged, chen.from_page_links) == (2, 2, 1, 0)
    assert _seconds(chen.to_acknowledge) == (1, 2 * MIN, 2 * MIN, 2 * MIN)
    # Dev: P1 (Tuesday 20:00), P2 by his name in the console, P3 resolved from his link.
    assert (dev.pages, dev.out_of_hours, dev.acknowledged, dev.from_page_links) == (3, 1, 2, 1)
    assert _seconds(dev.to_acknowledge) == (2, 3 * MIN, 3 * MIN, 4 * MIN)
    # Eve: only P1, at 20:10.
    assert (eve.pages, eve.out_of_hours, eve.acknowledged) == (1, 1, 0)
    assert eve.to_acknowledge == Spread(0, None, None, None)
    assert (people["asha"].team_id, people["dev"].team_id) == ("re", "pay")


def test_a_team_report_lists_its_people_even_those_never_paged(db: Database, tmp_path: Path) -> None:
    s = _quarter_of_pages(db, tmp_path)

    report = _report(s, team="re", quarter="2026-Q4")

    assert [row.figures.team_id for row in report.teams] == ["re"]
    assert [(row.figures.person_id, row.figures.pages) for row in report.people] == [
        ("asha", 3),
        ("ben", 0),
        ("chen", 2),
    ]


def test_days_and_the_default_period(db: Database, tmp_path: Path) -> None:
    s = _quarter_of_pages(db, tmp_path)  # the clock ends on 25 December

    november = _report(s, first_day="2026-11-01", last_day="2026-11-30")
    december = _report(s, first_day="2026-12-02")  # to today
    default = _report(s)  # the 28 days to today: 28 November to 25 December

    def pages(report: OnCallReport) -> dict[str, int]:
        return {row.figures.team_id: row.figures.pages for row in report.teams}

    assert pages(november) == {"re": 2, "pay": 0}
    assert pages(december) == {"re": 1, "pay": 2}
    assert (default.period.first_day.isoformat(), default.period.last_day.isoformat()) == ("2026-11-28", "2026-12-25")
    assert pages(default) == {"re": 2, "pay": 3}


def test_the_csv_tables_hold_the_same_figures(db: Database, tmp_path: Path) -> None:
    s = _quarter_of_pages(db, tmp_path)
    report = _report(s, quarter="2026-Q4")

    teams = list(csv.DictReader(io.StringIO(csv_text(report, "teams"))))
    people = list(csv.DictReader(io.StringIO(csv_text(report, "people"))))

    re = next(row for row in teams if row["team"] == "re")
    assert (re["from"], re["to"], re["team_name"]) == ("2026-10-01", "2026-12-31", "Reliability")
    assert (re["pages"], re["out_of_hours_pages"], re["acknowledged"], re["unacknowledged"]) == ("3", "2", "2", "1")
    assert (re["time_to_acknowledge_mean_seconds"], re["time_to_acknowledge_mean"]) == ("600", "10 min")
    assert (re["time_to_acknowledge_p90_seconds"], re["time_to_acknowledge_p90"]) == ("1020", "17 min")
    assert (re["time_to_resolve_mean_seconds"], re["time_to_resolve_mean"]) == ("2000", "33 min 20 s")
    assert (re["resolved"], re["open"]) == ("3", "0")
    eve = next(row for row in people if row["person"] == "eve")
    assert (eve["name"], eve["team"], eve["pages"], eve["out_of_hours_pages"]) == ("Eve", "pay", "1", "1")
    assert eve["time_to_acknowledge_median_seconds"] == eve["time_to_acknowledge_median"] == "", "no time, not 0"
    dev = next(row for row in people if row["person"] == "dev")
    assert (dev["acknowledged"], dev["acknowledged_from_page_links"]) == ("2", "1")


def test_an_acknowledgement_that_times_out_pages_again_and_that_is_a_second_page(db: Database, tmp_path: Path) -> None:
    # Thursday 26 Nov 12:00: Asha acknowledges by hand at 2 min; re-default's ack_timeout (30 min) runs out at
    # 32 min and the first level is paged again: a new escalation. She takes it from the new page's link at
    # 35 min and resolves it by hand at 40 min.
    s = Scenario(db, tmp_path, _utc(2026, 11, 26, 12, 0))
    alert = s.trigger("re", "slow")
    s.advance(2)
    s.by_hand(alert, "acknowledge", "asha@example.org")
    s.advance(33)
    s.by_link("asha", "acknowledge")
    s.advance(5)
    s.by_hand(alert, "resolve", "Asha (console)")
    s.advance(1)
    with db.reading() as connection:
        started = list(connection.execute(select(t.escalations.c.started_at).order_by(t.escalations.c.id)).scalars())
    assert [(at - _utc(2026, 11, 26, 12, 0)).total_seconds() / MIN for at in started] == [0, 32]

    report = _report(s, team="re", first_day="2026-11-26", last_day="2026-11-26")

    [re] = [row.figures for row in report.teams]
    assert (re.pages, re.acknowledged, re.resolved) == (2, 2, 2)
    assert _seconds(re.to_acknowledge) == (2, 2.5 * MIN, 2.5 * MIN, 3 * MIN)  # 2 min, then 3 after 32
    assert _seconds(re.to_resolve) == (2, 24 * MIN, 24 * MIN, 40 * MIN)  # 40 min, then 8 after 32
    asha = next(row.figures for row in report.people if row.figures.person_id == "asha")
    assert (asha.pages, asha.acknowledged, asha.from_page_links) == (2, 2, 1), "her email found her the first time"


def test_a_day_is_the_organisations_local_day(db: Database, tmp_path: Path) -> None:
    # 30 September 2026 23:00 UTC is midnight on 1 October in London (BST): the first instant of Q4 there.
    s = Scenario(db, tmp_path, _utc(2026, 9, 30, 22, 59))
    s.trigger("re", "late-september")
    s.advance(0.5)
    s.at(_utc(2026, 9, 30, 23, 0))
    s.trigger("re", "first-of-october")
    s.advance(0.5)

    q3 = _report(s, quarter="2026-Q3")
    q4 = _report(s, quarter="2026-Q4")

    assert [row.figures.pages for row in q3.teams if row.figures.team_id == "re"] == [1]
    assert [row.figures.pages for row in q4.teams if row.figures.team_id == "re"] == [1]
    assert q4.period.start == _utc(2026, 9, 30, 23, 0)


@pytest.mark.parametrize(
    ("asked", "reason"),
    [
        ({"quarter": "2026-Q5"}, "is not a quarter"),
        ({"quarter": "2026-Q4", "first_day": "2026-10-01"}, "not both"),
        ({"first_day": "2026-13-01"}, "is not a day"),
        ({"first_day": "2026-12-01", "last_day": "2026-11-01"}, "is before the first"),
        ({"first_day": "2024-01-01", "last_day": "2026-01-01"}, "366 days at most"),
        ({"team": "nope"}, "there is no team 'nope'; teams: pay, re"),
        ({"last_day": "9999-12-31"}, "out of the range"),
    ],
)
def test_a_request_that_cannot_be_reported_on_is_refused_saying_why(
    db: Database, tmp_path: Path, asked: dict[str, str], reason: str
) -> None:
    s = Scenario(db, tmp_path, _utc(2026, 11, 26, 12, 0))

    with pytest.raises(Refused) as refused:
        _report(s, **asked)

    assert reason in refused.value.message


@pytest.fixture
def web(db: Database, tmp_path: Path) -> TestClient:
    s = _quarter_of_pages(db, tmp_path)
    settings = Settings(database_url=db.url, secret_key=KEY, public_url="https://wk.example.org")
    context = AppContext(settings, db, s.clock, build_registry(db), None, None)
    client = TestClient(create_app(context), raise_server_exceptions=False)
    sign_in(client, db, KEY, at=s.clock.now())
    return client


def test_the_console_page_shows_both_tables_and_links_their_csv(web: TestClient) -> None:
    with web:
        page = web.get("/reports/on-call", params={"quarter": "2026-Q4"})
        csv_teams = web.get("/reports/on-call.csv", params={"kind": "teams", "quarter": "2026-Q4"})
        csv_people = web.get("/reports/on-call.csv", params={"kind": "people", "team": "pay", "quarter": "2026-Q4"})

    assert page.status_code == 200
    assert 'href="/reports/on-call"' in page.text, "the navigation leads to it"
    assert 'data-testid="teams"' in page.text
    assert 'data-testid="people"' in page.text
    assert "2026-Q4 (1 October 2026 to 31 December 2026)" in page.text
    assert 'href="/reports/on-call.csv?kind=teams&amp;quarter=2026-Q4"' in page.text
    assert 'href="/reports/on-call.csv?kind=people&amp;quarter=2026-Q4"' in page.text
    assert "median 10 min" in page.text
    assert "90% within 17 min" in page.text
    assert csv_teams.status_code == 200
    assert csv_teams.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_teams.headers["content-disposition"] == 'attachment; filename="on-call-teams-2026-Q4.csv"'
    assert [row["team"] for row in csv.DictReader(io.StringIO(csv_teams.text))] == ["pay", "re"]
    assert csv_people.headers["content-disposition"] == 'attachment; filename="on-call-people-pay-2026-Q4.csv"'
    assert [row["person"] for row in csv.DictReader(io.StringIO(csv_people.text))] == ["dev", "eve"]


def test_the_console_page_keeps_its_days_in_the_csv_links(web: TestClient) -> None:
    with web:
        page = web.get("/reports/on-call", params={"team": "re", "from": "2026-11-01"})

    assert page.status_code == 200
    assert 'href="/reports/on-call.csv?kind=teams&amp;team=re&amp;from=2026-11-01&amp;to=2026-12-25"' in page.text
    assert 'id="person-ben"' in page.text


@pytest.mark.parametrize(
    ("params", "reason", "field"),
    [
        ({"from": "yesterday"}, "from: &#39;yesterday&#39; is not a day: write it as YYYY-MM-DD", "from"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "the last day, 2026-11-01, is before the first", "to"),
        ({"team": "x" * 500}, "team is longer than 100 characters", "team"),
        ({"team": "re\x00"}, "team has control characters", "team"),
        ({"team": "nope"}, "there is no team &#39;nope&#39;; teams: pay, re", "team"),
        ({"quarter": "2026-Q4", "to": "2026-12-01"}, "give a quarter, or from and to, not both", "quarter"),
    ],
)
def test_bad_parameters_are_a_400_page_that_says_why(
    web: TestClient, params: dict[str, str], reason: str, field: str
) -> None:
    with web:
        response = web.get("/reports/on-call", params=params)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert reason in response.text
    assert f'href="#{field}"' in response.text, "the error leads to the field to put right"
    assert 'data-testid="report-form"' in response.text
    assert '<option value="re">Reliability</option>' in response.text, "the teams are still there to choose"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"kind": "pdf"}, "kind must be teams or people, not 'pdf'"),
        ({}, "kind must be teams or people"),
        ({"kind": "teams", "quarter": "Q4"}, "quarter: 'Q4' is not a quarter: write it as YYYY-QN, such as 2026-Q4"),
        ({"kind": "people", "team": "nope"}, "there is no team 'nope'; teams: pay, re"),
    ],
)
def test_bad_csv_parameters_are_a_400_that_says_why(web: TestClient, params: dict[str, str], reason: str) -> None:
    with web:
        response = web.get("/reports/on-call.csv", params=params)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == reason + "\n"


def test_the_api_gives_both_tables_in_seconds_and_a_problem_for_a_bad_request(web: TestClient) -> None:
    with web:
        found = web.get("/api/v1/reports/on-call", params={"team": "pay", "quarter": "2026-Q4"})
        bad = web.get("/api/v1/reports/on-call", params={"from": "2026-12-01", "to": "2026-11-01"})

    assert found.status_code == 200
    document = found.json()
    assert document["period"] == {
        "from": "2026-10-01",
        "to": "2026-12-31",
        "quarter": "2026-Q4",
        "timezone": "Europe/London",
        "start": "2026-09-30T23:00:00+00:00",
        "end": "2027-01-01T00:00:00+00:00",
    }
    [pay] = document["teams"]
    assert (pay["pages"], pay["open"], pay["time_to_resolve"]["p90_seconds"]) == (3, 1, 360.0)
    assert [(p["person"], p["acknowledged"]) for p in document["people"]] == [("dev", 2), ("eve", 0)]
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["detail"] == "the last day, 2026-11-01, is before the first, 2026-12-01"
    assert bad.json()["field"] == "to"


def _command(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    environment["WATCHKEEPER_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", "reports", "on-call", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def test_the_command_prints_the_tables_csv_and_json(db: Database, tmp_path: Path) -> None:
    _quarter_of_pages(db, tmp_path)

    text = _command("--quarter", "2026-Q4", url=db.url)
    people = _command("--quarter", "2026-Q4", "--team", "pay", "--csv", "people", url=db.url)
    teams = _command("--from", "2026-11-01", "--to", "2026-11-30", "--csv", url=db.url)
    as_json = _command("--quarter", "2026-Q4", "--json", url=db.url)
    wrong = _command("--quarter", "2026-Q4", "--to", "2026-12-01", url=db.url)

    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "On-call report: all teams, 2026-Q4 (1 October 2026 to 31 December 2026); days in Europe/London"
    assert any(line.split()[:6] == ["re", "3", "2", "2", "of", "3"] for line in lines), text.stdout
    assert "10 min / 10 min / 17 min" in text.stdout
    assert any(line.split()[:6] == ["dev", "Dev", "3", "1", "2", "(1"] for line in lines), text.stdout
    assert [row["person"] for row in csv.DictReader(io.StringIO(people.stdout))] == ["dev", "eve"]
    assert [(row["team"], row["pages"]) for row in csv.DictReader(io.StringIO(teams.stdout))] == [
        ("pay", "0"),
        ("re", "2"),
    ]
    document = json.loads(as_json.stdout)
    re = next(team for team in document["teams"] if team["team"] == "re")
    assert re["time_to_acknowledge"] == {
        "count": 2,
        "mean_seconds": 600.0,
        "median_seconds": 600.0,
        "p90_seconds": 1020.0,
    }
    assert document["period"]["start"] == "2026-09-30T23:00:00+00:00", "midnight in London, in summer time"
    assert (wrong.returncode, wrong.stderr.strip()) == (2, "give a quarter, or from and to, not both")
