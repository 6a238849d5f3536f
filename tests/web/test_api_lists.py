"""Every list of the API has one shape: `{"items": [...], "next": cursor or null}` with a `Link` header to the
next page; walking the pages sees every item once, even while items are added; a forged or foreign cursor is a
400 naming `cursor`, never a 500."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from watchkeeper.store import tables as t

LISTS = [
    "/api/v1/teams",
    "/api/v1/people",
    "/api/v1/platforms",
    "/api/v1/services",
    "/api/v1/checks",
    "/api/v1/checks/pay-api-health/results",
    "/api/v1/alerts",
    "/api/v1/deliveries",
    "/api/v1/schedules",
    "/api/v1/escalation-policies",
    "/api/v1/integrations",
    "/api/v1/overrides",
    "/api/v1/schedules/re-primary/overrides",
    "/api/v1/silences",
    "/api/v1/maintenance",
    "/api/v1/maintenance/catalog",
    "/api/v1/oncall",
]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _walk(client, path, **params):
    """Every page of a list, following the Link header; the ids in order, and the pages' sizes."""
    ids, sizes, url = [], [], None
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        ids.extend(item.get("id", item.get("schedule")) for item in body["items"])
        sizes.append(len(body["items"]))
        if body["next"] is None:
            assert "link" not in response.headers
            return ids, sizes
        url = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers["link"]).group(1)
        assert f"cursor={body['next']}" in url
        response = client.get(url)


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_one_shape(loaded, path):
    response = loaded.client.get(path, params={"limit": 1})

    assert response.status_code == 200, response.text
    assert set(response.json()) == {"items", "next"}
    assert isinstance(response.json()["items"], list)


def test_pages_of_a_catalog_list_see_every_item_once_in_order(loaded):
    whole, _ = _walk(loaded.client, "/api/v1/checks", limit=500)
    paged, sizes = _walk(loaded.client, "/api/v1/checks", limit=3)

    assert paged == whole
    assert len(whole) == len(set(whole)) > 6
    assert set(sizes[:-1]) == {3}


def test_the_link_keeps_the_filters(loaded):
    first = loaded.client.get("/api/v1/checks", params={"owner": "pay", "limit": 2})
    link = first.headers["link"]

    assert link.startswith("</api/v1/checks?")
    assert "owner=pay" in link
    assert "limit=2" in link
    second = loaded.client.get(re.search(r"<([^>]+)>", link).group(1)).json()
    assert {c["id"] for c in first.json()["items"] + second["items"]} == {
        "pay-api-health",
        "pay-frontend-certificate",
        "pay-frontend-home",
        "pay-reconciliation",
    }


def _results(db, start, count, reason):
    rows = [
        {"check_id": "pay-api-health", "at": start + timedelta(seconds=i), "ok": True, "reason": f"{reason} {i}"}
        for i in range(count)
    ]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)


def test_a_newest_first_list_is_stable_while_newer_items_arrive(loaded):
    _results(loaded.db, T0, 7, "old")
    path = "/api/v1/checks/pay-api-health/results"
    first = loaded.client.get(path, params={"limit": 3}).json()
    _results(loaded.db, T0 + timedelta(hours=1), 5, "new")  # newer than every page still to come

    rest, _ = _walk(loaded.client, path, limit=3, cursor=first["next"])
    reasons = [r["reason"] for r in first["items"]]
    with loaded.db.reading() as connection:
        by_id = {row.id: row.reason for row in connection.execute(t.check_results.select())}
    reasons += [by_id[i] for i in rest]

    assert reasons == [f"old {i}" for i in range(6, -1, -1)]


def test_results_at_the_same_instant_are_each_shown_once(loaded):
    rows = [{"check_id": "pay-api-health", "at": T0, "ok": True, "reason": f"same {i}"} for i in range(5)]
    with loaded.db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)

    ids, sizes = _walk(loaded.client, "/api/v1/checks/pay-api-health/results", limit=2)

    assert len(ids) == len(set(ids)) == 5
    assert sizes == [2, 2, 1]


def test_silences_page_in_the_order_of_their_state(loaded):
    for hours in (3, 1, 2):
        body = {"matchers": ["service=pay-api"], "comment": "deploy", "duration": f"{hours}h"}
        assert loaded.client.post("/api/v1/silences", json=body).status_code == 201

    current, _ = _walk(loaded.client, "/api/v1/silences", limit=1)
    newest, _ = _walk(loaded.client, "/api/v1/silences", state="all", limit=2)

    assert current == [2, 3, 1]  # soonest to end first
    assert newest == [3, 2, 1]


def _cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("cursor", "reason"),
    [
        ("not base64 at all!", "does not decode"),
        (base64.urlsafe_b64encode(b"\xff\xfe").decode(), "does not decode"),
        (_cursor({"id": "pay"}), "not a cursor of this API"),
        (_cursor([2, "checks", ["pay"]]), "not a cursor of this API"),
        (_cursor([1, "teams", ["pay"]]), "another list"),
        (_cursor([1, "checks", ["pay", "extra"]]), "does not hold a position"),
        (_cursor([1, "checks", [7]]), "does not hold a position"),
        (_cursor([1, "checks", ["a\u0000b"]]), "does not hold a position"),
        (_cursor([1, "checks", ["\ud800"]]), "does not hold a position"),
    ],
)
def test_a_forged_or_foreign_cursor_is_a_400_naming_it(loaded, cursor, reason):
    response = loaded.client.get("/api/v1/checks", params={"cursor": cursor})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["location"] == "query.cursor"
    assert reason in error["message"]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/alerts", ["2026-03-02T09:00:00", 5]),  # an instant without an offset
        ("/api/v1/alerts", ["yesterday", 5]),
        ("/api/v1/alerts", ["0001-01-01T00:00:00+05:00", 5]),
        ("/api/v1/alerts", ["2026-03-02T09:00:00+00:00", True]),
        ("/api/v1/alerts", ["2026-03-02T09:00:00+00:00", 2**70]),
        ("/api/v1/deliveries", [None, 1]),
    ],
)
def test_a_cursor_with_values_of_the_wrong_kind_is_a_400(loaded, path, key):
    name = path.removeprefix("/api/v1/")
    response = loaded.client.get(path, params={"cursor": _cursor([1, name, key])})

    assert response.status_code == 400
    assert response.json()["errors"][0]["location"] == "query.cursor"


def test_a_cursor_of_one_order_is_refused_by_another(loaded):
    for _ in range(2):
        body = {"matchers": ["service=pay-api"], "comment": "deploy", "duration": "1h"}
        loaded.client.post("/api/v1/silences", json=body)
    cursor = loaded.client.get("/api/v1/silences", params={"limit": 1}).json()["next"]

    response = loaded.client.get("/api/v1/silences", params={"state": "all", "cursor": cursor})

    assert response.status_code == 400
    assert "another order" in response.json()["detail"]


def test_an_id_too_large_for_its_column_is_a_400_and_a_large_result_id_pages(loaded):
    """Alerts' ids are 32 bits on PostgreSQL, which refuses to compare with more; raw results' are 64."""
    alerts = _cursor([1, "alerts", ["2026-03-02T09:00:00+00:00", 2**40]])
    results = _cursor([1, "check-results", ["2026-03-02T09:00:00+00:00", 2**40]])

    refused = loaded.client.get("/api/v1/alerts", params={"cursor": alerts})
    paged = loaded.client.get("/api/v1/checks/pay-api-health/results", params={"cursor": results})

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["location"] == "query.cursor"
    assert paged.status_code == 200
