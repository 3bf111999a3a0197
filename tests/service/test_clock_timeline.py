"""A clock's life as stretches (service/clock_timeline.py) against references that share
no code with it.

The property test makes a ticket's life of status changes (with DST changes and
holidays inside it), replays it through the real engine, explains it, and turns each
clock into stretches; then, minute by minute, it compares them with what the *events*
say (the status at that minute: pending or on hold pauses the resolution clock, solved
stops it, a reopen resumes it) and the closed gaps with a calendar reference that reads
only the local wall clock (the DST rule of docs/calendar.md: an instant is open when
the highest wall time shown up to it lies in the opening hours). Every boundary is a
whole minute, so a minute is all one thing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine as SqlEngine

from slaclock.core.config import parse_config
from slaclock.core.engine import Engine
from slaclock.core.events import parse_event
from slaclock.service.clock_timeline import (
    PAUSED,
    RUNNING,
    STOPPED,
    ClockTimeline,
    clock_timeline,
    clock_timelines,
    closed_gaps,
)
from slaclock.service.compose import services_on

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
#: Calendars whose hours cross DST changes: an office, a night shift over midnight (the
#: hour shown twice or skipped falls inside it), Lord Howe's half-hour DST at 02:00.
CALENDARS: dict[str, dict[str, Any]] = {
    "ams": {"tz": "Europe/Amsterdam", "week": {d: ["09:00-17:00"] for d in WEEKDAYS},
            "holidays": {"country": "NL", "dates": ["2026-03-31", "2026-10-27"]}},
    "ny": {"tz": "America/New_York",
           "week": {**{d: ["08:00-18:00"] for d in WEEKDAYS}, "sat": ["10:00-14:00"]},
           "holidays": {"country": "US", "dates": []}},
    "night": {"tz": "Europe/Oslo", "week": {d: ["22:00-06:00"] for d in WEEKDAYS},
              "holidays": {"country": "NO", "dates": []}},
    "lhi": {"tz": "Australia/Lord_Howe",
            "week": {d: ["01:00-03:00", "09:00-17:00"] for d in (*WEEKDAYS, "sat", "sun")},
            "holidays": {"country": None, "dates": ["2026-04-06"]}},
}  # fmt: skip
REGIONS = {"EU": "ams", "US": "ny", "NO": "night", "LH": "lhi"}


def _config_text() -> str:
    lines = ["calendars:"]
    for cid, spec in CALENDARS.items():
        week = ", ".join(f"{d}: [{', '.join(h)}]" for d, h in spec["week"].items())
        country = spec["holidays"]["country"]
        hol = f"country: {country}, " if country else ""
        dates = ", ".join(f'"{d}"' for d in spec["holidays"]["dates"])
        lines += [
            f"  - id: {cid}",
            f"    tz: {spec['tz']}",
            f"    week: {{{week}}}",
            f"    holidays: {{{hol}dates: [{dates}]}}",
        ]
    regions = ", ".join(f"{r}: {c}" for r, c in REGIONS.items())
    lines += [
        "policies:",
        "  - id: p",
        f"    calendar: {{by: customer.region, map: {{{regions}}}, default: ams}}",
        "    targets:",
        "      first_response: {within: {urgent: 1h, high: 2h, normal: 4h, low: 8h},",
        "                       goal: {urgent: 30m, high: 1h, normal: 2h, low: 4h}}",
        "      resolution:",
        "        within: {urgent: 4h, high: 8h, normal: 16h, low: 40h}",
        "        pause: {status: [pending, on_hold]}",
    ]
    return "\n".join(lines) + "\n"


CONFIG = parse_config(_config_text())
ENGINE = Engine(CONFIG)
#: Local dates around which some zone above changes its offset in 2026.
DST_DAYS = [
    date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4),
    date(2026, 10, 25), date(2026, 11, 1),
]  # fmt: skip
STATUS_STATE = {"new": RUNNING, "open": RUNNING, "pending": PAUSED, "on_hold": PAUSED}
MINUTE = timedelta(minutes=1)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def lives(draw: st.DrawFn) -> tuple[list[dict[str, Any]], datetime]:
    """A ticket's events (status, priority and region changes at whole minutes) and the
    instant it is explained at."""
    day = draw(st.sampled_from(DST_DAYS)) - timedelta(days=draw(st.integers(0, 4)))
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    at += timedelta(minutes=draw(st.integers(0, 1439)))
    fields = {
        "status": draw(st.sampled_from(["new", "new", "pending"])),
        "priority": draw(st.sampled_from(["urgent", "high", "normal", "low"])),
        "group": "support",
        "customer": {"id": "c", "region": draw(st.sampled_from(sorted(REGIONS)))},
    }
    events = [{"id": "c0", "ticket": "P-1", "at": _iso(at), "type": "ticket.created",
               "by": "customer", "fields": fields}]  # fmt: skip
    for n in range(draw(st.integers(0, 12))):
        at += timedelta(minutes=draw(st.one_of(st.integers(0, 90), st.integers(60, 2880))))
        change: dict[str, Any] = {
            "status": draw(st.sampled_from(["open", "pending", "on_hold", "solved"]))
        }
        if draw(st.integers(0, 5)) == 0:  # re-targeted (retroactive, the default)
            change = {"priority": draw(st.sampled_from(["urgent", "high", "normal", "low"]))}
        elif draw(st.integers(0, 7)) == 0:  # another calendar (retroactive too)
            change = {"customer.region": draw(st.sampled_from(sorted(REGIONS)))}
        events.append({"id": f"c{n + 1}", "ticket": "P-1", "at": _iso(at),
                       "type": "ticket.updated", "changes": change})  # fmt: skip
    now = at + timedelta(minutes=draw(st.integers(0, 3 * 1440)))
    return events, now


def _explain(events: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    explained = ENGINE.explain_ticket([parse_event(e) for e in events], now)
    instances: list[dict[str, Any]] = explained.to_json()["instances"]
    return instances


class WallClock:
    """Open or closed, minute by minute, from the local wall clock alone."""

    def __init__(self, cid: str) -> None:
        spec = CALENDARS[cid]
        self.tz = ZoneInfo(spec["tz"])
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        self.week = [[self._minutes(h) for h in spec["week"].get(d, [])] for d in days]
        country = spec["holidays"]["country"]
        public = (
            set(holidays.country_holidays(country, years=[2025, 2026, 2027])) if country else set()
        )
        self.closed_days = public | {date.fromisoformat(d) for d in spec["holidays"]["dates"]}

    @staticmethod
    def _minutes(text: str) -> tuple[int, int]:
        a, b = (int(p[:2]) * 60 + int(p[3:]) for p in text.split("-"))
        return a, b if b > a else b + 1440

    def flags(self, start: datetime, minutes: int) -> list[bool]:
        """Whether each minute from ``start`` on is open."""
        highest = (start - timedelta(days=1)).astimezone(self.tz).replace(tzinfo=None)
        out = []
        for k in range(-1440, minutes):
            wall = (start + k * MINUTE).astimezone(self.tz).replace(tzinfo=None)
            highest = max(highest, wall)
            if k >= 0:
                out.append(self._open(highest))
        return out

    def _open(self, wall: datetime) -> bool:
        today = wall.date()
        for day in (today, today - timedelta(days=1)):
            if day in self.closed_days or (day != today and today in self.closed_days):
                continue
            since = (wall - datetime.combine(day, datetime.min.time())).total_seconds() / 60
            if any(a <= since < b for a, b in self.week[day.weekday()]):
                return True
        return False


def _status_at(events: Sequence[dict[str, Any]]) -> list[tuple[datetime, str]]:
    """(instant, status) at each status change, in the events' order."""
    out = []
    for event in events:
        status = (event.get("fields") or event.get("changes") or {}).get("status")
        if status is not None:
            out.append((datetime.fromisoformat(event["at"].replace("Z", "+00:00")), status))
    return out


def _reference_states(events: Sequence[dict[str, Any]], metric: str, minutes: list[datetime]):  # type: ignore[no-untyped-def]
    """The clock's state at each minute as the events tell it: resolution runs unless
    pending or on hold, stops at a solve and resumes at a reopen; first_response runs
    from the creation to the first solve. None: outside the life."""
    changes = _status_at(events)
    times = [t for t, _ in changes]
    first_solve = next((t for t, s in changes if s == "solved"), None)
    final_stop = changes[-1][0] if changes[-1][1] == "solved" else None
    if final_stop is not None:  # the life ends at the solve that was never undone
        k = len(changes) - 1
        while k > 0 and changes[k - 1][1] == "solved":
            k -= 1
        final_stop = changes[k][0]
    out = []
    for m in minutes:
        if metric == "first_response":
            out.append(RUNNING if first_solve is None or m < first_solve else None)
            continue
        if final_stop is not None and m >= final_stop:
            out.append(None)
            continue
        status = changes[bisect_right(times, m) - 1][1]
        out.append(STOPPED if status == "solved" else STATUS_STATE[status])
    return out


def _undecidable_start(tl: ClockTimeline) -> datetime:
    """Where nothing can tell whether the clock started paused, the end of that: it
    stopped before any pause change and its calendar counted no time until then, so
    running and paused give the same explanation (the module's docstring)."""
    for mark in tl.marks:
        if mark.step in ("paused", "resumed"):
            break
        if mark.step in ("stopped", "cancelled"):
            if tl.calendar_known and CONFIG.calendars[tl.calendar].elapsed(tl.start, mark.at) == 0:
                return mark.at
            break
    return tl.start


def _stretch_at(tl: ClockTimeline, m: datetime) -> Any:
    starts = [s.start for s in tl.stretches]
    k = bisect_right(starts, m) - 1
    if k >= 0 and tl.stretches[k].start <= m < tl.stretches[k].end:
        return tl.stretches[k]
    return None


def _minutes(a: datetime, b: datetime) -> list[datetime]:
    return [a + k * MINUTE for k in range(int((b - a) / MINUTE))]


def _check_life(events: list[dict[str, Any]], now: datetime) -> None:
    explained = _explain(events, now)
    assert explained, "the policy promises first_response and resolution"
    timelines = clock_timelines(explained, CONFIG.calendars, now)
    for entry, tl in zip(explained, timelines, strict=True):
        inst = entry["instance"]
        assert tl.calendar_known and tl.calendar == inst["calendar"]
        wall = WallClock(tl.calendar)
        # Stretches: contiguous from the start, in order, never empty.
        for a, b in pairwise(tl.stretches):
            assert a.end == b.start
        assert all(s.start < s.end for s in tl.stretches)
        if tl.stretches:
            assert tl.stretches[0].start == tl.start
        # Minute by minute: the state the events tell, overdue past the target.
        minutes = _minutes(tl.start, tl.view_end)
        states = _reference_states(events, tl.metric, minutes)
        opened = wall.flags(tl.start, len(minutes))
        counted = 0
        unknown_until = _undecidable_start(tl)
        for m, state, is_open in zip(minutes, states, opened, strict=True):
            found = _stretch_at(tl, m)
            if m >= tl.end or state is None:
                assert found is None, (m, found)
                continue
            if m < unknown_until and state in (RUNNING, PAUSED):
                state = found.state if found is not None else state
            assert found is not None and found.state == state, (m, state, found)
            overdue = state == RUNNING and counted >= inst["target_seconds"] and inst["breached"]
            assert found.overdue == overdue, (m, counted, found)
            if state == RUNNING and is_open:
                counted += 60
        # Closed gaps: exactly the minutes the wall clock says are closed.
        gaps = [(g.start, g.end) for g in tl.gaps]
        starts = [g[0] for g in gaps]
        for m, is_open in zip(minutes, opened, strict=True):
            k = bisect_right(starts, m) - 1
            in_gap = k >= 0 and gaps[k][0] <= m < gaps[k][1]
            assert in_gap == (not is_open), (m, tl.calendar, is_open)
        # Open time per stretch adds up to the engine's own elapsed and paused time
        # (every re-target here is retroactive: the whole life on today's calendar).
        running = sum(s.open_seconds or 0 for s in tl.stretches if s.state == RUNNING)
        paused = sum(s.open_seconds or 0 for s in tl.stretches if s.state == PAUSED)
        assert running == inst["elapsed_seconds"]
        assert paused == inst["paused_seconds"]
        # Every step is a mark; the breach mark is where the overdue part begins.
        assert len(tl.marks) == len(entry["steps"])
        overdue = [s for s in tl.stretches if s.overdue]
        if overdue:
            assert overdue[0].start == tl.breached_at


SETTINGS = settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


@SETTINGS
@given(lives())
def test_stretches_and_gaps_agree_with_the_events_and_the_wall_clock(
    life: tuple[list[dict[str, Any]], datetime],
) -> None:
    events, now = life
    _check_life(events, now)


def _event(n: int, at: datetime, **change: Any) -> dict[str, Any]:
    return {"id": f"e{n}", "ticket": "T", "at": _iso(at), "type": "ticket.updated",
            "changes": change}  # fmt: skip


def _created(at: datetime, status: str = "new", region: str = "EU") -> dict[str, Any]:
    return {"id": "e0", "ticket": "T", "at": _iso(at), "type": "ticket.created",
            "by": "customer", "fields": {"status": status, "priority": "urgent",
            "customer": {"id": "c", "region": region}}}  # fmt: skip


def _resolution(events: list[dict[str, Any]], now: datetime) -> ClockTimeline:
    entry = next(e for e in _explain(events, now) if e["instance"]["metric"] == "resolution")
    return clock_timeline(entry, CONFIG.calendars[entry["instance"]["calendar"]], now)


WED = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam


def test_a_paused_night_and_a_breach() -> None:
    """Running, paused overnight (the closed night inside the pause), running again
    until the target runs out, then overdue until now."""
    events = [
        _created(WED),
        _event(1, WED + timedelta(minutes=31), status="pending"),
        _event(2, datetime(2026, 3, 5, 8, 30, tzinfo=UTC), status="open"),
    ]
    now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    tl = _resolution(events, now)
    assert [(s.state, s.overdue, s.event) for s in tl.stretches] == [
        (RUNNING, False, "e0"), (PAUSED, False, "e1"), (RUNNING, False, "e2"),
        (RUNNING, True, None),
    ]  # fmt: skip
    # 4 h target: 31 min on Wednesday, 3 h 29 min from Thursday 09:30 local.
    assert tl.breached_at == datetime(2026, 3, 5, 11, 59, tzinfo=UTC)
    assert tl.stretches[-1].start == tl.breached_at and tl.end == now and tl.live
    closed = [(g.start, g.end) for g in tl.gaps]
    assert (datetime(2026, 3, 4, 16, tzinfo=UTC), datetime(2026, 3, 5, 8, tzinfo=UTC)) in closed


def test_a_clock_created_paused_starts_paused() -> None:
    """No step says a clock started paused: the first change (a resume) tells."""
    events = [_created(WED, "pending"), _event(1, WED + timedelta(hours=1), status="open")]
    tl = _resolution(events, WED + timedelta(hours=2))
    assert [s.state for s in tl.stretches] == [PAUSED, RUNNING]
    # And with no change at all before the stop: it counted paused time only.
    events = [_created(WED, "pending"), _event(1, WED + timedelta(hours=1), status="solved")]
    tl = _resolution(events, WED + timedelta(hours=2))
    assert [(s.state, s.open_seconds) for s in tl.stretches] == [(PAUSED, 3600)]
    assert not tl.live and tl.end == WED + timedelta(hours=1)


def test_a_reopen_leaves_a_stopped_stretch() -> None:
    solved, reopened = WED + timedelta(hours=1), WED + timedelta(hours=2)
    events = [_created(WED), _event(1, solved, status="solved"),
              _event(2, reopened, status="open")]  # fmt: skip
    tl = _resolution(events, WED + timedelta(hours=3))
    assert [(s.state, s.start, s.end) for s in tl.stretches] == [
        (RUNNING, WED, solved), (STOPPED, solved, reopened),
        (RUNNING, reopened, WED + timedelta(hours=3)),
    ]  # fmt: skip
    assert tl.stretches[1].open_seconds is None  # a stopped clock counts nothing


def test_holidays_are_named_in_their_closed_gap() -> None:
    """King's Day 2026 is a Monday: Friday's closing to Tuesday's opening, named."""
    calendar = CONFIG.calendars["ams"]
    gaps = closed_gaps(
        calendar, datetime(2026, 4, 24, 12, tzinfo=UTC), datetime(2026, 4, 28, 12, tzinfo=UTC)
    )
    weekend = [g for g in gaps if g.start == datetime(2026, 4, 24, 15, tzinfo=UTC)]
    assert weekend and weekend[0].end == datetime(2026, 4, 28, 7, tzinfo=UTC)
    assert weekend[0].holidays == ("King's Day",)
    assert closed_gaps(None, WED, WED + timedelta(days=1)) == []


def test_an_unknown_calendar_draws_no_closed_time() -> None:
    entry = _explain([_created(WED)], WED + timedelta(days=1))[0]
    tl = clock_timeline(entry, None, WED + timedelta(days=1))
    assert not tl.calendar_known and tl.gaps == ()
    assert all(s.open_seconds is None for s in tl.stretches)


def test_a_due_time_far_ahead_is_not_drawn_to() -> None:
    """A fresh clock due within a day reaches its due time; one due weeks ahead keeps
    the drawing to its own life (plus a day)."""
    events = [_created(WED)]
    near = _resolution(events, WED + timedelta(minutes=5))
    assert near.view_end == near.due_at
    low = dict(_created(WED), fields={"status": "new", "priority": "low",
                                      "customer": {"id": "c", "region": "EU"}})  # fmt: skip
    far = _resolution([low], WED + timedelta(minutes=5))
    assert far.due_at is not None and far.due_at > WED + timedelta(days=5)
    assert far.view_end == far.end


def test_hundreds_of_steps() -> None:
    """A long life of many pauses: every step becomes a mark and a stretch."""
    events: list[dict[str, Any]] = [_created(WED)]
    at = WED
    for n in range(1, 401):
        at += timedelta(minutes=37)
        events.append(_event(n, at, status="pending" if n % 2 else "open"))
    now = at + timedelta(hours=1)
    tl = _resolution(events, now)
    assert len(tl.stretches) >= 400
    _check_life([{**e, "ticket": "P-1"} for e in events], now)


def test_the_service_reads_the_same_life(db: SqlEngine) -> None:
    """Through the database: the explanation the ticket page reads gives the same
    timelines as the engine's own explanation."""
    services = services_on(db)
    services.config_apply(_config_text(), "test", WED - timedelta(days=1))
    events = [
        _created(WED),
        _event(1, WED + timedelta(minutes=31), status="pending"),
        _event(2, datetime(2026, 3, 5, 8, 30, tzinfo=UTC), status="open"),
    ]
    now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    assert not services.ingest(events, now).rejected
    explained = services.explain("T", now)
    assert explained is not None
    calendars = services.config_current()[2].calendars
    got = clock_timelines(explained.to_json()["instances"], calendars, now)
    assert got == clock_timelines(_explain(events, now), CONFIG.calendars, now)
    assert {tl.metric for tl in got} == {"first_response", "resolution"}


@pytest.mark.parametrize("metric", ["first_response", "resolution"])
def test_a_clock_stopped_at_its_start(metric: str) -> None:
    """A life of no length: no stretch, nothing drawn, nothing broken."""
    events = [_created(WED), _event(1, WED, status="solved")]
    entry = next(e for e in _explain(events, WED + timedelta(hours=1))
                 if e["instance"]["metric"] == metric)  # fmt: skip
    tl = clock_timeline(entry, CONFIG.calendars["ams"], WED + timedelta(hours=1))
    assert tl.stretches == () and tl.start == tl.end == WED
