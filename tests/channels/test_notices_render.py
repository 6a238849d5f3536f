"""A notice (a maintenance window starting or ending) is a message with no alerts: every channel renders one."""

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter

from watchkeeper.catalog.teams import Channel
from watchkeeper.channels import Message, channel_types

CONFIGS = {
    "slack": {"webhook_url": "https://hooks.example/T/B/X"},
    "teams": {"webhook_url": "https://teams.example/workflows/1"},
    "email": {"to": ["ops@example.gov.uk"]},
    "webhook": {"url": "https://hooks.example/wk"},
    "pagerduty": {"routing_key": "r" * 32},
    "zendesk": {"subdomain": "org", "email": "ops@example.gov.uk", "api_token": "token"},
    "notify": {"api_key": "key", "email_template_id": "e", "to": ["ops@example.gov.uk"]},
    "apprise": {"url": "json://127.0.0.1/"},
    "inbox": {},
}
NOTICE = Message(
    idempotency_key="n" * 32,
    team_id="re",
    channel_id="c",
    action="trigger",
    severity="info",
    title="Maintenance started: Patching (platform paas), until 2026-11-26 12:15 UTC",
    alerts=(),
    created_at=datetime(2026, 11, 26, 12, 5, tzinfo=UTC),
)


def test_every_channel_type_has_a_config_here() -> None:
    assert set(CONFIGS) == set(channel_types())


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_a_notice_renders_with_its_title(kind: str) -> None:
    config = TypeAdapter(Channel).validate_python({"id": "c", "type": kind, **CONFIGS[kind]})

    request = channel_types()[kind].render(NOTICE, config)

    assert request is not None
    if kind not in ("pagerduty", "zendesk"):  # these act per alert: a notice sends nothing there
        assert "Maintenance started: Patching" in repr(request)
