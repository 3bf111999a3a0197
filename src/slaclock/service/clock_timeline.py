"""One clock's life as stretches of time, for the ticket page's timeline.

The explanation (``Services.explain``) tells each clock's life as steps: started,
paused, resumed, stopped, cancelled, (re-)targeted, breached, each with the event behind
it. A timeline needs the same life as *stretches* — from when to when the clock ran,
was paused, or lay stopped until a reopen — and, beside them, the closed stretches of
the clock's calendar (nights, weekends, holidays), which count for nothing. This module
turns one explained instance and its calendar into those plain values; drawing them is
the web's job (``web/timeline.py``).

Two rules the steps leave implicit:

- A clock can start paused (a ticket created already pending): no step says so. The
  first pause change tells (a "resumed" first means it started paused); with no
  change at all, the clock is still as it started; stopped before any change, it
  started the way that gives the engine's own paused time (``paused_seconds``).
- Time is measured on the instance's calendar as it is now. That is exact for a
  retroactive re-target (the engine re-measures the whole life on the new calendar) and
  an approximation for ``keep_elapsed`` and ``restart``, whose earlier part was counted
  on the old one (the re-target is marked where it happened).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slaclock.core.calendar import Calendar

__all__ = [
    "PAUSED",
    "RUNNING",
    "STOPPED",
    "ClockTimeline",
    "Gap",
    "Mark",
    "Stretch",
    "clock_timeline",
    "clock_timelines",
    "closed_gaps",
]

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
#: Steps that change what the clock is doing, and what it does after them.
_STATE_AFTER = {
    "paused": PAUSED,
    "resumed": RUNNING,
    "stopped": STOPPED,
    "cancelled": STOPPED,
}
#: How far past the end of the life the timeline reaches to show a due or goal time
#: still ahead: as long again as the life, and at least a day (a fresh clock due
#: tomorrow shows its due time; one due in three weeks gets an arrow instead).
MIN_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class Stretch:
    """A stretch of the clock's life in one state (``running``, ``paused``, or
    ``stopped`` between a stop and a reopen), with the step and event that began it.

    ``overdue``: the running time past the breach (split off at ``breached_at``).
    ``open_seconds``: the calendar's open time inside it (None: calendar unknown).
    """

    start: datetime
    end: datetime
    state: str
    step: str
    event: str | None
    overdue: bool = False
    open_seconds: int | None = None


@dataclass(frozen=True)
class Gap:
    """A closed stretch of the calendar (outside business hours, a holiday, a closure);
    ``holidays``: the names of the whole holidays inside it."""

    start: datetime
    end: datetime
    holidays: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    """One step of the explanation: when, what, which event (None: the passing of
    time, as for a breach) and the engine's words for it."""

    at: datetime
    step: str
    event: str | None
    detail: str


@dataclass(frozen=True)
class ClockTimeline:
    """One instance's life from ``start`` to ``end`` (its stop, or now while it runs),
    and the range ``[start, view_end)`` worth drawing (through a due or goal time
    ahead, within :data:`MIN_AHEAD` rules)."""

    kind: str
    metric: str
    cycle: int
    state: str
    calendar: str
    calendar_known: bool
    start: datetime
    end: datetime
    view_end: datetime
    live: bool
    due_at: datetime | None
    goal_due_at: datetime | None
    breached_at: datetime | None
    stretches: tuple[Stretch, ...]
    gaps: tuple[Gap, ...]
    marks: tuple[Mark, ...]


def clock_timelines(
    explained: Iterable[Mapping[str, Any]], calendars: Mapping[str, Calendar], now: datetime
) -> list[ClockTimeline]:
    """:func:`clock_timeline` for each entry of an explanation's ``instances``, each on
    its calendar from ``calendars`` (by id; an unknown one draws no closed time)."""
    return [
        clock_timeline(entry, calendars.get(str(entry["instance"].get("calendar"))), now)
        for entry in explained
    ]


def clock_timeline(
    entry: Mapping[str, Any], calendar: Calendar | None, now: datetime
) -> ClockTimeline:
    """The stretches, closed gaps and steps of one explained instance as of ``now``."""
    inst = entry["instance"]
    marks = sorted(_marks(entry.get("steps") or ()), key=lambda m: m.at)
    started = next((m.at for m in marks if m.step == "started"), None)
    start = started or _instant(inst.get("started_at")) or now
    stopped_at = _instant(inst.get("stopped_at"))
    live = stopped_at is None
    end = max(start, now if stopped_at is None else stopped_at)
    breached_at = _instant(inst.get("breached_at")) if inst.get("breached") else None
    paused_first = _starts_paused(marks, inst, calendar, start, end)
    raw = _walk(marks, start, end, PAUSED if paused_first else RUNNING)
    stretches = tuple(
        _with_open(piece, calendar) for piece in _split_at(raw, breached_at)
    )  # fmt: skip
    due_at, goal_due_at = _instant(inst.get("due_at")), _instant(inst.get("goal_due_at"))
    view_end = _view_end(start, end, (due_at, goal_due_at))
    return ClockTimeline(
        kind=str(inst.get("kind", "")),
        metric=str(inst.get("metric", "")),
        cycle=int(inst.get("cycle") or 0),
        state=str(inst.get("state", "")),
        calendar=str(inst.get("calendar") or ""),
        calendar_known=calendar is not None,
        start=start,
        end=end,
        view_end=view_end,
        live=live,
        due_at=due_at,
        goal_due_at=goal_due_at,
        breached_at=breached_at,
        stretches=stretches,
        gaps=tuple(closed_gaps(calendar, start, view_end)),
        marks=tuple(marks),
    )


def closed_gaps(calendar: Calendar | None, lo: datetime, hi: datetime) -> list[Gap]:
    """The closed stretches of ``calendar`` within ``[lo, hi)``, clipped to it, read off
    the calendar's index of open spans (``Calendar.snapshot_covering``)."""
    if calendar is None or lo >= hi or calendar.always_open:
        return []
    a, b = lo.timestamp(), hi.timestamp()
    snap = calendar.snapshot_covering(math.floor(a), math.ceil(b))
    starts, ends = snap.starts, snap.ends
    found: list[tuple[float, float]] = []
    cursor = a
    i = bisect_right(ends, a)  # the first open span ending after ``a``
    while i < len(starts) and starts[i] < b:
        if starts[i] > cursor:
            found.append((cursor, float(starts[i])))
        cursor = max(cursor, float(ends[i]))
        i += 1
    if cursor < b:
        found.append((cursor, b))
    return _named(calendar, [(_at(s), _at(e)) for s, e in found if e > s], lo, hi)


def _named(
    calendar: Calendar, spans: list[tuple[datetime, datetime]], lo: datetime, hi: datetime
) -> list[Gap]:
    """Each closed span with the names of the holidays it wholly contains (a holiday is
    a local date of the calendar's zone)."""
    if not spans:
        return []
    tz = calendar.tz
    days = calendar.holidays_between(lo.astimezone(tz).date(), hi.astimezone(tz).date())
    whole = [
        (
            datetime.combine(day, time(), tz).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC),
            name,
        )
        for day, name in days
    ]
    return [
        Gap(s, e, tuple(name for d0, d1, name in whole if s <= d0 and d1 <= e))
        for s, e in spans
    ]  # fmt: skip


def _marks(steps: Iterable[Mapping[str, Any]]) -> list[Mark]:
    found = []
    for step in steps:
        at = _instant(step.get("at"))
        if at is not None:
            event = step.get("event")
            found.append(
                Mark(at, str(step.get("step", "")), str(event) if event else None,
                     str(step.get("detail") or ""))
            )  # fmt: skip
    return found


def _starts_paused(
    marks: Sequence[Mark],
    inst: Mapping[str, Any],
    calendar: Calendar | None,
    start: datetime,
    end: datetime,
) -> bool:
    """Whether the clock started paused (see the module's docstring)."""
    for mark in marks:
        if mark.step == "paused":
            return False
        if mark.step == "resumed":
            return True
        if mark.step in ("stopped", "cancelled"):
            break
    else:  # no change yet: as it started, so it is now
        return inst.get("state") == PAUSED
    if calendar is None:
        return False
    # Stopped before any change: the start that gives the engine's paused time.
    wanted = inst.get("paused_seconds") or 0
    for first in (RUNNING, PAUSED):
        paused = sum(
            calendar.elapsed(s.start, s.end)
            for s in _walk(marks, start, end, first)
            if s.state == PAUSED
        )
        if abs(round(paused) - wanted) <= 1:
            return first == PAUSED
    return False


def _walk(marks: Sequence[Mark], start: datetime, end: datetime, first: str) -> list[Stretch]:
    """The stretches between the state changes the steps record, within [start, end)."""
    out: list[Stretch] = []
    state, since, step, event = first, start, "started", None
    for mark in marks:
        if mark.step == "started":
            event = event or mark.event
            continue
        after = _STATE_AFTER.get(mark.step)
        if after is None or after == state:
            continue
        at = min(max(mark.at, start), end)
        if at > since:
            out.append(Stretch(since, at, state, step, event))
        state, since, step, event = after, max(at, since), mark.step, mark.event
    if end > since and state != STOPPED:
        out.append(Stretch(since, end, state, step, event))
    return out


def _split_at(stretches: list[Stretch], breach: datetime | None) -> Iterable[Stretch]:
    """Running stretches cut at the breach: the part after it is ``overdue``."""
    for piece in stretches:
        if breach is None or piece.state != RUNNING or piece.end <= breach:
            yield piece
        elif piece.start >= breach:
            yield Stretch(piece.start, piece.end, RUNNING, piece.step, piece.event, True)
        else:
            yield Stretch(piece.start, breach, RUNNING, piece.step, piece.event)
            yield Stretch(breach, piece.end, RUNNING, "breached", None, True)


def _with_open(piece: Stretch, calendar: Calendar | None) -> Stretch:
    """The stretch with the open time it holds (a stopped one counts none)."""
    if calendar is None or piece.state == STOPPED:
        return piece
    seconds = round(calendar.elapsed(piece.start, piece.end))
    return Stretch(piece.start, piece.end, piece.state, piece.step, piece.event,
                   piece.overdue, seconds)  # fmt: skip


def _view_end(start: datetime, end: datetime, ahead: Iterable[datetime | None]) -> datetime:
    """``end``, or a due/goal time after it when it is near enough to draw."""
    reach = end + max(end - start, MIN_AHEAD)
    later = [at for at in ahead if at is not None and end < at <= reach]
    return max([end, *later])


def _instant(value: Any) -> datetime | None:
    """An instant as the explanation writes it ("2026-03-02T08:15:00Z"), aware UTC."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
