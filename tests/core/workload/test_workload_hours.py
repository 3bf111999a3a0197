"""Office hours as UTC intervals, checked against a minute-by-minute brute force."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.workload.hours import ALWAYS_OPEN, office_hours

AMSTERDAM = {"tz": "Europe/Amsterdam", "week": {d: ["09:00-12:30", "13:30-17:00"]
             for d in ("mon", "tue", "wed", "thu", "fri")}}  # fmt: skip
NIGHT = {"tz": "Europe/Oslo", "week": {"mon": ["22:00-06:00"], "fri": ["22:00-06:00"]}}
FIRST, LAST = date(2026, 3, 20), date(2026, 4, 10)  # spans the EU DST change of 29 March
HOURS = {"day": office_hours(AMSTERDAM, FIRST, LAST), "night": office_hours(NIGHT, FIRST, LAST)}
BASE = int(datetime(2026, 3, 22, tzinfo=UTC).timestamp())


def _open_by_wall_clock(calendar: dict, t: int) -> bool:
    """The reference: read the local wall clock and look the time up in the week."""
    local = datetime.fromtimestamp(t, ZoneInfo(calendar["tz"]))
    for back in (0, 1):  # an overnight interval belongs to the day it starts on
        day = local.date() - timedelta(days=back)
        for text in calendar["week"].get(day.strftime("%a").lower(), []):
            start, end = (time.fromisoformat(x) for x in text.split("-"))
            begin = datetime.combine(day, start)
            finish = datetime.combine(day + timedelta(days=int(end <= start)), end)
            if begin <= local.replace(tzinfo=None) < finish:
                return True
    return False


CALENDARS = {"day": AMSTERDAM, "night": NIGHT}
instants = st.integers(min_value=BASE, max_value=BASE + 12 * 86400)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(["day", "night"]), t=instants)
def test_is_open_agrees_with_the_wall_clock(name, t):
    assert HOURS[name].is_open(t) == _open_by_wall_clock(CALENDARS[name], t)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["day", "night"]), t=instants, minutes=st.integers(1, 900))
def test_add_is_the_earliest_instant_with_that_much_open_time(name, t, minutes):
    t -= t % 60
    hours, calendar = HOURS[name], CALENDARS[name]
    counted, u = 0, t
    while counted < minutes * 60:  # brute force: walk minute by minute
        counted += 60 if _open_by_wall_clock(calendar, u) else 0
        u += 60
    assert hours.add(t, minutes * 60) == u
    assert hours.elapsed(t, u) == minutes * 60


def test_next_open_moves_to_the_next_opening_and_keeps_open_instants():
    hours = HOURS["day"]
    saturday = int(datetime(2026, 3, 28, 12, tzinfo=UTC).timestamp())
    monday_nine = int(datetime(2026, 3, 30, 7, tzinfo=UTC).timestamp())  # 09:00 CEST
    assert hours.next_open(saturday) == monday_nine
    assert hours.next_open(monday_nine + 60) == monday_nine + 60


def test_lunch_break_is_closed_and_holidays_close_whole_days():
    lunch = int(datetime(2026, 3, 23, 12, 0, tzinfo=UTC).timestamp())  # 13:00 CET
    assert not HOURS["day"].is_open(lunch)
    closed = office_hours(AMSTERDAM, FIRST, LAST, lambda a, b: [(date(2026, 3, 23), "x")])
    monday_ten = int(datetime(2026, 3, 23, 9, tzinfo=UTC).timestamp())
    assert HOURS["day"].is_open(monday_ten) and not closed.is_open(monday_ten)


def test_always_open_hours_add_wall_time():
    assert ALWAYS_OPEN.add(1000, 500) == 1500
    assert ALWAYS_OPEN.is_open(123) and ALWAYS_OPEN.next_open(123) == 123
    assert office_hours({"tz": "UTC", "always_open": True}, FIRST, LAST).always_open
