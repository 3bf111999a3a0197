"""core/config/outline.py: the reading of a configuration that ``slaclock validate`` and
the dashboard's policies page share."""

from __future__ import annotations

from datetime import date

from slaclock.core.calendar import Calendar
from slaclock.core.config.outline import hours_on_days, target_for, upcoming_holidays, weekly_hours
from slaclock.core.model import Target

H = 3600


def test_an_overnight_interval_is_drawn_on_both_days_it_touches() -> None:
    night = Calendar.from_dict(
        {
            "id": "night",
            "tz": "Europe/Oslo",
            "week": {"mon": ["22:00-06:00"], "sun": ["20:00-02:00"]},
        }
    )
    week = weekly_hours(night)
    assert week[0] == ((22 * H, 30 * H),)  # as validated: Monday's, ending past midnight
    days = hours_on_days(week)
    assert days[0] == [(0, 2 * H), (22 * H, 24 * H)]  # Sunday's night spills onto Monday
    assert days[1] == [(0, 6 * H)]
    assert days[6] == [(20 * H, 24 * H)]
    assert days[2:6] == [[], [], [], []]


def test_upcoming_holidays_are_those_of_the_next_year_named() -> None:
    office = Calendar.from_dict(
        {"id": "office", "tz": "Europe/Amsterdam", "week": {"mon": ["09:00-17:00"]},
         "holidays": {"country": "NL", "dates": ["2026-12-24"]},
         "openings": [{"date": "2026-04-27", "hours": ["10:00-12:00"]}]}
    )  # fmt: skip
    found = dict(upcoming_holidays(office, date(2026, 3, 3)))
    assert found[date(2026, 12, 24)] == "Closed"
    assert date(2026, 4, 27) not in found  # King's Day, but the office opens that day
    assert max(found) <= date(2027, 3, 3) and min(found) >= date(2026, 3, 3)
    assert upcoming_holidays(office, date(2026, 3, 3), days=30) == []


def test_a_target_per_priority_with_its_goal() -> None:
    by_priority = Target("first_response", {"urgent": 1800, "low": 14400}, {"urgent": 900})
    assert target_for(by_priority, "urgent") == (1800, 900)
    assert target_for(by_priority, "low") == (14400, None)
    assert target_for(by_priority, "normal") == (None, None)  # no clock for that priority
    assert target_for(Target("resolution", 3600, 1800), "high") == (3600, 1800)
