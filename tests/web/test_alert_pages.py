"""The console's alert pages: open alerts, one alert's timeline and deliveries, and the inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert

from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.store import tables as t

if TYPE_CHECKING:  # `tests` is no package: pytest puts tests/ itself on the path, so this import fails when run
    from tests.web.conftest import Served

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _alert(served: Served, summary: str = "pay-frontend-home is DOWN: HTTP 503") -> int:
    signal = Signal(
        action="trigger",
        dedup_key="check:pay-frontend-home",
        source="check",
        subject=Subject("check", "pay-frontend-home"),
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
