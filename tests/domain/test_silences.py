"""Silences: Alertmanager's four matchers, anchored RE2 regexes, and a start and an end."""

from datetime import UTC, datetime, timedelta

import pytest

from watchkeeper.domain.silences import Silence, check_matchers, matcher, matches, parse_matcher

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PAY = {"service": "pay-api", "team": "pay", "severity": "page", "env": "production"}


def _silence(*texts: str, starts: datetime = T0, ends: datetime = T0 + timedelta(hours=2)) -> Silence:
    return Silence(1, check_matchers(parse_matcher(t) for t in texts), starts, ends)


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("service=pay-api", PAY, True),
        ("service=pay", PAY, False),
        ("service!=pay-api", PAY, False),
        ("team!=notify", PAY, True),
        ("missing!=x", PAY, True),  # a label the alert lacks is the empty string
        ("missing=", PAY, True),
        ("service=~pay-.*", PAY, True),
        ("service=~pay", PAY, False),  # anchored: the whole value must match
        ("service=~api", PAY, False),
        ("team=~pay|notify", PAY, True),
        ("severity!~page|ticket", PAY, False),
        ("service!~notify-.*", PAY, True),
        ('env="production"', PAY, True),
    ],
)
def test_a_matcher_matches_as_in_alertmanager(text, labels, expected):
    assert parse_matcher(text).matches(labels) is expected


def test_a_silence_needs_every_matcher_and_its_time():
    silence = _silence("service=pay-api", "severity=~page|ticket")

    assert matches(silence, PAY, T0)
    assert matches(silence, PAY, T0 + timedelta(hours=1, minutes=59))
    assert not matches(silence, PAY, T0 - timedelta(seconds=1))
    assert not matches(silence, PAY, T0 + timedelta(hours=2))  # the end is exclusive
    assert not matches(silence, {**PAY, "severity": "info"}, T0)


def test_the_state_of_a_silence_follows_the_clock():
    silence = _silence("service=pay-api", starts=T0 + timedelta(hours=1))

    assert [silence.state(T0), silence.state(T0 + timedelta(hours=1)), silence.state(T0 + timedelta(hours=3))] == [
        "pending",
        "active",
        "expired",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("service", "is not a matcher"),
        ("=pay-api", "is not a matcher"),
        ("9service=x", "is not a matcher"),
        ("service=~(", "the regex of service does not compile: missing \\)"),
        ("service=~(a)\\1", "does not compile"),
        ("service=" + "x" * 1025, "longer than 1024 characters"),
    ],
)
def test_bad_matchers_are_refused_with_the_reason(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_matcher(text)


def test_a_bad_name_or_operator_is_refused():
    with pytest.raises(ValueError, match="not a label name"):
        matcher("bad-name", "=", "x")
    with pytest.raises(ValueError, match="not an operator"):
        matcher("service", "==", "x")


def test_a_silence_that_would_match_every_alert_is_refused():
    with pytest.raises(ValueError, match="would match every alert"):
        check_matchers([parse_matcher("service=~.*"), parse_matcher("team!=nobody")])
    with pytest.raises(ValueError, match="at least one matcher"):
        check_matchers([])
    with pytest.raises(ValueError, match="at most 32"):
        check_matchers([parse_matcher(f"l{n}=x") for n in range(33)])


def test_a_pathological_regex_matches_in_linear_time():
    catastrophic_for_backtracking = parse_matcher("service=~(a+)+b")
    value = "a" * 100_000

    started = datetime.now(UTC)
    assert not catastrophic_for_backtracking.matches({"service": value})
    assert datetime.now(UTC) - started < timedelta(seconds=1)
