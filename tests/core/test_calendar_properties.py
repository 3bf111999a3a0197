"""Property tests: the calendar against a brute-force reference, and the laws of add/elapsed.

The reference knows nothing of the index. It decides, minute by minute of real time,
whether the office is open, from the local wall clock alone: the DST rule of calendar.md
("a nonexistent local time maps to the first instant after the gap, an ambiguous one to
its first occurrence") says a wall time ``w`` is reached at the first instant whose clock
shows ``w``; so an instant ``u`` is open exactly when the *highest wall time shown so far*
lies in the local open set. Every boundary in these calendars and zones is a whole minute,
so a minute is either all open or all closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock import Calendar

ZONES = [
    "Europe/Amsterdam", "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe",
    "Asia/Kathmandu", "Pacific/Apia", "Africa/Casablanca", "Asia/Tehran", "UTC",
]  # fmt: skip
COUNTRIES = [None, "NL", "US", "BR", "AU"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SPAN_DAYS = 8
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def offset_changes(zone: str) -> list[date]:
    """Local dates (2010-2027) around which the zone's UTC offset changes."""
    tz, found = ZoneInfo(zone), []
    moment = datetime(2010, 1, 1, 12, tzinfo=UTC)
    previous = moment.astimezone(tz).utcoffset()
    while moment.year < 2027:
        moment += timedelta(days=1)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(moment.astimezone(tz).date())
        previous = offset
    return found or [date(2020, 6, 1)]


CHANGES = {zone: offset_changes(zone) for zone in ZONES}


def hhmm(minute: int) -> str:
    return "24:00" if minute == 1440 else f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn) -> list[str]:
    points = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    hours = [f"{hhmm(a)}-{hhmm(b)}" for a, b in zip(points[::2], points[1::2], strict=True)]
    if draw(st.booleans()) and points and points[-1] < 1440:
        start = draw(st.integers(points[-1], 1439))
        end = draw(st.integers(0, min(points[0], start)))  # overnight, before the first start
        hours.append(f"{hhmm(start)}-{hhmm(end)}")
    elif not points and draw(st.booleans()):
        start = draw(st.integers(0, 1439))
        hours.append(f"{hhmm(start)}-{hhmm(draw(st.integers(0, start)))}")
    return hours


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    zone = draw(st.sampled_from(ZONES))
    near = draw(st.sampled_from(CHANGES[zone]))
    first = near - timedelta(days=draw(st.integers(0, SPAN_DAYS - 1)))
    span = [first + timedelta(days=n) for n in range(-1, SPAN_DAYS + 1)]
    week = {day: draw(day_hours()) for day in DAYS}
    if not any(week.values()):
        week["mon"] = ["09:00-17:00"]
    data: dict[str, Any] = {"id": "random", "tz": zone, "week": week}
    country = draw(st.sampled_from(COUNTRIES))
    dates = draw(st.lists(st.sampled_from(span), max_size=3, unique=True))
    data["holidays"] = {"country": country, "dates": [d.isoformat() for d in dates]}
    openings = draw(st.lists(st.sampled_from(span), max_size=2, unique=True))
    data["openings"] = [{"date": d.isoformat(), "hours": draw(day_hours())} for d in openings]
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        start = datetime.combine(draw(st.sampled_from(span)), datetime.min.time())
        start += timedelta(minutes=draw(st.integers(0, 1439)))
        end = start + timedelta(minutes=draw(st.integers(1, 3 * 1440)))
        closures.append({"start": start.isoformat()[:16], "end": end.isoformat()[:16]})
    data["closures"] = closures
    return data, first


class Reference:
    """Open/closed for every real minute of a stretch, decided from wall-clock rules only."""

    def __init__(self, data: dict[str, Any], first: date) -> None:
        self.tz = ZoneInfo(data["tz"])
        self.week = [self.parse_hours(data["week"].get(day, [])) for day in DAYS]
        self.openings = {
            date.fromisoformat(o["date"]): self.parse_hours(o["hours"]) for o in data["openings"]
        }
        extra = {date.fromisoformat(d) for d in data["holidays"]["dates"]}
        country = data["holidays"]["country"]
        public = holidays.country_holidays(country, years=range(2008, 2029)) if country else {}
        self.holidays = extra | set(public)
        self.closures = [
            (datetime.fromisoformat(c["start"]), datetime.fromisoformat(c["end"]))
            for c in data["closures"]
        ]
        self.m0 = int(datetime.combine(first, datetime.min.time(), UTC).timestamp()) // 60
        self.n = SPAN_DAYS * 1440
        highest = datetime.min  # noqa: DTZ901 - a naive wall time, on purpose
        flags = []
        for minute in range(self.m0 - 1440, self.m0 + self.n):
            highest = max(highest, self.wall(minute * 60))
            flags.append(self.wall_open(highest))
        self.flags = flags[1440:]

    @staticmethod
    def parse_hours(texts: list[str]) -> list[tuple[int, int]]:
        result = []
        for text in texts:
            a, b = (int(p[:2]) * 60 + int(p[3:5]) for p in text.split("-"))
            result.append((a, b if b > a else b + 1440))
        return result

    def wall(self, instant: int) -> datetime:
        return datetime.fromtimestamp(instant, self.tz).replace(tzinfo=None)

    def hours(self, day: date) -> list[tuple[int, int]]:
        if day in self.openings:
            return self.openings[day]
        return [] if day in self.holidays else self.week[day.weekday()]

    def wall_open(self, wall: datetime) -> bool:
        if any(start <= wall < end for start, end in self.closures):
            return False
        day, minute = wall.date(), wall.hour * 60 + wall.minute
        if day in self.holidays and day not in self.openings:
            return False
        today = any(a <= minute < b for a, b in self.hours(day))
        yesterday = self.hours(day - timedelta(days=1))
        return today or any(a <= minute + 1440 < b for a, b in yesterday)

    # ---- operations on epoch seconds inside the stretch
    def lo(self) -> int:
        return self.m0 * 60

    def hi(self) -> int:
        return (self.m0 + self.n) * 60

    def is_open(self, t: int) -> bool:
        return self.flags[t // 60 - self.m0]

    def open_between(self, a: int, b: int) -> int:
        total = 0
        for k in range(a // 60 - self.m0, -(-b // 60) - self.m0):
            if self.flags[k]:
                start = (self.m0 + k) * 60
                total += max(0, min(b, start + 60) - max(a, start))
        return total

    def add(self, t: int, d: int) -> int | None:
        if d == 0:
            return t
        acc, step = 0, 1 if d > 0 else -1
        k = t // 60 - self.m0 if d > 0 else -(-t // 60) - 1 - self.m0
        while 0 <= k < self.n:
            start = (self.m0 + k) * 60
            if self.flags[k]:
                seg = (max(t, start), start + 60) if d > 0 else (start, min(t, start + 60))
                avail = seg[1] - seg[0]
                if acc + avail >= abs(d):
                    return seg[0] + (d - acc) if d > 0 else seg[1] - (-d - acc)
                acc += avail
            k += step
        return None

    def next_open(self, t: int) -> int | None:
        if self.is_open(t):
            return t
        for k in range(t // 60 - self.m0 + 1, self.n):
            if self.flags[k]:
                return (self.m0 + k) * 60
        return None

    def boundaries(self) -> list[int]:
        return [(self.m0 + k) * 60 for k in range(1, self.n) if self.flags[k] != self.flags[k - 1]]


def as_utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], Reference, list[int]]:
    data, first = draw(calendars())
    ref = Reference(data, first)
    edges = ref.boundaries()
    instants = [draw(st.integers(ref.lo(), ref.hi() - 1)) for _ in range(6)]
    if edges:
        instants += [draw(st.sampled_from(edges)) + draw(st.sampled_from([-1, 0, 0, 1]))]
        instants += [draw(st.sampled_from(edges)) for _ in range(3)]
    return data, ref, [min(max(t, ref.lo()), ref.hi() - 1) for t in instants]


@SETTINGS
@given(cases())
def test_is_open_next_open_and_elapsed_match_reference(
    case: tuple[dict[str, Any], Reference, list[int]],
) -> None:
    data, ref, instants = case
    cal = Calendar.from_dict(data)
    for t in instants:
        assert cal.is_open(as_utc(t)) == ref.is_open(t), as_utc(t)
        expected = ref.next_open(t)
        if expected is not None:
            assert cal.next_open(as_utc(t)) == as_utc(expected)
    for a, b in zip(instants, [*instants[1:], ref.lo(), ref.hi()], strict=False):
        lo, hi = min(a, b), max(a, b)
        expected = ref.open_between(lo, hi)
        assert cal.elapsed(as_utc(a), as_utc(b)) == (expected if a <= b else -expected)
    assert cal.elapsed(as_utc(ref.lo()), as_utc(ref.hi())) == ref.open_between(ref.lo(), ref.hi())


@SETTINGS
@given(cases(), st.lists(st.integers(-3 * 86400, 3 * 86400), min_size=4, max_size=4))
def test_add_matches_reference(
    case: tuple[dict[str, Any], Reference, list[int]], durations: list[int]
) -> None:
    data, ref, instants = case
    cal = Calendar.from_dict(data)
    durations += [0, 60, -60, 1, -1]
    for t in instants:
        for d in durations:
            expected = ref.add(t, d)
            if expected is not None:
                assert cal.add(as_utc(t), d) == as_utc(expected), (as_utc(t), d)
    t = np.array(instants, dtype=np.int64)
    for d in durations:
        expected_many = [ref.add(int(x), d) for x in instants]
        got = cal.add_many(t, d)
        for want, have in zip(expected_many, got, strict=True):
            if want is not None:
                assert want == have


# ------------------------------------------------------------------ laws

simple_calendars = calendars().map(lambda pair: pair[0])
instants = st.integers(
    int(datetime(1990, 1, 1, tzinfo=UTC).timestamp()),
    int(datetime(2040, 1, 1, tzinfo=UTC).timestamp()),
)
durations = st.one_of(
    st.integers(0, 3 * 86400), st.integers(0, 3 * 365 * 86400), st.sampled_from([0, 1, 3600])
)


@settings(max_examples=60, deadline=None, database=None)
@given(simple_calendars, instants, durations, st.booleans())
def test_elapsed_inverts_add(data: dict[str, Any], t: int, d: int, backward: bool) -> None:
    cal = Calendar.from_dict(data)
    d = -d if backward else d
    u = cal.add(as_utc(t), d)
    assert cal.elapsed(as_utc(t), u) == d
    assert (u >= as_utc(t)) if d >= 0 else (u <= as_utc(t))


@settings(max_examples=60, deadline=None, database=None)
@given(simple_calendars, instants, st.integers(-40 * 86400, 40 * 86400))
def test_add_of_elapsed_lands_on_or_before(data: dict[str, Any], t: int, span: int) -> None:
    cal = Calendar.from_dict(data)
    u = t + span
    back = cal.add(as_utc(t), cal.elapsed(as_utc(t), as_utc(u)))
    if span >= 0:
        # Earliest instant with that much open time: u itself when the second before u
        # is open (u is inside or at the end of an interval), else the previous closing.
        assert back <= as_utc(u)
        if span == 0 or cal.is_open(as_utc(u - 1)):
            assert back == as_utc(u)
        else:
            assert back < as_utc(u) and not cal.is_open(back)
    else:
        # Backwards it is the latest instant: u itself when u is open.
        assert back >= as_utc(u)
        if cal.is_open(as_utc(u)):
            assert back == as_utc(u)


@settings(max_examples=40, deadline=None, database=None)
@given(
    simple_calendars,
    instants,
    st.lists(st.integers(0, 365 * 86400), min_size=1, max_size=30),
    st.lists(st.integers(-30 * 86400, 30 * 86400), min_size=1, max_size=30),
)
def test_bulk_equals_scalar(
    data: dict[str, Any], base: int, offsets: list[int], spans: list[int]
) -> None:
    cal = Calendar.from_dict(data)
    n = min(len(offsets), len(spans))
    t = base + np.array(offsets[:n], dtype=np.int64)
    d = np.array(spans[:n], dtype=np.int64)
    added = cal.add_many(t, d)
    as_dt64 = cal.add_many(t.astype("datetime64[s]"), d)
    elapsed = cal.elapsed_many(t, t + d)
    for k in range(n):
        one = cal.add(as_utc(int(t[k])), int(d[k]))
        assert as_utc(int(added[k])) == one
        assert as_dt64[k] == np.datetime64(one.replace(tzinfo=None), "s")
        assert elapsed[k] == cal.elapsed(as_utc(int(t[k])), as_utc(int(t[k] + d[k])))
    assert added.dtype == np.int64 and as_dt64.dtype == np.dtype("datetime64[s]")
    assert elapsed.dtype == np.float64


@settings(max_examples=8, deadline=None, database=None)
@given(simple_calendars, instants, st.sampled_from([3600, -3600, 60, 1]))
def test_many_small_steps_equal_one_big_step(data: dict[str, Any], t: int, step: int) -> None:
    cal = Calendar.from_dict(data)
    start = as_utc(t)
    stepped = start
    for _ in range(2_000):
        stepped = cal.add(stepped, step)
    assert cal.add(start, 2_000 * step) == stepped
