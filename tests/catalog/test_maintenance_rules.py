"""A maintenance rule that cannot work is refused when the catalog is validated, at its file and line; one
that can keeps its meaning (and a one-off window its date) through the database."""

import pytest

PLATFORMS = "platforms.yaml"
RULE = 'recurrence: "FREQ=WEEKLY;BYDAY=TU"'


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=SOMETIMES", "not an RFC 5545 RRULE: unknown FREQ 'SOMETIMES'"),
        ("FREQ=WEEKLY;BYDAY=XX", "not an RFC 5545 RRULE: invalid 'BYDAY': XX"),
        ("FREQ=WEEKLY", "say which days a weekly window happens on"),
        ("FREQ=HOURLY", "the time of day is `start`"),
        ("FREQ=DAILY;COUNT=5", "end it with UNTIL instead"),
        ("FREQ=DAILY;UNTIL=20230101", "it never happens"),
        ("FREQ=DAILY;UNTIL=20271231T000000Z", "write it without the Z"),
    ],
)
def test_a_rule_that_cannot_work_is_a_problem_at_its_line(catalog, rule, reason):
    catalog.replace(PLATFORMS, RULE, f'recurrence: "{rule}"')

    [problem] = catalog.problems()

    assert problem.file == catalog.file(PLATFORMS)
    assert problem.line == catalog.line_of(PLATFORMS, f'recurrence: "{rule}"')
    assert reason in problem.message
    assert "maintenance[paas-weekly-patching].recurrence" in problem.message


def test_a_window_of_no_length_is_a_problem(catalog):
    catalog.replace(PLATFORMS, "        duration: 1h\n", "        duration: 0s\n")

    [problem] = catalog.problems()

    assert "must be longer than zero" in problem.message


def test_a_one_off_window_keeps_its_date_when_stored(catalog):
    catalog.replace(PLATFORMS, RULE, "recurrence: null")
    catalog.replace(PLATFORMS, 'start: "06:00"', 'start: "2026-12-01T06:00"')

    window = catalog.load().platforms[1].maintenance[0]

    assert window.model_dump(mode="json")["start"] == "2026-12-01T06:00"
