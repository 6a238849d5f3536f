"""The read endpoints over the example catalog on both databases: people, a check and its results, deliveries,
schedules, escalation policies, integrations, overrides across schedules and the catalog's maintenance windows;
with a 404 for what is not there and a 422 for a parameter that is not a value of its kind."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from watchkeeper.store import tables as t

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _items(loaded, path, **params):
    response = loaded.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_people_are_listed_by_id_with_their_team_and_found_by_email(loaded):
    everyone = _items(loaded, "/api/v1/people")
    notify = _items(loaded, "/api/v1/people", team="notify")
    found = _items(loaded, "/api/v1/people", email="ASHA.PATEL@example.gov.uk")
    asha = loaded.client.get("/api/v1/people/asha").json()

    assert [p["id"] for p in everyone] == sorted(p["id"] for p in everyone)
    assert len(everyone) == 10
    assert [p["id"] for p in notify] == ["ines", "jonah"]
    assert [p["id"] for p in found] == ["asha"]
    assert asha["team"] == "reliability-engineering"
    assert asha["phone"] == "+447700900101"
    assert asha["notify"] == [{"via": "email", "after": "0s"}, {"via": "sms", "after": "5m"}]
    assert asha["origin"] == "file"


def test_a_check_is_read_with_its_state_and_settings(loaded):
    check = loaded.client.get("/api/v1/checks/pay-frontend-home").json()

    assert check["service"] == "pay-frontend"
    assert check["platform"] is None
    assert (check["interval_seconds"], check["timeout_seconds"]) == (30, 10)
    assert (check["down_after"], check["up_after"]) == (2, 1)
    assert check["status"] == "unknown"
    assert "headers" not in check


def test_checks_are_filtered_by_owner_type_and_severity(loaded):
    owned = _items(loaded, "/api/v1/checks", owner="pay")
    tls = _items(loaded, "/api/v1/checks", type="tls", owner="pay")
    paging = _items(loaded, "/api/v1/checks", severity="page", platform="paas")

    assert {c["id"] for c in owned} == {
        "pay-frontend-home",
        "pay-frontend-certificate",
        "pay-api-health",
        "pay-reconciliation",
    }
    assert [c["id"] for c in tls] == ["pay-frontend-certificate"]
    assert all(c["platform"] == "paas" and c["severity"] == "page" for c in paging)
    assert paging


def _results(db, check_id, count, start=T0):
    rows = [
        {
            "check_id": check_id,
            "at": start + timedelta(minutes=i),
            "ok": i % 3 != 0,
            "reason": f"result {i}",
            "total_ms": 100.0 + i,
            "timings": {"connect": 5.0, "total": 100.0 + i},
        }
        for i in range(count)
    ]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)


def test_a_checks_results_come_newest_first_within_a_period(loaded):
    _results(loaded.db, "pay-frontend-home", 10)
    _results(loaded.db, "pay-api-health", 3)
    path = "/api/v1/checks/pay-frontend-home/results"

    newest = _items(loaded, path)
    window = _items(loaded, path, since="2026-03-02T09:02:00Z", until="2026-03-02T09:05:00Z")
    failures = _items(loaded, path, ok="false")

    assert [r["reason"] for r in newest] == [f"result {i}" for i in range(9, -1, -1)]
    assert newest[0]["timings"] == {"connect": 5.0, "total": 109.0}
    assert newest[0]["total_ms"] == 109.0
    assert [r["reason"] for r in window] == ["result 4", "result 3", "result 2"]
    assert [r["reason"] for r in failures] == ["result 9", "result 6", "result 3", "result 0"]


def test_results_of_an_unknown_check_are_a_404_and_a_reversed_period_a_400(loaded):
    unknown = loaded.client.get("/api/v1/checks/no-such-check/results")
    reversed_ = loaded.client.get(
        "/api/v1/checks/pay-api-health/results", params={"since": "2026-03-02T10:00Z", "until": "2026-03-02T09:00Z"}
    )

    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "no check 'no-such-check'"
    assert reversed_.status_code == 400
    assert reversed_.json()["errors"] == [{"location": "query.until", "message": "until must come after since"}]


def _alert(connection, alert_id, team="pay", created=T0, **values):
    row = {
        "id": alert_id,
        "dedup_key": f"check:{alert_id}",
        "source": "check",
        "subject_kind": "check",
        "subject_id": "pay-api-health",
        "team_id": team,
        "service_id": "pay-api",
        "severity": "page",
        "status": "triggered",
        "summary": f"alert {alert_id}",
        "details": {},
        "links": [],
        "labels": {},
        "occurrences": 1,
        "created_at": created,
        "updated_at": created,
    } | values
    connection.execute(insert(t.alerts), row)


def _deliveries(db):
    with db.transaction() as connection:
        _alert(connection, 1)
        _alert(connection, 2, team="notify", service_id="notify-api", subject_id="notify-api-status")
        notifications = [
            (10, "pay", "pay-slack", "slack", [1]),
            (11, "notify", "notify-email", "email", [2]),
            (12, "pay", "pay-webhook", "webhook", [1, 2]),
        ]
        for notification_id, team, channel, kind, alerts in notifications:
            connection.execute(
                insert(t.notifications),
                {
                    "id": notification_id,
                    "idempotency_key": f"key-{notification_id}",
                    "team_id": team,
                    "channel_id": channel,
                    "channel_type": kind,
                    "action": "triggered",
                    "message": {"text": "the message itself is never shown"},
                    "status": "sent",
                    "attempts": 1,
                    "created_at": T0,
                    "due_at": T0,
                    "give_up_at": T0 + timedelta(hours=1),
                },
            )
            connection.execute(
                insert(t.notification_alerts), [{"notification_id": notification_id, "alert_id": a} for a in alerts]
            )
        attempts = [(10, 1, "sent", 0), (11, 1, "retry", 1), (11, 2, "failed", 2), (12, 1, "sent", 3)]
        for notification_id, attempt, outcome, minutes in attempts:
            connection.execute(
                insert(t.deliveries),
                {
                    "notification_id": notification_id,
                    "attempt": attempt,
                    "at": T0 + timedelta(minutes=minutes),
                    "outcome": outcome,
                    "status_code": 200 if outcome == "sent" else 503,
                    "latency_ms": 12.5,
                    "detail": f"{outcome} by the receiver",
                    "worker": "engine-1",
                },
            )


def test_deliveries_are_the_log_newest_first_filtered_by_alert_channel_and_outcome(loaded):
    _deliveries(loaded.db)

    everything = _items(loaded, "/api/v1/deliveries")
    about_one = _items(loaded, "/api/v1/deliveries", alert=1)
    by_email = _items(loaded, "/api/v1/deliveries", channel="notify-email")
    failed = _items(loaded, "/api/v1/deliveries", outcome="failed")
    notify = _items(loaded, "/api/v1/deliveries", team="notify", since="2026-03-02T09:02:00Z")
    one = loaded.client.get(f"/api/v1/deliveries/{everything[0]['id']}").json()

    assert [(d["channel_id"], d["attempt"]) for d in everything] == [
        ("pay-webhook", 1),
        ("notify-email", 2),
        ("notify-email", 1),
        ("pay-slack", 1),
    ]
    assert everything[0]["alerts"] == [1, 2]
    assert [d["channel_id"] for d in about_one] == ["pay-webhook", "pay-slack"]
    assert [d["outcome"] for d in by_email] == ["failed", "retry"]
    assert [(d["channel_id"], d["status_code"]) for d in failed] == [("notify-email", 503)]
    assert [d["attempt"] for d in notify] == [2]
    assert one == everything[0]
    assert "message" not in loaded.client.get("/api/v1/deliveries").text
    assert loaded.client.get("/api/v1/deliveries/999").status_code == 404


def test_alerts_are_filtered_by_owner_subject_severity_and_time(loaded):
    with loaded.db.transaction() as connection:
        _alert(connection, 1)
        _alert(connection, 2, created=T0 + timedelta(hours=1), severity="ticket")
        _alert(connection, 3, team="notify", service_id="notify-api", subject_id="notify-api-status")
        _alert(connection, 4, created=T0 + timedelta(hours=2), status="resolved")

    def ids(**params):
        return [a["id"] for a in _items(loaded, "/api/v1/alerts", **params)]

    assert ids() == [2, 3, 1]
    assert ids(status="all") == [4, 2, 3, 1]
    assert ids(team="notify") == [3]
    assert ids(service="pay-api", severity="ticket") == [2]
    assert ids(check="notify-api-status") == [3]
    assert ids(status="all", since="2026-03-02T10:00:00Z") == [4, 2]
    assert ids(status="all", until="2026-03-02T10:00:00") == [3, 1]
    assert ids(source="alertmanager") == []


def test_schedules_are_their_definitions(loaded):
    schedules = _items(loaded, "/api/v1/schedules", team="reliability-engineering")
    primary = loaded.client.get("/api/v1/schedules/re-primary").json()

    assert [s["id"] for s in schedules] == ["re-primary", "re-secondary"]
    assert primary["timezone"] == "Europe/London"
    assert [layer["name"] for layer in primary["layers"]] == ["weekly", "weeknight cover"]
    assert primary["layers"][0]["rotation"] == ["asha", "ben", "chen", "dami"]
    assert primary["layers"][0]["turn"] == "1w"
    assert primary["layers"][1]["restrict"] == [{"days": ["mon", "tue", "wed", "thu"], "from": "17:30", "to": "09:30"}]


def test_escalation_policies_are_their_levels(loaded):
    policies = _items(loaded, "/api/v1/escalation-policies")
    default = loaded.client.get("/api/v1/escalation-policies/re-default").json()

    assert [p["id"] for p in policies] == ["notify-default", "pay-default", "re-default"]
    assert [level["notify"] for level in default["levels"]] == [
        ["schedule:re-primary"],
        ["schedule:re-secondary"],
        ["person:ellis", "channel:re-slack"],
    ]
    assert [level["after"] for level in default["levels"]] == [None, "15m", "30m"]
    assert (default["repeat"], default["ack_timeout"]) == (2, "30m")


def test_integrations_show_the_hint_of_their_key_and_never_the_key(loaded):
    from watchkeeper.services.audit import cli_actor
    from watchkeeper.services.integration_keys import rotate

    issued = rotate(loaded.db, "pay-sentry", T0, cli_actor("Fatima"))
    listed = _items(loaded, "/api/v1/integrations", team="pay")
    sentry = loaded.client.get("/api/v1/integrations/pay-sentry")

    assert [i["id"] for i in listed] == ["pay-alertmanager", "pay-sentry"]
    assert listed[0]["key"] is None
    assert sentry.json()["key"] == {"hint": issued.key[-4:], "issued_at": "2026-03-02T09:00:00Z", "issued_by": "Fatima"}
    assert sentry.json()["endpoint"] == "/api/v1/integrations/sentry/<key>"
    assert issued.key not in sentry.text
    assert issued.key not in loaded.client.get("/api/v1/integrations").text
    assert [i["id"] for i in _items(loaded, "/api/v1/integrations", type="pagerduty_events_v2")] == ["re-events"]


def test_overrides_are_listed_across_schedules(loaded):
    def override(schedule, person, replaces, day):
        body = {
            "person": person,
            "replaces": replaces,
            "starts_at": f"2099-01-{day}T09:00:00Z",
            "ends_at": f"2099-01-{day}T17:00:00Z",
            "reason": "cover",
        }
        response = loaded.client.post(f"/api/v1/schedules/{schedule}/overrides", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    first = override("notify-on-call", "fatima", "ines", "13")
    second = override("pay-on-call", "ines", None, "12")

    assert [o["id"] for o in _items(loaded, "/api/v1/overrides")] == [second, first]
    assert [o["id"] for o in _items(loaded, "/api/v1/overrides", person="ines")] == [second, first]
    assert [o["id"] for o in _items(loaded, "/api/v1/overrides", team="notify")] == [first]
    assert [o["id"] for o in _items(loaded, "/api/v1/overrides", schedule="pay-on-call", state="all")] == [second]


def test_the_catalogs_maintenance_windows_are_read_with_their_next_occurrence(loaded):
    windows = _items(loaded, "/api/v1/maintenance/catalog", platform="paas")
    patching = loaded.client.get("/api/v1/maintenance/catalog/paas-weekly-patching").json()

    assert [w["id"] for w in windows] == ["paas-weekly-patching"]
    assert patching["recurrence"] == "FREQ=WEEKLY;BYDAY=TU"
    assert patching["next"] is not None
    assert _items(loaded, "/api/v1/maintenance/catalog", service="pay-api") == []
    both = loaded.client.get("/api/v1/maintenance/catalog", params={"service": "a", "platform": "b"})
    assert both.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/nobody",
        "/api/v1/checks/nothing",
        "/api/v1/schedules/nothing",
        "/api/v1/escalation-policies/nothing",
        "/api/v1/integrations/nothing",
        "/api/v1/maintenance/catalog/nothing",
        "/api/v1/platforms/nothing",
    ],
)
def test_an_unknown_object_is_a_404_problem(loaded, path):
    response = loaded.client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "nothing" in response.json()["detail"] or "nobody" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params", "location"),
    [
        ("/api/v1/people", {"team": "Not An Id"}, "query.team"),
        ("/api/v1/people", {"email": "no-at-sign"}, "query.email"),
        ("/api/v1/people/Bad%20Id", {}, "path.person_id"),
        ("/api/v1/teams", {"platform_team": "perhaps"}, "query.platform_team"),
        ("/api/v1/services", {"origin": "elsewhere"}, "query.origin"),
        ("/api/v1/services", {"platform": "\u0000"}, "query.platform"),
        ("/api/v1/platforms", {"owner": "x" * 64}, "query.owner"),
        ("/api/v1/checks", {"status": "sideways"}, "query.status"),
        ("/api/v1/checks", {"severity": "urgent"}, "query.severity"),
        ("/api/v1/checks", {"type": "HTTP!"}, "query.type"),
        ("/api/v1/checks", {"paused": "maybe"}, "query.paused"),
        ("/api/v1/checks/pay-api-health/results", {"since": "yesterday"}, "query.since"),
        ("/api/v1/checks/pay-api-health/results", {"ok": "sometimes"}, "query.ok"),
        ("/api/v1/deliveries", {"alert": "0"}, "query.alert"),
        ("/api/v1/deliveries", {"outcome": "lost"}, "query.outcome"),
        ("/api/v1/deliveries", {"channel": "Slack Channel"}, "query.channel"),
        ("/api/v1/deliveries/abc", {}, "path.delivery_id"),
        ("/api/v1/alerts", {"status": "closed"}, "query.status"),
        ("/api/v1/alerts", {"source": "a very long source name"}, "query.source"),
        ("/api/v1/alerts", {"check": "\u00e9"}, "query.check"),
        ("/api/v1/integrations", {"type": "email"}, "query.type"),
        ("/api/v1/overrides", {"state": "future"}, "query.state"),
        ("/api/v1/overrides", {"person": "A"}, "query.person"),
        ("/api/v1/schedules", {"team": "-x"}, "query.team"),
        ("/api/v1/escalation-policies", {"limit": "0"}, "query.limit"),
        ("/api/v1/silences", {"limit": "501"}, "query.limit"),
        ("/api/v1/maintenance", {"limit": "many"}, "query.limit"),
        ("/api/v1/oncall", {"team": "Pay"}, "query.team"),
    ],
)
def test_a_parameter_that_is_not_a_value_of_its_kind_is_a_422_naming_it(loaded, path, params, location):
    response = loaded.client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["location"] for error in response.json()["errors"]] == [location]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1800-01-01T00:00:00Z"])
def test_an_instant_out_of_range_is_a_400_naming_it_never_an_overflow(loaded, value):
    response = loaded.client.get("/api/v1/alerts", params={"since": value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["location"] == "query.since"


def test_an_unknown_schedule_is_a_404_in_the_path_and_selects_nothing_as_a_filter(loaded):
    nested = loaded.client.get("/api/v1/schedules/no-such-schedule/overrides")
    filtered = loaded.client.get("/api/v1/overrides", params={"schedule": "no-such-schedule"})

    assert nested.status_code == 404
    assert filtered.json() == {"items": [], "next": None}
