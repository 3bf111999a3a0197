"""Every validation error names the calendar id, the key path and the bad value."""

from __future__ import annotations

from typing import Any

import pytest

from slaclock import Calendar
from slaclock.core.calendar import CalendarDefinitionError
from slaclock.core.errors import CalendarError

GOOD: dict[str, Any] = {"id": "office", "tz": "Europe/Amsterdam", "week": {"mon": ["09:00-17:00"]}}


def broken(**changes: Any) -> dict[str, Any]:
    data = dict(GOOD)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "path", "value"),
    [
        (broken(tz="Mars/Olympus"), "tz", "Mars/Olympus"),
        (broken(tz=None), "tz", None),
        (broken(id="Bad Id"), "id", "Bad Id"),
        (broken(colour="red"), "colour", "colour"),
        (broken(week={"mon": ["9-17"]}), "week.mon[0]", "9-17"),
        (broken(week={"mon": ["09:00-25:00"]}), "week.mon[0]", "09:00-25:00"),
        (broken(week={"mon": ["24:00-10:00"]}), "week.mon[0]", "24:00-10:00"),
        (broken(week={"mon": ["09:00-17:60"]}), "week.mon[0]", "09:00-17:60"),
        (broken(week={"mon": ["09:00-12:00", "11:00-13:00"]}), "week.mon[1]", "11:00-13:00"),
        (broken(week={"mon": "09:00-17:00"}), "week.mon", "09:00-17:00"),
        (broken(week={"monday": ["09:00-17:00"]}), "week.monday", "monday"),
        (broken(week={"mon": []}), "week", {"mon": []}),
        (broken(holidays={"country": "XX"}), "holidays.country", "XX"),
        (broken(holidays={"country": "DE", "subdivision": "ZZ"}), "holidays.subdivision", "ZZ"),
        (broken(holidays={"country": "NL", "region": "x"}), "holidays.region", "region"),
        (broken(holidays={"dates": ["2026-02-30"]}), "holidays.dates[0]", "2026-02-30"),
        (broken(closures=[{"start": "2026-01-02T10:00", "end": "2026-01-02T09:00"}]),
         "closures[0].end", "2026-01-02T09:00"),
        (broken(closures=[{"start": "2026-01-02 10:00", "end": "2026-01-02T11:00"}]),
         "closures[0].start", "2026-01-02 10:00"),
        (broken(closures=[{"start": "2026-01-02T10:00+01:00", "end": "2026-01-02T11:00"}]),
         "closures[0].start", "2026-01-02T10:00+01:00"),
        (broken(openings=[{"date": "2026-12-27", "hours": ["10:00-9"]}]),
         "openings[0].hours[0]", "10:00-9"),
        (broken(openings=[{"date": "2026-12-27", "hours": []}] * 2),
         "openings[1].date", "2026-12-27"),
        (broken(always_open="yes"), "always_open", "yes"),
        (broken(always_open=True), "week", {"mon": ["09:00-17:00"]}),
    ],
)  # fmt: skip
def test_error_names_id_path_and_value(data: dict[str, Any], path: str, value: object) -> None:
    with pytest.raises(CalendarDefinitionError) as caught:
        Calendar.from_dict(data)
    error = caught.value
    assert isinstance(error, CalendarError)
    assert (error.path, error.value) == (path, value)
    message = str(error)
    assert path in message and repr(value) in message
    if isinstance(data.get("id"), str) and data["id"] == "office":
        assert "'office'" in message


def test_missing_id_is_reported() -> None:
    with pytest.raises(CalendarDefinitionError, match="id"):
        Calendar.from_dict({"tz": "UTC", "always_open": True})


def test_not_a_mapping() -> None:
    with pytest.raises(CalendarError):
        Calendar.from_dict(["id", "x"])  # type: ignore[arg-type]


def test_openings_alone_are_open_time() -> None:
    cal = Calendar.from_dict(
        {"id": "popup", "tz": "UTC", "openings": [{"date": "2026-06-01", "hours": ["10:00-11:00"]}]}
    )
    assert cal.weekly_open_seconds() == 0
