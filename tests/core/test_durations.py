"""Durations: every accepted form, every rejection, and the round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("45m", 2700),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1d2h3m4s", 93784),
        ("1h 30m", 5400),
        ("0m", 0),
        ("PT1H30M", 5400),
        ("P1DT2H", 93600),
        ("PT45S", 45),
        ("P2W", 1209600),
        ("pt15m", 900),
        ("3600", 3600),
        (3600, 3600),
        (0, 0),
    ],
)
def test_parse_duration_accepts(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "abc",
        "1x",
        "1.5h",
        "-5m",
        "30m1h",
        "1h1h",
        "P",
        "PT",
        "P1DT",
        "PT1D",
        "h",
        -1,
        1.5,
        True,
        None,
        [],
    ],
)
def test_parse_duration_rejects_with_a_message_naming_the_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as '90s'"):
        parse_duration(bad)


def test_parse_duration_message_names_the_bad_text() -> None:
    with pytest.raises(ValueError, match="'1x' is not one"):
        parse_duration("1x")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (60, "1m"), (5400, "1h30m"), (86400, "1d"), (93784, "1d2h3m4s"),
     (-900, "-15m"), (89.6, "1m30s")],
)  # fmt: skip
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_format_then_parse_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.integers(0, 30), st.integers(0, 200), st.integers(0, 5000))
def test_compact_and_iso_forms_agree_with_arithmetic(d: int, h: int, m: int, s: int) -> None:
    expected = d * 86400 + h * 3600 + m * 60 + s
    assert parse_duration(f"{d}d{h}h{m}m{s}s") == expected
    assert parse_duration(f"P{d}DT{h}H{m}M{s}S") == expected


def test_format_duration_without_days_counts_hours() -> None:
    assert format_duration(40 * 3600, days=False) == "40h"
    assert format_duration(90061, days=False) == "25h1m1s"
    assert parse_duration(format_duration(90061, days=False)) == 90061
