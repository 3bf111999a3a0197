"""Parse and validate one entry of ``calendars:`` into a frozen :class:`CalendarSpec`.

Validation happens once, here: a :class:`CalendarSpec` that exists is valid, so the
index builder never re-checks anything. Every error names the calendar id, the key path
and the bad value, because people fix configuration files by reading those three things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from slaclock.core.calendar.holiday_tables import country_table
from slaclock.core.errors import CalendarError

DAY_SECONDS = 86_400
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TOP_KEYS = frozenset({"id", "tz", "week", "holidays", "closures", "openings", "always_open"})
_HOLIDAY_KEYS = frozenset({"country", "subdivision", "dates"})
_CLOSURE_KEYS = frozenset({"start", "end", "name"})
_OPENING_KEYS = frozenset({"date", "hours", "name"})
_ID_RE = re.compile(r"[a-z0-9_-]+")
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LOCAL_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")

#: One opening interval in seconds from the local midnight of the day it belongs to;
#: ``end`` may exceed 86,400 (an overnight interval spills into the next day).
DayInterval = tuple[int, int]


class CalendarDefinitionError(CalendarError):
    """A calendar mapping is invalid; ``calendar_id``, ``path`` and ``value`` say where."""

    def __init__(self, calendar_id: str | None, path: str, reason: str, value: object) -> None:
        self.calendar_id = calendar_id
        self.path = path
        self.reason = reason
        self.value = value
        who = f"calendar {calendar_id!r}" if calendar_id else "calendar"
        super().__init__(f"{who}: {path}: {reason} (got {value!r})")


@dataclass(frozen=True)
class Closure:
    """A partial closure in local wall time, ``[start, end)``."""

    start: datetime
    end: datetime
    name: str


@dataclass(frozen=True)
class CalendarSpec:
    """A validated calendar: weekly hours, holidays, closures and openings."""

    id: str
    tz: ZoneInfo
    always_open: bool
    week: tuple[tuple[DayInterval, ...], ...]  # index 0 = Monday
    country: str | None
    subdivision: str | None
    extra_dates: frozenset[date]
    closures: tuple[Closure, ...]
    openings: Mapping[date, tuple[DayInterval, ...]]
    opening_names: Mapping[date, str]
    source: Mapping[str, Any]  # the normalised mapping, for to_dict()


class _Parser:
    """Walks one mapping, raising :class:`CalendarDefinitionError` at the first problem."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        raw_id = data.get("id") if isinstance(data, Mapping) else None
        self.cal_id = raw_id if isinstance(raw_id, str) else None

    def fail(self, path: str, reason: str, value: object) -> CalendarDefinitionError:
        return CalendarDefinitionError(self.cal_id, path, reason, value)

    def check_keys(self, mapping: object, allowed: frozenset[str], path: str) -> Mapping[str, Any]:
        if not isinstance(mapping, Mapping):
            raise self.fail(path or "calendar", "must be a mapping", mapping)
        for key in mapping:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                raise self.fail(where, f"unknown key; allowed: {', '.join(sorted(allowed))}", key)
        return mapping

    def parse(self) -> CalendarSpec:
        data = self.check_keys(self.data, _TOP_KEYS, "")
        cal_id = self.parse_id(data.get("id"))
        tz = self.parse_tz(data.get("tz"))
        always_open = data.get("always_open", False)
        if not isinstance(always_open, bool):
            raise self.fail("always_open", "must be true or false", always_open)
        if always_open:
            for key in ("week", "holidays", "closures", "openings"):
                if data.get(key):
                    raise self.fail(key, "not allowed with always_open: true", data[key])
        week = self.parse_week(data.get("week"))
        country, subdivision, extra = self.parse_holidays(data.get("holidays"))
        closures = self.parse_closures(data.get("closures"))
        openings, names = self.parse_openings(data.get("openings"))
        if not always_open and not any(week) and not any(openings.values()):
            raise self.fail("week", "the calendar has no open time at all", data.get("week"))
        return CalendarSpec(
            cal_id, tz, always_open, week, country, subdivision, extra, closures,
            openings, names, _normalised(data),
        )  # fmt: skip

    def parse_id(self, value: object) -> str:
        if not isinstance(value, str) or not _ID_RE.fullmatch(value):
            raise self.fail("id", "required; lowercase letters, digits, '_' and '-'", value)
        return value

    def parse_tz(self, value: object) -> ZoneInfo:
        if not isinstance(value, str) or not value:
            raise self.fail("tz", "required IANA time zone name", value)
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.fail("tz", "unknown time zone", value) from exc

    def parse_week(self, value: object) -> tuple[tuple[DayInterval, ...], ...]:
        if value is None:
            return ((),) * 7
        week = self.check_keys(value, frozenset(WEEKDAYS), "week")
        return tuple(self.parse_hours(week.get(day), f"week.{day}") for day in WEEKDAYS)

    def parse_hours(self, value: object, path: str) -> tuple[DayInterval, ...]:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise self.fail(path, "must be a list of 'HH:MM-HH:MM' intervals", value)
        parsed = sorted(
            (self.parse_interval(text, f"{path}[{n}]"), n) for n, text in enumerate(value)
        )
        merged: list[DayInterval] = []
        for (start, end), n in parsed:
            if merged and start < merged[-1][1]:
                raise self.fail(f"{path}[{n}]", "overlaps another interval of the day", value[n])
            if merged and start == merged[-1][1]:
                merged[-1] = (merged[-1][0], end)  # touching intervals merge
            else:
                merged.append((start, end))
        return tuple(merged)

    def parse_interval(self, text: object, path: str) -> DayInterval:
        parts = text.split("-") if isinstance(text, str) else []
        if len(parts) != 2:
            raise self.fail(path, "must look like 'HH:MM-HH:MM'", text)
        start = self.parse_time(parts[0].strip(), path, text, allow_24=False)
        end = self.parse_time(parts[1].strip(), path, text, allow_24=True)
        if end <= start:
            end += DAY_SECONDS  # crosses midnight: belongs to the day it starts on
        return (start, end)

    def parse_time(self, text: str, path: str, whole: object, *, allow_24: bool) -> int:
        match = _TIME_RE.fullmatch(text)
        if not match:
            raise self.fail(path, "time must be HH:MM or HH:MM:SS", whole)
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        total = hours * 3600 + minutes * 60 + seconds
        if total == DAY_SECONDS and allow_24:
            return total
        if hours > 23 or minutes > 59 or seconds > 59:
            what = "24:00 is only allowed as an end" if total == DAY_SECONDS else "no such time"
            raise self.fail(path, what, whole)
        return total

    def parse_holidays(self, value: object) -> tuple[str | None, str | None, frozenset[date]]:
        if value is None:
            return None, None, frozenset()
        spec = self.check_keys(value, _HOLIDAY_KEYS, "holidays")
        country, subdivision = spec.get("country"), spec.get("subdivision")
        if country is not None and not isinstance(country, str):
            raise self.fail("holidays.country", "must be an ISO country code", country)
        if subdivision is not None and (country is None or not isinstance(subdivision, str)):
            raise self.fail("holidays.subdivision", "needs a country; must be a code", subdivision)
        if country is not None:
            self.check_country(country, subdivision)
        dates = spec.get("dates") or []
        if isinstance(dates, str) or not isinstance(dates, Sequence):
            raise self.fail("holidays.dates", "must be a list of YYYY-MM-DD dates", dates)
        extra = frozenset(self.parse_date(d, f"holidays.dates[{n}]") for n, d in enumerate(dates))
        return country, subdivision, extra

    def check_country(self, country: str, subdivision: str | None) -> None:
        try:
            country_table(country, subdivision, [])
        except NotImplementedError as exc:
            if subdivision is None or country not in holidays_lib.list_supported_countries():
                raise self.fail("holidays.country", "unknown country", country) from exc
            raise self.fail("holidays.subdivision", "unknown subdivision", subdivision) from exc

    def parse_date(self, value: object, path: str) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(path, "must be a date YYYY-MM-DD", value)

    def parse_local(self, value: object, path: str) -> datetime:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value
        if isinstance(value, str) and _LOCAL_RE.fullmatch(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(path, "must be a local time YYYY-MM-DDTHH:MM[:SS] (no offset)", value)

    def parse_closures(self, value: object) -> tuple[Closure, ...]:
        if value is None:
            return ()
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise self.fail("closures", "must be a list", value)
        result = []
        for n, item in enumerate(value):
            path = f"closures[{n}]"
            entry = self.check_keys(item, _CLOSURE_KEYS, path)
            start = self.parse_local(entry.get("start"), f"{path}.start")
            end = self.parse_local(entry.get("end"), f"{path}.end")
            if end <= start:
                raise self.fail(f"{path}.end", "must be after start", entry.get("end"))
            result.append(Closure(start, end, str(entry.get("name") or "Closed")))
        return tuple(result)

    def parse_openings(
        self, value: object
    ) -> tuple[dict[date, tuple[DayInterval, ...]], dict[date, str]]:
        if value is None:
            return {}, {}
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise self.fail("openings", "must be a list", value)
        hours: dict[date, tuple[DayInterval, ...]] = {}
        names: dict[date, str] = {}
        for n, item in enumerate(value):
            path = f"openings[{n}]"
            entry = self.check_keys(item, _OPENING_KEYS, path)
            day = self.parse_date(entry.get("date"), f"{path}.date")
            if day in hours:
                raise self.fail(f"{path}.date", "date already has an opening", entry.get("date"))
            if "hours" not in entry:
                raise self.fail(f"{path}.hours", "required", None)
            hours[day] = self.parse_hours(entry["hours"], f"{path}.hours")
            names[day] = str(entry.get("name") or "Opening")
        return hours, names


def _normalised(data: Mapping[str, Any]) -> dict[str, Any]:
    """A plain-JSON copy of the mapping (dates as ISO strings), for ``to_dict``."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, date):
            return value.isoformat()
        return value

    result: dict[str, Any] = plain(data)
    return result


def parse_spec(data: Mapping[str, Any]) -> CalendarSpec:
    """Validate ``data`` (one entry of ``calendars:``); raise on the first problem."""
    return _Parser(data).parse()
