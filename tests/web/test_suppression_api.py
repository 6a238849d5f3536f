"""The silences and maintenance API: create, list, read, expire and cancel, with a clear 400 for a wrong value."""

from datetime import UTC, datetime, timedelta

import pytest


def _silence(client, **fields):
    body = {"matchers": ["service=pay-api"], "comment": "deploying", "duration": "2h"} | fields
    return client.post("/api/v1/silences", json=body)


def test_a_silence_is_created_listed_read_and_expired(loaded):
    client = loaded.client

    made = _silence(client, matchers=["service=pay-api", {"name": "severity", "op": "=~", "value": "page|ticket"}])
    silence = made.json()
    listed = client.get("/api/v1/silences").json()["items"]
    read = client.get(made.headers["Location"]).json()
    expired = client.post(f"/api/v1/silences/{silence['id']}/expire")
    again = client.post(f"/api/v1/silences/{silence['id']}/expire")

    assert made.status_code == 201, made.text
    assert silence["matchers"] == ["service=pay-api", "severity=~page|ticket"]
    assert silence["state"] == "active"
    assert datetime.fromisoformat(silence["ends_at"]) - datetime.fromisoformat(silence["starts_at"]) == timedelta(
        hours=2
    )
    assert [s["id"] for s in listed] == [silence["id"]]
    assert read == silence
    assert expired.status_code == 200
    assert silence["author"] == "Asha Patel"  # whoever is signed in
    assert (expired.json()["state"], expired.json()["expired_by"]) == ("expired", "Asha Patel")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/silences").json() == {"items": [], "next": None}
    assert [s["id"] for s in client.get("/api/v1/silences?state=expired").json()["items"]] == [silence["id"]]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"matchers": ["service=~("]}, "matchers[0]: the regex of service does not compile: missing )"),
        ({"matchers": ["service"]}, "matchers[0]: 'service' is not a matcher"),
        ({"matchers": ["team!=x"]}, "would match every alert"),
        ({"matchers": []}, "at least one matcher"),
        ({"comment": ""}, "comment is required"),
        ({"duration": "soon"}, "duration: 'soon' is not a duration"),
        ({"duration": None, "ends_at": "2020-01-01T00:00:00Z"}, "has already passed"),
        ({"duration": None, "ends_at": "2099-01-01T00:00:00"}, "ends_at needs a UTC offset"),
        ({"ends_at": "2099-01-01T00:00:00Z"}, "either an end"),
        ({"duration": "999999999d"}, "the duration is longer than a year: give a year (366d) at most"),
        ({"duration": "367d"}, "the duration is longer than a year"),
        ({"duration": None, "ends_at": "9999-12-31T00:00:00Z"}, "is more than a year after the start"),
        (
            {"starts_at": "9999-12-31T23:30:00+00:00", "duration": "1h"},
            "the end, 1 h after 9999-12-31T23:30:00+00:00, is after the year 9999",
        ),
        (
            {"starts_at": "9999-12-31T20:00:00-05:00", "duration": None, "ends_at": "9999-12-31T21:00:00-05:00"},
            "the start, 9999-12-31T20:00:00-05:00, is after the year 9999 in UTC",
        ),
    ],
)
def test_a_wrong_value_is_a_400_saying_what_is_wrong(loaded, fields, detail):
    response = _silence(loaded.client, **fields)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert loaded.client.get("/api/v1/silences?state=all").json()["items"] == []


def test_a_body_of_the_wrong_shape_is_a_422(loaded):
    response = loaded.client.post("/api/v1/silences", json={"matchers": "service=pay-api", "author": "A"})

    assert response.status_code == 422
    assert "matchers" in response.json()["detail"]


def test_an_unknown_silence_is_a_404(loaded):
    assert loaded.client.get("/api/v1/silences/999").status_code == 404
    assert loaded.client.post("/api/v1/silences/999/expire").status_code == 404


def test_an_author_given_in_the_body_is_refused_since_the_author_is_whoever_signed_in(loaded):
    response = _silence(loaded.client, author="Somebody Else")

    assert response.status_code == 422
    assert "author" in response.json()["detail"]


def test_a_runtime_window_is_created_listed_and_cancelled(loaded):
    client = loaded.client
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    body = {"name": "Upgrade", "scope": {"platforms": ["paas"]}, "starts_at": start.isoformat()}

    made = client.post("/api/v1/maintenance", json=body | {"duration": "2h"})
    window = made.json()
    listing = client.get("/api/v1/maintenance").json()
    catalog_listing = client.get("/api/v1/maintenance/catalog").json()
    cancelled = client.post(f"/api/v1/maintenance/{window['id']}/cancel")

    assert made.status_code == 201, made.text
    assert made.headers["Location"] == f"/api/v1/maintenance/{window['id']}"
    assert (window["key"], window["state"]) == (f"runtime:{window['id']}", "scheduled")
    assert window["scope"] == {"checks": [], "services": [], "platforms": ["paas"]}
    assert [w["id"] for w in listing["items"]] == [window["id"]]
    catalog = {w["id"]: w for w in catalog_listing["items"]}
    assert catalog["paas-weekly-patching"]["platform"] == "paas"
    assert catalog["paas-weekly-patching"]["next"] is not None
    assert cancelled.json()["state"] == "cancelled"
    assert client.get("/api/v1/maintenance").json()["items"] == []
    assert [w["id"] for w in client.get("/api/v1/maintenance?state=ended").json()["items"]] == [window["id"]]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"scope": {"services": ["no-such-service"]}}, "no service 'no-such-service' in the catalog"),
        ({"scope": {"checks": ["paas-api", "nope"]}}, "no check 'nope' in the catalog"),
        ({"scope": {}}, "say what the window covers"),
        ({"name": ""}, "name is required"),
        ({"duration": "0s"}, "longer than zero"),
        ({"duration": "999999999d"}, "the duration is longer than a year"),
        ({"starts_at": "9999-12-31T23:30:00+00:00"}, "is after the year 9999"),
    ],
)
def test_a_runtime_window_with_a_wrong_value_is_a_400(loaded, fields, detail):
    body = {"name": "Upgrade", "scope": {"platforms": ["paas"]}, "duration": "1h"} | fields

    response = loaded.client.post("/api/v1/maintenance", json=body)

    assert response.status_code == 400
    assert detail in response.json()["detail"]


def test_a_year_long_silence_or_window_is_taken(loaded):
    """The longest allowed: a year, a leap year's included."""
    window = {"name": "Freeze", "scope": {"platforms": ["paas"]}, "duration": "366d"}

    answers = [_silence(loaded.client, duration="366d"), loaded.client.post("/api/v1/maintenance", json=window)]

    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]


def test_an_unknown_window_is_a_404(loaded):
    assert loaded.client.get("/api/v1/maintenance/999").status_code == 404
    assert loaded.client.post("/api/v1/maintenance/999/cancel").status_code == 404
