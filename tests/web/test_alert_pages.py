"""The console's alert pages: open alerts, one alert's timeline and deliveries, and the inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert

from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.alerts import receive
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.refusals import Refused
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import tables as t

if TYPE_CHECKING:  # `tests` is no package: pytest puts tests/ itself on the path, so this import fails when run
    from tests.web.conftest import Served

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SAME = {"sec-fetch-site": "same-origin"}


def _alert(
    served: Served, summary: str = "pay-frontend-home is DOWN: HTTP 503", check: str = "pay-frontend-home"
) -> int:
    signal = Signal(
        action="trigger",
        dedup_key=f"check:{check}",
        source="check",
        subject=Subject("check", check),
        summary=summary,
        labels={"tier": "web"},
    )
    [received] = receive(served.db, [signal], T0)
    assert received.alert_id is not None
    return received.alert_id


def test_the_alerts_page_lists_open_alerts_with_owner_and_status(loaded: Served) -> None:
    alert_id = _alert(loaded)

    page = loaded.client.get("/alerts")
    resolved = loaded.client.get("/alerts?status=resolved")

    assert page.status_code == 200
    assert f'href="/alerts/{alert_id}">pay-frontend-home is DOWN: HTTP 503</a>' in page.text
    assert 'href="/services/pay-frontend"' in page.text
    assert "Triggered" in page.text
    assert 'data-testid="no-alerts"' in resolved.text


def test_an_alert_page_shows_its_timeline_and_every_delivery(loaded: Served) -> None:
    alert_id = _alert(loaded, summary="<script>alert(1)</script> is DOWN")
    with loaded.db.transaction() as connection:
        notification = connection.execute(
            insert(t.notifications)
            .values(
                idempotency_key="k" * 32,
                team_id="pay",
                channel_id="pay-slack",
                channel_type="slack",
                action="trigger",
                message={},
                status="sent",
                attempts=1,
                created_at=T0,
                due_at=T0,
                give_up_at=T0,
            )
            .returning(t.notifications.c.id)
        ).scalar_one()
        connection.execute(insert(t.notification_alerts).values(notification_id=notification, alert_id=alert_id))
        connection.execute(
            insert(t.deliveries).values(
                notification_id=notification,
                attempt=1,
                at=T0,
                outcome="sent",
                status_code=200,
                latency_ms=42.0,
                detail="Slack answered ok",
                worker="w",
            )
        )

    page = loaded.client.get(f"/alerts/{alert_id}")

    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text, "what a sender wrote is escaped"
    assert "&lt;script&gt;" in page.text
    assert "route 1 of team pay, escalation policy pay-default: schedule:pay-on-call" in page.text
    assert "Slack answered ok" in page.text
    assert "HTTP 200" in page.text
    assert "k" * 32 in page.text
    assert "tier=web" in page.text


def test_an_unknown_or_malformed_alert_id_is_a_404_not_a_500(loaded: Served) -> None:
    assert loaded.client.get("/alerts/99999").status_code == 404
    for wrong in ("abc", "99999999999999999999999", "-1"):
        page = loaded.client.get(f"/alerts/{wrong}")
        assert page.status_code == 404, wrong
        assert page.headers["content-type"].startswith("text/html")


def test_acknowledging_an_alert_that_does_not_exist_is_the_consoles_404(loaded: Served) -> None:
    """Its form posted for an alert deleted, mistyped or in another database, with the old name field left empty:
    the page that would show the error cannot be drawn, and the answer is the console's 404, not a 500."""
    answer = loaded.client.post("/alerts/99999/acknowledge", data={"by": ""}, headers=SAME)

    assert answer.status_code == 404


def test_an_alert_id_of_unicode_digits_is_the_consoles_404_for_the_page_and_its_form(loaded: Served) -> None:
    """`²` passes `str.isdigit()` and then fails `int()`: once a 500, now a 404 as for any id that is no alert's."""
    assert loaded.client.get("/alerts/²").status_code == 404
    assert loaded.client.post("/alerts/²/acknowledge", data={"by": "asha"}, headers=SAME).status_code == 404


def test_who_acts_on_an_alert_is_whoever_is_signed_in_and_a_nul_in_a_name_reaches_no_database(
    loaded: Served,
) -> None:
    """A name with a NUL character (which PostgreSQL text cannot hold) once answered 500 from the API and the
    console. Now a name in the API's body is refused, the console's form is not read for one, and an account's
    name is checked when the account is made."""
    first = _alert(loaded, "pay-api-health is DOWN", check="pay-api-health")
    second = _alert(loaded)

    api = loaded.client.post(f"/api/v1/alerts/{first}/acknowledge", json={"by": "as\u0000ha"})
    form = loaded.client.post(
        f"/alerts/{second}/resolve", data={"by": "as\u0000ha"}, headers=SAME, follow_redirects=False
    )

    assert api.status_code == 422, api.text[:200]
    assert form.status_code == 303, form.text[:200]
    with loaded.db.reading() as connection:
        resolved = alert_store.get(connection, second)
    assert resolved is not None
    assert resolved["resolved_by"] == "Asha Patel (console)"
    with pytest.raises(Refused, match="control characters"):
        create_account(loaded.db, T0, NewAccount("x@example.org", "viewer", name="as\u0000ha"), cli_actor("tests"))


def test_the_inbox_shows_what_inbox_channels_were_sent(loaded: Served) -> None:
    with loaded.db.transaction() as connection:
        connection.execute(
            insert(t.inbox_messages).values(
                channel_id="demo-inbox",
                team_id="pay",
                notification_key="n" * 32,
                at=T0,
                subject="Triggered: shop is DOWN",
                body="line one\nline two",
            )
        )

    page = loaded.client.get("/inbox")

    assert page.status_code == 200
    assert "Triggered: shop is DOWN" in page.text
    assert "line one\nline two" in page.text
