"""Named examples, one per rule of calendar.md, with every instant written out."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slaclock import Calendar
from slaclock.core.errors import CalendarError

AMS = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
HOUR = 3600


def office(**extra: object) -> Calendar:
    data: dict[str, object] = {
        "id": "ams",
        "tz": "Europe/Amsterdam",
        "week": {day: ["09:00-17:00"] for day in WEEKDAYS},
    }
    data.update(extra)
    return Calendar.from_dict(data)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_eight_hours_from_monday_nine_ends_monday_five_not_tuesday() -> None:
    cal = office()
    assert cal.add(ams(2024, 1, 8, 9), 8 * HOUR) == ams(2024, 1, 8, 17)


def test_add_zero_returns_start_even_when_closed() -> None:
    cal = office()
    sunday = ams(2024, 1, 7, 12)
    assert cal.add(sunday, 0) == sunday
    assert cal.add(sunday, 0).tzinfo is UTC


def test_add_from_closed_time_starts_at_next_opening() -> None:
    cal = office()
    assert cal.add(ams(2024, 1, 6, 12), HOUR) == ams(2024, 1, 8, 10)


def test_negative_add_is_latest_instant() -> None:
    cal = office()
    # 1h back from Monday 10:00 is Monday 09:00, not Friday 17:00.
    assert cal.add(ams(2024, 1, 8, 10), -HOUR) == ams(2024, 1, 8, 9)
    # 8h back from Tuesday 09:00 is Monday 09:00 (latest instant with 8h open after it).
    assert cal.add(ams(2024, 1, 9, 9), -8 * HOUR) == ams(2024, 1, 8, 9)
    assert cal.add(ams(2024, 1, 8, 9), -1) == ams(2024, 1, 5, 16, 59, 59)


def test_intervals_are_half_open() -> None:
    cal = office()
    assert cal.is_open(ams(2024, 1, 8, 9))
    assert not cal.is_open(ams(2024, 1, 8, 17))
    assert cal.is_open(ams(2024, 1, 8, 16, 59, 59))
    assert not cal.is_open(ams(2024, 1, 8, 8, 59, 59))


def test_next_open() -> None:
    cal = office()
    assert cal.next_open(ams(2024, 1, 8, 10)) == ams(2024, 1, 8, 10)
    assert cal.next_open(ams(2024, 1, 8, 17)) == ams(2024, 1, 9, 9)
    assert cal.next_open(ams(2024, 1, 6, 3)) == ams(2024, 1, 8, 9)


def test_elapsed_and_its_sign() -> None:
    cal = office()
    assert cal.elapsed(ams(2024, 1, 5, 16), ams(2024, 1, 8, 10)) == 2 * HOUR
    assert cal.elapsed(ams(2024, 1, 8, 10), ams(2024, 1, 5, 16)) == -2 * HOUR
    assert cal.elapsed(ams(2024, 1, 6), ams(2024, 1, 6, 5)) == 0


def test_dst_day_nine_to_five_is_eight_real_hours() -> None:
    cal = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": {"sun": ["00:00-24:00"]}}
    )
    # 2024-03-31 has 23 real hours, 2024-10-27 has 25.
    assert cal.elapsed(utc(2024, 3, 30), utc(2024, 4, 1)) == 23 * HOUR
    assert cal.elapsed(utc(2024, 10, 26), utc(2024, 10, 28)) == 25 * HOUR
    day = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": {"sun": ["09:00-17:00"]}}
    )
    assert day.elapsed(utc(2024, 3, 30), utc(2024, 4, 1)) == 8 * HOUR


def test_spring_forward_gap_maps_to_first_instant_after_gap() -> None:
    # 02:30 does not exist on 2024-03-31 in Amsterdam: the clock jumps 02:00 -> 03:00,
    # at 01:00 UTC. "02:30-04:00" opens at 01:00 UTC and lasts one real hour.
    cal = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": {"sun": ["02:30-04:00"]}}
    )
    assert cal.next_open(utc(2024, 3, 31)) == utc(2024, 3, 31, 1)
    assert cal.elapsed(utc(2024, 3, 30), utc(2024, 4, 1)) == HOUR
    assert not cal.is_open(utc(2024, 3, 31, 0, 59, 59))
    assert cal.is_open(utc(2024, 3, 31, 1))


def test_fall_back_fold_maps_to_first_occurrence() -> None:
    # 02:30 happens twice on 2024-10-27 (00:30 UTC in CEST, 01:30 UTC in CET).
    cal = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": {"sun": ["02:30-03:00"]}}
    )
    assert cal.next_open(utc(2024, 10, 27)) == utc(2024, 10, 27, 0, 30)
    # 02:30 (first) to 03:00 (after the fold) is 1.5 real hours.
    assert cal.elapsed(utc(2024, 10, 26), utc(2024, 10, 28)) == 1.5 * HOUR


def test_overnight_over_dst_change_night() -> None:
    cal = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": {"sat": ["22:00-06:00"]}}
    )
    assert cal.elapsed(utc(2024, 3, 30), utc(2024, 4, 1)) == 7 * HOUR
    assert cal.elapsed(utc(2024, 10, 26), utc(2024, 10, 28)) == 9 * HOUR


def test_overnight_interval_belongs_to_the_day_it_starts() -> None:
    cal = Calendar.from_dict({"id": "x", "tz": "UTC", "week": {"sat": ["22:00-06:00"]}})
    assert cal.is_open(utc(2024, 1, 7, 5, 59))  # Sunday morning
    assert not cal.is_open(utc(2024, 1, 7, 22))  # Sunday night is closed
    assert cal.next_open(utc(2024, 1, 7, 6)) == utc(2024, 1, 13, 22)


def test_overnight_across_a_holiday_is_cut_at_midnight() -> None:
    # 2024-12-25 (Wednesday) is a Dutch holiday: Tuesday 22:00-24:00 stays open, the
    # part on Wednesday goes, and Wednesday's own night interval goes.
    week = {day: ["22:00-06:00"] for day in WEEKDAYS}
    cal = Calendar.from_dict(
        {"id": "x", "tz": "Europe/Amsterdam", "week": week, "holidays": {"country": "NL"}}
    )
    assert cal.is_open(ams(2024, 12, 24, 23))
    assert not cal.is_open(ams(2024, 12, 25, 1))
    assert cal.elapsed(ams(2024, 12, 24, 12), ams(2024, 12, 27, 12)) == 2 * HOUR
    assert ("2024-12-26" in [d.isoformat() for d, _ in cal.holidays_between(
        date(2024, 12, 1), date(2024, 12, 31))])  # fmt: skip


def test_opening_beats_holiday_and_replaces_weekly_hours() -> None:
    cal = office(
        holidays={"country": "NL", "dates": ["2026-12-24"]},
        openings=[
            {"date": "2026-12-24", "hours": ["10:00-12:00"], "name": "Half day"},
            {"date": "2026-12-27", "hours": ["10:00-14:00"], "name": "Stock-taking Sunday"},
            {"date": "2026-12-23", "hours": ["13:00-14:00"]},
        ],
    )
    assert cal.elapsed(ams(2026, 12, 24), ams(2026, 12, 25)) == 2 * HOUR
    assert cal.elapsed(ams(2026, 12, 27), ams(2026, 12, 28)) == 4 * HOUR
    assert cal.elapsed(ams(2026, 12, 23), ams(2026, 12, 24)) == HOUR
    assert not cal.is_open(ams(2026, 12, 23, 9, 30))
    assert cal.elapsed(ams(2026, 12, 25), ams(2026, 12, 26)) == 0  # Christmas
    names = dict(cal.holidays_between(date(2026, 12, 20), date(2026, 12, 31)))
    assert date(2026, 12, 24) not in names
    assert names[date(2026, 12, 25)] == "Christmas Day"


def test_explicit_dates_and_subdivision() -> None:
    cal = office(holidays={"country": "DE", "subdivision": "BY", "dates": ["2024-01-10"]})
    assert cal.elapsed(ams(2024, 1, 10), ams(2024, 1, 11)) == 0
    assert cal.elapsed(ams(2024, 1, 6), ams(2024, 1, 7)) == 0  # a Saturday anyway
    assert cal.elapsed(ams(2024, 5, 30), ams(2024, 5, 31)) == 0  # Corpus Christi in Bavaria
    berlin = office(holidays={"country": "DE", "subdivision": "BE"})
    assert berlin.elapsed(ams(2024, 5, 30), ams(2024, 5, 31)) == 8 * HOUR


def test_partial_closure() -> None:
    cal = office(closures=[{"start": "2026-12-31T15:00", "end": "2027-01-04T10:00"}])
    assert cal.is_open(ams(2026, 12, 31, 14, 59))
    assert not cal.is_open(ams(2026, 12, 31, 15))
    assert cal.next_open(ams(2026, 12, 31, 15)) == ams(2027, 1, 4, 10)
    assert cal.elapsed(ams(2026, 12, 31), ams(2027, 1, 5)) == 6 * HOUR + 7 * HOUR


def test_always_open() -> None:
    cal = Calendar.from_dict({"id": "24x7", "tz": "UTC", "always_open": True})
    start = utc(2024, 3, 31, 0, 30)
    assert cal.add(start, 10 * HOUR) == start + timedelta(hours=10)
    assert cal.elapsed(utc(2024, 1, 1), utc(2025, 1, 1)) == 366 * 86400
    assert cal.weekly_open_seconds() == 7 * 86400


def test_24_00_end_and_touching_intervals_merge() -> None:
    cal = Calendar.from_dict(
        {
            "id": "x",
            "tz": "UTC",
            "week": {"mon": ["12:00-24:00", "08:00-12:00"], "tue": ["00:00-01:00"]},
        }
    )
    assert cal.elapsed(utc(2024, 1, 8), utc(2024, 1, 10)) == 17 * HOUR
    # One merged interval Mon 08:00 - Tue 01:00 (24:00 touches 00:00 of the next day).
    assert cal.next_open(utc(2024, 1, 8, 12)) == utc(2024, 1, 8, 12)
    assert cal.add(utc(2024, 1, 8, 8), 17 * HOUR) == utc(2024, 1, 9, 1)
    assert cal.weekly_open_seconds() == 17 * HOUR


def test_seconds_in_intervals() -> None:
    cal = Calendar.from_dict({"id": "x", "tz": "UTC", "week": {"mon": ["09:00:30-09:00:45"]}})
    assert cal.elapsed(utc(2024, 1, 8), utc(2024, 1, 9)) == 15
    assert cal.add(utc(2024, 1, 8), 15) == utc(2024, 1, 8, 9, 0, 45)


def test_naive_datetimes_are_rejected() -> None:
    cal = office()
    naive = datetime(2024, 1, 8, 9)
    for call in (
        lambda: cal.add(naive, 1),
        lambda: cal.elapsed(naive, ams(2024, 1, 8)),
        lambda: cal.is_open(naive),
        lambda: cal.next_open(naive),
    ):
        with pytest.raises(CalendarError, match="naive"):
            call()


def test_naive_second_argument_of_elapsed_is_named() -> None:
    cal = office()
    with pytest.raises(CalendarError, match=r"naive datetime datetime.datetime\(2024, 1, 9"):
        cal.elapsed(ams(2024, 1, 8), datetime(2024, 1, 9))
    with pytest.raises(CalendarError, match="expected an aware datetime"):
        cal.add("2024-01-08T09:00Z", 60)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_durations_must_be_finite(bad: float) -> None:
    with pytest.raises(CalendarError):
        office().add(ams(2024, 1, 8, 9), bad)


def test_fractions_of_seconds() -> None:
    cal = office()
    start = ams(2024, 1, 8, 16, 59, 59, 250_000)
    assert cal.add(start, 0.5) == ams(2024, 1, 8, 16, 59, 59, 750_000)
    assert cal.add(start, 1.5) == ams(2024, 1, 9, 9, 0, 0, 750_000)
    assert cal.elapsed(start, ams(2024, 1, 9, 9, 0, 1)) == 1.75
    assert cal.add(ams(2024, 1, 8, 9), 3600.0) == ams(2024, 1, 8, 10)


def test_horizon() -> None:
    cal = office()
    with pytest.raises(CalendarError, match="1900-2200"):
        cal.is_open(utc(2201, 1, 1))
    with pytest.raises(CalendarError, match="1900-2200"):
        cal.add(utc(2199, 1, 1), 1e12)
    assert cal.is_open(ams(1900, 1, 2, 10)) and cal.is_open(ams(2200, 12, 31, 10))


def test_ten_thousand_hours_at_once_equals_one_hour_ten_thousand_times() -> None:
    cal = office(holidays={"country": "NL"})
    start = ams(2024, 5, 3, 11, 17, 3)
    stepped = start
    for _ in range(10_000):
        stepped = cal.add(stepped, HOUR)
    assert cal.add(start, 10_000 * HOUR) == stepped
    assert cal.elapsed(start, stepped) == 10_000 * HOUR


def test_pickle_and_copy() -> None:
    cal = office(holidays={"country": "NL"})
    cal.add(ams(2024, 1, 8, 9), HOUR)  # an index (with its lock) exists now
    again = pickle.loads(pickle.dumps(cal))
    assert again == cal and again.add(ams(2024, 1, 8, 9), HOUR) == ams(2024, 1, 8, 10)
    assert copy.deepcopy(cal) is cal and copy.copy(cal) is cal


def test_to_dict_round_trip_and_description() -> None:
    cal = office(holidays={"country": "NL", "dates": ["2026-12-24"]})
    again = Calendar.from_dict(cal.to_dict())
    assert again == cal and again.to_dict() == cal.to_dict()
    assert cal.id == "ams" and cal.tz == AMS
    assert cal.weekly_open_seconds() == 40 * HOUR


def test_holidays_between_lists_public_and_explicit_dates() -> None:
    cal = office(holidays={"country": "NL", "dates": ["2026-12-24"]})
    assert cal.holidays_between(date(2026, 12, 20), date(2026, 12, 26)) == [
        (date(2026, 12, 24), "Closed"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Second Day of Christmas"),
    ]


def test_weekly_open_seconds_counts_overnight_once() -> None:
    cal = Calendar.from_dict({"id": "x", "tz": "UTC", "week": {"fri": ["22:00-06:00"]}})
    assert cal.weekly_open_seconds() == 8 * HOUR


def test_threads_growing_the_index_agree_with_one_thread() -> None:
    data = office(holidays={"country": "NL"}).to_dict()
    starts = [ams(year, 3, 4, 10) for year in range(1950, 2150, 7)]
    expected = [Calendar.from_dict(data).add(s, 500 * HOUR) for s in starts]
    shared = Calendar.from_dict(data)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda s: shared.add(s, 500 * HOUR), starts))
    assert got == expected


def test_calendar_with_only_openings() -> None:
    cal = Calendar.from_dict(
        {
            "id": "popup",
            "tz": "Europe/Amsterdam",
            "openings": [
                {"date": "2026-06-01", "hours": ["10:00-11:00"]},
                {"date": "2026-06-03", "hours": ["10:00-12:00"]},
            ],
        }
    )
    assert cal.add(ams(2026, 5, 1), 90 * 60) == ams(2026, 6, 3, 10, 30)
    assert cal.add(ams(2026, 7, 1), -90 * 60) == ams(2026, 6, 3, 10, 30)
    assert cal.next_open(ams(2026, 6, 1, 11)) == ams(2026, 6, 3, 10)
    with pytest.raises(CalendarError, match="1900-2200"):
        cal.add(ams(2026, 5, 1), 4 * HOUR)
    with pytest.raises(CalendarError, match="no open time after"):
        cal.next_open(ams(2026, 6, 3, 12))
