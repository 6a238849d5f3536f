"""Durations and percentages as people write them: `30s`, `15m`, `1h30m`, `1w`, `99.95%`."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.durations import (
    format_duration,
    format_percent,
    parse_duration,
    parse_percent,
    readable_duration,
)

whole_milliseconds = st.timedeltas(min_value=timedelta(0), max_value=timedelta(weeks=52 * 200)).map(
    lambda value: value - timedelta(microseconds=value.microseconds % 1000)
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("250ms", timedelta(milliseconds=250)),
        ("1.5h", timedelta(minutes=90)),
        ("1w2d3h4m5s6ms", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5, milliseconds=6)),
        (" 1h 30m ", timedelta(hours=1, minutes=30)),
        ("0", timedelta(0)),
        ("0s", timedelta(0)),
    ],
)
def test_a_duration_is_read_as_written(written: str, expected: timedelta) -> None:
    assert parse_duration(written) == expected


@pytest.mark.parametrize("written", ["30 seconds", "-5m", "", "30", "m", "30S", "1h-30m", "5min", "1y", "h1"])
def test_text_that_is_not_a_duration_is_rejected_with_a_way_to_write_one(written: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_duration(written)
    message = str(raised.value)
    assert f"'{written}' is not a duration" in message
    assert "30s" in message
    assert "1w" in message


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(days=7), "1w"),
        (timedelta(days=8, milliseconds=1), "1w1d1ms"),
        (timedelta(milliseconds=1500), "1s500ms"),
    ],
)
def test_a_duration_is_written_in_its_shortest_form(value: timedelta, written: str) -> None:
    assert format_duration(value) == written


@given(whole_milliseconds)
def test_formatting_then_reading_a_duration_gives_it_back(value: timedelta) -> None:
    assert parse_duration(format_duration(value)) == value


@given(whole_milliseconds)
def test_a_formatted_duration_is_stable_when_read_and_formatted_again(value: timedelta) -> None:
    written = format_duration(value)
    assert format_duration(parse_duration(written)) == written


@given(st.lists(st.sampled_from(["ms", "s", "m", "h", "d", "w"]), min_size=1, max_size=6), st.data())
def test_any_sum_of_parts_reads_as_the_sum_of_its_parts(units: list[str], data: st.DataObject) -> None:
    size = {"ms": timedelta(milliseconds=1), "s": timedelta(seconds=1), "m": timedelta(minutes=1)}
    size |= {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
    amounts = [data.draw(st.integers(min_value=0, max_value=10_000)) for _ in units]
    written = "".join(f"{amount}{unit}" for amount, unit in zip(amounts, units, strict=True))
    assert parse_duration(written) == sum(
        (amount * size[unit] for amount, unit in zip(amounts, units, strict=True)), timedelta(0)
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [("99.95%", 99.95), ("100%", 100.0), ("0%", 0.0), (" 99.9 % ", 99.9), ("30%", 30.0)],
)
def test_a_percentage_is_read_as_written(written: str, expected: float) -> None:
    assert parse_percent(written) == pytest.approx(expected)


@pytest.mark.parametrize("written", ["99.95", "0.999", "", "%", "-1%", "ninety%"])
def test_a_percentage_needs_a_number_and_a_percent_sign(written: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_percent(written)
    assert f"'{written}' is not a percentage" in str(raised.value)


def test_a_percentage_above_100_is_rejected() -> None:
    with pytest.raises(ValueError) as raised:
        parse_percent("100.01%")
    assert "more than 100%" in str(raised.value)


@given(st.integers(min_value=0, max_value=10_000).map(lambda hundredths: hundredths / 100))
def test_formatting_then_reading_a_percentage_gives_it_back(value: float) -> None:
    assert parse_percent(format_percent(value)) == pytest.approx(value)


@pytest.mark.parametrize(
    ("length", "read"),
    [
        (timedelta(seconds=3), "3 s"),
        (timedelta(seconds=1.5), "1.5 s"),
        (timedelta(milliseconds=250), "0.25 s"),
        (timedelta(0), "0 s"),
        (timedelta(minutes=2), "2 min"),
        (timedelta(seconds=90), "1 min 30 s"),
        (timedelta(hours=1, minutes=30), "1 h 30 min"),
        (timedelta(days=2, seconds=5), "2 d 5 s"),
        (timedelta(seconds=-3), "-3 s"),
    ],
)
def test_a_duration_in_a_message_reads_as_people_say_it(length: timedelta, read: str) -> None:
    assert readable_duration(length) == read
