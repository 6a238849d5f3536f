"""Cursors: any key of a list's types comes back as it went, and is refused by another list."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.web.api.lists import BigInt, Listing
from watchkeeper.web.problems import Problem

RESULTS = Listing("results", (datetime, BigInt, str))
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(8999, 1, 1), timezones=st.just(UTC)).map(
    lambda at: at.astimezone(UTC)
)
texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=80)


@given(instants, st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1), texts)
def test_a_key_comes_back_as_it_went(at, number, text):
    assert RESULTS.after(RESULTS.cursor((at, number, text))) == (at, number, text)


def test_an_instant_keeps_its_microseconds_and_is_read_in_utc():
    at = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC) + timedelta(hours=1)

    assert RESULTS.after(RESULTS.cursor((at, 1, "x"))) == (at, 1, "x")


def test_a_cursor_of_another_list_is_refused():
    other = Listing("alerts", (datetime, BigInt, str))

    with pytest.raises(Problem) as refused:
        other.after(RESULTS.cursor((datetime(2026, 1, 1, tzinfo=UTC), 1, "x")))

    assert refused.value.status_code == 400
    assert refused.value.extra["errors"][0]["location"] == "query.cursor"
