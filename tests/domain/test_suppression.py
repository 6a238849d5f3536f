"""What suppresses an alert: a maintenance window over its subject, then a silence over its labels."""

from datetime import UTC, datetime, timedelta

from watchkeeper.domain.maintenance import Scope, active_at, one_off
from watchkeeper.domain.silences import Silence, check_matchers, parse_matcher
from watchkeeper.domain.suppression import AlertFacts, suppressed_by

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
PLATFORM_CHECK = AlertFacts("check", "page", "re", check="paas-api", platform="paas")
SERVICE_CHECK = AlertFacts("check", "page", "pay", check="pay-api-health", service="pay-api", platform="paas")
INBOUND = AlertFacts("alertmanager", "ticket", "pay", labels={"service": "their-name", "alertname": "HighLatency"})


def _window(window_id: str, scope: Scope) -> list:
    window = one_off(window_id, window_id, scope, T0, LATER)
    return active_at([window], T0)


def _silence(silence_id: int, *texts: str) -> Silence:
    return Silence(silence_id, check_matchers(parse_matcher(t) for t in texts), T0, LATER)


def test_a_platform_window_covers_the_platforms_own_checks_not_the_services_on_it():
    windows = _window("paas-patching", Scope(platforms=frozenset({"paas"})))

    assert suppressed_by(PLATFORM_CHECK, windows, [], T0) == "maintenance:paas-patching"
    assert suppressed_by(SERVICE_CHECK, windows, [], T0) is None


def test_a_service_window_covers_its_checks_and_a_check_window_its_check():
    by_service = _window("pay-deploy", Scope(services=frozenset({"pay-api"})))
    by_check = _window("runtime:4", Scope(checks=frozenset({"pay-api-health"})))

    assert suppressed_by(SERVICE_CHECK, by_service, [], T0) == "maintenance:pay-deploy"
    assert suppressed_by(SERVICE_CHECK, by_check, [], T0) == "maintenance:runtime:4"
    assert suppressed_by(PLATFORM_CHECK, by_service + by_check, [], T0) is None


def test_a_window_that_has_ended_suppresses_nothing():
    windows = _window("pay-deploy", Scope(services=frozenset({"pay-api"})))

    assert suppressed_by(SERVICE_CHECK, windows, [], LATER) is None


def test_a_silence_on_the_platform_label_covers_the_services_on_it():
    silence = _silence(7, "platform=paas")

    assert suppressed_by(SERVICE_CHECK, [], [silence], T0) == "silence:7"
    assert suppressed_by(PLATFORM_CHECK, [], [silence], T0) == "silence:7"


def test_watchkeepers_facts_win_over_a_senders_label_of_the_same_name():
    facts = AlertFacts("alertmanager", "page", "pay", service="pay-api", labels={"service": "payments"})

    assert suppressed_by(facts, [], [_silence(1, "service=pay-api")], T0) == "silence:1"
    assert suppressed_by(facts, [], [_silence(2, "service=payments")], T0) is None


def test_a_senders_own_labels_match_when_watchkeeper_knows_nothing_of_them():
    assert suppressed_by(INBOUND, [], [_silence(3, "alertname=HighLatency", "severity=ticket")], T0) == "silence:3"
    assert suppressed_by(INBOUND, [], [_silence(4, "service=their-name", "source=alertmanager")], T0) == "silence:4"
    assert suppressed_by(INBOUND, [], [_silence(5, "alertname=HighLatency", "severity=page")], T0) is None


def test_a_window_is_named_before_a_silence():
    windows = _window("pay-deploy", Scope(services=frozenset({"pay-api"})))

    assert suppressed_by(SERVICE_CHECK, windows, [_silence(1, "team=pay")], T0) == "maintenance:pay-deploy"


def test_a_silence_outside_its_time_suppresses_nothing():
    assert suppressed_by(SERVICE_CHECK, [], [_silence(1, "team=pay")], LATER) is None
