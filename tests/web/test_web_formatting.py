"""Durations, instants and zones as the pages show them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.web.formatting import Formatter, duration_parts, parse_instant, parse_zone

SIZES = {"duration-day": 86400, "duration-hour": 3600, "duration-minute": 60, "duration-second": 1}


def _reference(seconds: int) -> list[tuple[int, str]]:
    """Brute force: write out every unit, drop leading zeros, keep two, drop zeros."""
    rest = abs(seconds)
    days, rest = rest // 86400, rest % 86400
    hours, rest = rest // 3600, rest % 3600
    minutes, secs = rest // 60, rest % 60
    units = [(days, "duration-day"), (hours, "duration-hour"),
             (minutes, "duration-minute"), (secs, "duration-second")]  # fmt: skip
    while units and units[0][0] == 0:
        units.pop(0)
    kept = [u for u in units[:2] if u[0]]
    return kept or [(0, "duration-second")]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**8), max_value=10**8))
def test_duration_parts_match_the_brute_force(seconds: int) -> None:
    parts = duration_parts(seconds)
    assert parts == _reference(seconds)
    # Never more than the true duration, and short of it by less than the second unit.
    shown = sum(count * SIZES[unit] for count, unit in parts)
    order = list(SIZES)
    second = order[min(order.index(parts[0][1]) + 1, len(order) - 1)]
    assert 0 <= abs(seconds) - shown < SIZES[second]


def test_durations_read_naturally_in_each_language() -> None:
    utc = ZoneInfo("UTC")
    cases = {
        "en": ("2 hr 5 min", "1 day 3 hr", "0 sec"),
        "nl": ("2 uur 5 min", "1 dag 3 uur", "0 sec"),
        "de": ("2 Std. 5 Min.", "1 Tg. 3 Std.", "0 Sek."),
    }
    for locale, expected in cases.items():
        fmt = Formatter(locale, utc)
        assert (fmt.duration(7500), fmt.duration(-97200), fmt.duration(0)) == expected
    assert Formatter("en", utc).duration(None) == ""


def test_instants_are_shown_in_the_viewer_zone() -> None:
    oslo = Formatter("nb", ZoneInfo("Europe/Oslo"))
    assert oslo.instant("2026-03-29T00:30:00Z", "medium") == "29. mars 2026, 01:30:00"
    assert oslo.instant("2026-03-29T01:30:00Z", "medium") == "29. mars 2026, 03:30:00"  # DST
    assert oslo.instant(None) == ""
    assert oslo.number(12345) == "12\xa0345"
    assert parse_instant("2026-03-02T09:15:00Z") == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_only_real_zones_are_accepted() -> None:
    assert parse_zone("Europe/Bucharest") == ZoneInfo("Europe/Bucharest")
    for bad in (None, "", "Mars/Olympus", "../../etc/passwd", "x" * 100):
        assert parse_zone(bad) is None
