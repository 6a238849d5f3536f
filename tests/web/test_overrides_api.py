"""The overrides API over the example catalog: create, list, read and remove; swaps and covers; a 400 problem
saying what is wrong, a 404 for what does not exist, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest

from watchkeeper.domain.oncall import shifts
from watchkeeper.services.overrides import applied_overrides, known_schedule
from watchkeeper.services.rotas import rota_of

# notify-on-call hands over weekly at 09:30 London time; January 2099 is on GMT, so local times are UTC.
WEEK = datetime(2099, 1, 5, tzinfo=UTC)


def _shifts(loaded, start=WEEK, end=WEEK + timedelta(days=21)):
    with loaded.db.reading() as connection:
        facts = known_schedule(connection, "notify-on-call")
        found = shifts(rota_of(facts.schedule), applied_overrides(connection, facts.id, start, end), start, end)
    return [(s.person, s.start, s.end) for s in found]


def _override(client, schedule="notify-on-call", **fields):
    body = {
        "person": "fatima",
        "replaces": "ines",
        "starts_at": "2099-01-13T09:00:00Z",
        "ends_at": "2099-01-13T17:00:00Z",
        "reason": "dentist",
    } | fields
    return client.post(f"/api/v1/schedules/{schedule}/overrides", json=body)


def test_an_override_is_created_listed_read_and_removed(loaded):
    client = loaded.client

    made = _override(client)
    override = made.json()
    listed = client.get("/api/v1/schedules/notify-on-call/overrides").json()["items"]
    read = client.get(made.headers["Location"]).json()
    removed = client.delete(f"/api/v1/overrides/{override['id']}")
    again = client.delete(f"/api/v1/overrides/{override['id']}")

    assert made.status_code == 201, made.text
    assert (override["person"], override["replaces"], override["kind"]) == ("fatima", "ines", "override")
    assert (override["person_name"], override["replaces_name"]) == ("Fatima Hussain", "Ines Costa")
    assert [o["id"] for o in listed] == [override["id"]]
    assert read == override
    assert removed.status_code == 200
    assert [(o["state"], o["removed_by"]) for o in removed.json()] == [("removed", "Asha Patel")]
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/schedules/notify-on-call/overrides").json()["items"] == []
    assert len(client.get("/api/v1/schedules/notify-on-call/overrides?state=all").json()["items"]) == 1


def test_an_author_in_the_body_is_refused_since_the_author_is_whoever_signed_in(loaded):
    response = _override(loaded.client, author="Somebody Else")

    assert response.status_code == 422
    assert "author" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "status", "detail"),
    [
        ({"person": "fatma"}, 400, "person: no person 'fatma' in the catalog (did you mean fatima?)"),
        ({"replaces": "asha"}, 400, "replaces: 'asha' is not in the rotations of schedule notify-on-call"),
        ({"ends_at": "2099-01-13T08:00:00Z"}, 400, "the end must come after the start"),
        ({"starts_at": None, "ends_at": "2020-01-01T00:00:00Z"}, 400, "has already passed"),
        ({"ends_at": "2100-03-01T00:00:00Z"}, 400, "is more than a year after the start"),
        ({"ends_at": "2099-01-13T17:00:00"}, 400, "ends_at needs a UTC offset"),
        ({"ends_at": None, "duration": "soon"}, 400, "duration: 'soon' is not a duration"),
        ({"reason": " "}, 400, "reason is required"),
        (
            {"schedule": "notify-oncall"},
            404,
            "no schedule 'notify-oncall' in the catalog (did you mean notify-on-call",
        ),
    ],
)
def test_a_wrong_override_is_a_problem_saying_what_is_wrong(loaded, fields, status, detail):
    response = _override(loaded.client, **fields)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_a_body_of_the_wrong_shape_is_a_422_and_a_bad_id_never_a_500(loaded):
    client = loaded.client

    assert _override(client, colour="blue").status_code == 422
    assert client.get("/api/v1/overrides/0").status_code == 422
    assert client.get("/api/v1/overrides/99999").status_code == 404
    assert client.get("/api/v1/schedules/Not%20An%20Id/overrides").status_code == 422


def test_a_swap_exchanges_two_weeks_and_a_cover_takes_part_of_one(loaded):
    client = loaded.client
    before = _shifts(loaded)
    first, second = before[1], before[2]  # two whole weeks, of two people

    swapped = client.post(
        "/api/v1/schedules/notify-on-call/swaps",
        json={
            "shifts": [
                {"person": first[0], "at": (first[1] + timedelta(hours=1)).isoformat()},
                {"person": second[0], "at": (second[1] + timedelta(hours=1)).isoformat()},
            ],
            "reason": "holiday",
        },
    )
    covered = client.post(
        "/api/v1/schedules/notify-on-call/covers",
        json={
            "person": "fatima",
            "shift": {"person": first[0], "at": (second[1] + timedelta(hours=1)).isoformat()},
            "starts_at": (second[1] + timedelta(hours=2)).isoformat(),
            "ends_at": (second[1] + timedelta(hours=3)).isoformat(),
            "reason": "school run",
        },
    )

    assert swapped.status_code == 201, swapped.text
    assert [(o["person"], o["kind"]) for o in swapped.json()] == [(second[0], "swap"), (first[0], "swap")]
    assert covered.status_code == 201, covered.text
    after = _shifts(loaded)
    assert after[1] == (second[0], first[1], first[2])
    assert after[2:5] == [
        (first[0], second[1], second[1] + timedelta(hours=2)),
        ("fatima", second[1] + timedelta(hours=2), second[1] + timedelta(hours=3)),
        (first[0], second[1] + timedelta(hours=3), second[2]),
    ]


def test_a_swap_of_an_instant_outside_the_persons_shift_is_a_400_with_the_reason(loaded):
    before = _shifts(loaded)
    first, second = before[1], before[2]

    response = loaded.client.post(
        "/api/v1/schedules/notify-on-call/swaps",
        json={
            "shifts": [
                {"person": second[0], "at": (first[1] + timedelta(hours=1)).isoformat()},
                {"person": first[0], "at": (second[1] + timedelta(hours=1)).isoformat()},
            ],
            "reason": "holiday",
        },
    )

    assert response.status_code == 400
    assert f"{second[0]} is not on call on notify-on-call at" in response.json()["detail"]
    assert loaded.client.get("/api/v1/schedules/notify-on-call/overrides?state=all").json()["items"] == []
