"""The ticket page's timeline of each clock, drawn on the server as SVG geometry.

``service/clock_timeline.py`` gives each instance's life as stretches (running,
paused, stopped until a reopen, overdue), the closed gaps of its calendar and the steps
with their events. This module measures them for one horizontal bar per clock —
rectangles, markers, an axis in the viewer's time zone — and writes the same stretches
as rows for the table beside it; ``templates/_timeline.html`` draws what it measured,
``static/timeline.css`` colours and patterns it. Colour is never the only signal: each
state has its own pattern, the markers carry words, every shape has a tooltip naming
what and when, and the table says it all again in text.

Long lives stay readable: stretch edges snap to a half-unit grid, so a stretch too
short to see merges into its neighbour (widths still add up to the bar), closed gaps
coarsen until at most :data:`MAX_GAPS` are drawn, and event ticks closer than a few
units share one tick whose tooltip lists them, at most :data:`MAX_TICKS` in all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time

from slaclock.service.clock_timeline import (
    PAUSED,
    RUNNING,
    STOPPED,
    ClockTimeline,
    Gap,
    Mark,
    Stretch,
    clock_timelines,
)
from slaclock.web.labels import KIND_LABELS, N_, STATE_LABELS, STEP_LABELS, label
from slaclock.web.pages import Page
from slaclock.web.ticket_page import CYCLES_SHOWN, latest_cycles

if TYPE_CHECKING:
    from slaclock.core.calendar import Calendar

__all__ = [
    "Band",
    "Scale",
    "axis_ticks",
    "bands",
    "group_marks",
    "timeline_view",
    "timeline_views",
]

Gettext = Callable[[str], str]

#: The drawing box, in SVG units: marker labels, event ticks, the bar, the axis.
WIDTH, PAD = 800, 16
X0, X1 = PAD, WIDTH - PAD
LABEL_ROWS = (11.0, 22.0)
TICK_TOP, TICK_BOTTOM = 25.0, 33.0
BAR_Y, BAR_H = 35.0, 26.0
AXIS_Y = BAR_Y + BAR_H + 2
AXIS_TIME_Y, AXIS_DATE_Y = AXIS_Y + 13, AXIS_Y + 25
HEIGHT = AXIS_DATE_Y + 5
#: Stretch edges snap to this grid; a stretch thinner than half of it is not drawn.
QUANTUM = 0.5
MAX_GAPS = 250
#: Event ticks closer than this share one tick; never more than MAX_TICKS of them.
TICK_GAP, MAX_TICKS = 4.0, 60
AXIS_TICKS = 8
#: Rows of the table beside the bar (the explanation above lists every step).
TABLE_ROWS = 150
#: Clocks drawn on one page: the latest ones (the JSON explanation has them all).
TIMELINES_SHOWN = 30
#: A rough width of one character of the marker and axis labels, in SVG units.
CHAR_W = 6.2

STATE_WORDS = {
    RUNNING: N_("Running"),
    PAUSED: N_("Paused"),
    STOPPED: N_("Stopped (until reopened)"),
    "overdue": N_("Running, overdue"),
}


@dataclass(frozen=True)
class Scale:
    """Instants in ``[start, end]`` onto ``[x0, x1]`` (clamped outside)."""

    start: datetime
    end: datetime
    x0: float = X0
    x1: float = X1

    def x(self, at: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        if span <= 0:
            return self.x0
        part = (at - self.start).total_seconds() / span
        return self.x0 + min(max(part, 0.0), 1.0) * (self.x1 - self.x0)


@dataclass
class Band:
    """A drawn rectangle: ``x0``..``x1`` for one class, covering ``start``..``end``
    (``count`` items merged into it)."""

    x0: float
    x1: float
    cls: str
    start: datetime
    end: datetime
    count: int = 1
    items: list[Any] = field(default_factory=list)

    @property
    def w(self) -> float:
        return self.x1 - self.x0


def _snap(x: float, quantum: float) -> float:
    return round(x / quantum) * quantum


def bands(
    items: Iterable[tuple[datetime, datetime, str, Any]], scale: Scale, quantum: float = QUANTUM
) -> list[Band]:
    """Rectangles for time-ordered, non-overlapping ``(start, end, class, item)``: edges
    snapped to ``quantum``, empty ones dropped, touching ones of one class merged.
    Contiguous items give contiguous bands, so their widths add up to the whole."""
    out: list[Band] = []
    for start, end, cls, item in items:
        a, b = _snap(scale.x(start), quantum), _snap(scale.x(end), quantum)
        if out:
            a = max(a, out[-1].x1)
        if b <= a:
            continue
        last = out[-1] if out else None
        if last is not None and last.cls == cls and last.x1 >= a:
            last.x1, last.end, last.count = b, end, last.count + 1
            last.items.append(item)
        else:
            out.append(Band(a, b, cls, start, end, 1, [item]))
    return out


def gap_bands(gaps: Sequence[Gap], scale: Scale) -> list[Band]:
    """The closed gaps as bands, the grid coarsened until at most MAX_GAPS remain."""
    quantum = QUANTUM
    while True:
        found = bands(((g.start, g.end, "closed", g) for g in gaps), scale, quantum)
        if len(found) <= MAX_GAPS:
            return found
        quantum *= 2


def group_marks(
    points: Iterable[tuple[float, Any]], gap: float = TICK_GAP, cap: int = MAX_TICKS
) -> list[tuple[float, list[Any]]]:
    """Points by x, those closer than ``gap`` to a group's first point joined to it; the
    gap doubles until at most ``cap`` groups remain. A group sits at its first point."""
    ordered = sorted(points, key=lambda p: p[0])
    while True:
        groups: list[tuple[float, list[Any]]] = []
        for x, item in ordered:
            if groups and x - groups[-1][0] < gap:
                groups[-1][1].append(item)
            else:
                groups.append((x, [item]))
        if len(groups) <= cap:
            return groups
        gap *= 2


# ---------------------------------------------------------------------------- the axis

#: Tick steps, smallest first: (unit, count, approximate seconds).
_STEPS = (
    [("minute", n, 60 * n) for n in (1, 2, 5, 10, 15, 30)]
    + [("hour", n, 3600 * n) for n in (1, 2, 3, 6, 12)]
    + [("day", 1, 86400), ("day", 2, 2 * 86400), ("week", 1, 7 * 86400), ("week", 2, 14 * 86400)]
    + [("month", n, 30 * 86400 * n) for n in (1, 3, 6)]
    + [("year", 1, 365 * 86400)]
)


def _wall(day: date, minute: int, tz: ZoneInfo) -> datetime | None:
    """The instant the local clock shows ``day`` at ``minute``; None when it never does
    (a spring-forward gap). An hour shown twice gives its first instant."""
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    at = wall.replace(tzinfo=tz).astimezone(UTC)
    return at if at.astimezone(tz).replace(tzinfo=None) == wall else None


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> Iterable[date]:
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _wanted(unit: str, count: int, day: date) -> bool:
    """Whether local midnight of ``day`` is a tick for a step of days or longer."""
    if unit == "day":
        return day.toordinal() % count == 0
    if unit == "week":
        return day.weekday() == 0 and day.isocalendar()[1] % count == 0
    if unit == "month":
        return day.day == 1 and (day.month - 1) % count == 0
    return day.day == 1 and day.month == 1


def axis_ticks(
    start: datetime, end: datetime, tz: ZoneInfo, most: int = AXIS_TICKS
) -> tuple[list[datetime], str]:
    """Round local times of the viewer's zone within ``[start, end]`` — at most
    ``most`` — and their unit ("minute", "hour", "day", …). A local time that does not
    exist (the hour skipped by DST) is no tick; one that happens twice ticks once."""
    span = (end - start).total_seconds()
    unit, count = next(
        ((unit, count) for unit, count, seconds in _STEPS if span / seconds <= most), ("year", 1)
    )
    found: list[datetime] = []
    if unit in ("minute", "hour"):
        step = count if unit == "minute" else 60 * count
        for day in _days(start, end, tz):
            for minute in range(0, 1440, step):
                at = _wall(day, minute, tz)
                if at is not None and start <= at <= end:
                    found.append(at)
    else:
        for day in _days(start, end, tz):
            at = _wall(day, 0, tz) if _wanted(unit, count, day) else None
            if at is not None and start <= at <= end:
                found.append(at)
    return sorted(set(found))[: most + 2], unit


def _axis(ticks: list[datetime], unit: str, scale: Scale, page: Page) -> list[dict[str, Any]]:
    """Each tick's x and its words: a time of day (with the date below it at the first
    tick and where the date changes) for ticks within a day, else a date."""
    tz, locale = page.fmt.tz, page.locale
    out = []
    previous: date | None = None
    for at in ticks:
        local = at.astimezone(tz)
        x = scale.x(at)
        if unit in ("minute", "hour"):
            text = format_time(at, "short", tzinfo=tz, locale=locale)
            day = local.date()
            below = format_skeleton("MMMd", at, tzinfo=tz, locale=locale) if day != previous else ""
            previous = day
        else:
            skeleton = {"day": "MMMEd", "week": "MMMd"}.get(unit, "yMMM")
            text, below = format_skeleton(skeleton, at, tzinfo=tz, locale=locale), ""
        out.append({"x": round(x, 2), "text": text, "below": below, **_anchor(x, text)})
    return out


def _anchor(x: float, text: str) -> dict[str, str]:
    """Text centred on ``x``, or flush with the edge it would run over."""
    half = len(text) * CHAR_W / 2
    if x - half < 0:
        return {"anchor": "start"}
    if x + half > WIDTH:
        return {"anchor": "end"}
    return {"anchor": "middle"}


# ------------------------------------------------------------------------ the view


def timeline_views(
    explained: list[Mapping[str, Any]],
    calendars: Mapping[str, Calendar],
    now: datetime,
    page: Page,
) -> dict[str, Any]:
    """The page's timelines: for the instances the page lists (``latest_cycles``), at
    most TIMELINES_SHOWN of the latest; ``latest`` holds each clock's latest cycle,
    ``earlier`` the cycles before it."""
    entries = latest_cycles(explained, CYCLES_SHOWN)
    left_out = max(len(entries) - TIMELINES_SHOWN, 0)
    entries = entries[left_out:]
    timelines = clock_timelines(entries, calendars, now)
    newest: dict[tuple[str, str], int] = {}
    for tl in timelines:
        key = (tl.kind, tl.metric)
        newest[key] = max(newest.get(key, tl.cycle), tl.cycle)
    latest: list[dict[str, Any]] = []
    earlier: list[dict[str, Any]] = []
    for index, tl in enumerate(timelines):
        view = timeline_view(tl, page, f"clock-tl-{index}")
        (latest if newest[(tl.kind, tl.metric)] == tl.cycle else earlier).append(view)
    return {"latest": latest, "earlier": earlier, "left_out": left_out}


def timeline_view(tl: ClockTimeline, page: Page, ident: str) -> dict[str, Any]:
    """Everything ``_timeline.html`` draws for one clock, and the rows beside it."""
    gettext, fmt = page.gettext, page.fmt
    scale = Scale(tl.start, tl.view_end)
    drawn = bands(
        ((s.start, s.end, _stretch_class(s), s) for s in tl.stretches), scale
    )  # fmt: skip
    kind = label(KIND_LABELS, tl.kind, gettext)
    state = label(STATE_LABELS, tl.state, gettext)
    ticks, unit = axis_ticks(tl.start, tl.view_end, fmt.tz)
    return {
        "id": ident,
        "caption": f"{tl.metric} · {kind} · "
        + gettext("cycle %(n)s") % {"n": tl.cycle}
        + f" · {state}",
        "state_code": tl.state,
        "calendar": tl.calendar,
        "calendar_known": tl.calendar_known,
        "w": WIDTH,
        "h": HEIGHT,
        "x0": X0,
        "x1": X1,
        "bar_y": BAR_Y,
        "bar_h": BAR_H,
        "axis_y": AXIS_Y,
        "time_y": AXIS_TIME_Y,
        "date_y": AXIS_DATE_Y,
        "tick_top": TICK_TOP,
        "tick_bottom": TICK_BOTTOM,
        "future": _future(tl, scale),
        "bands": [_band(b, page) for b in drawn],
        "gaps": [_gap_band(b, page) for b in gap_bands(tl.gaps, scale)],
        "ticks": _event_ticks(tl.marks, scale, page),
        "markers": _markers(tl, scale, page),
        "axis": _axis(ticks, unit, scale, page),
        "title": gettext(
            "Timeline of %(clock)s: running, paused and closed stretches, due and goal "
            "times, the breach and each change; the table beside it lists the same."
        )
        % {"clock": f"{tl.metric} ({kind}, " + gettext("cycle %(n)s") % {"n": tl.cycle} + ")"},
        **_rows(tl, page),
    }


def _stretch_class(stretch: Stretch) -> str:
    return "overdue" if stretch.overdue else stretch.state


def _when(page: Page, start: datetime, end: datetime | None = None, now: bool = False) -> str:
    """``start → end`` in the viewer's zone, the end as a time of day alone when it is on
    the same local date, as "now" when the stretch runs on."""
    first = page.fmt.instant(start, "short")
    if end is None:
        return first
    if now:
        last = page.gettext("now")
    elif start.astimezone(page.fmt.tz).date() == end.astimezone(page.fmt.tz).date():
        last = format_time(end, "short", tzinfo=page.fmt.tz, locale=page.locale)
    else:
        last = page.fmt.instant(end, "short")
    return f"{first} → {last}"


def _band(band: Band, page: Page) -> dict[str, Any]:
    words = page.gettext(STATE_WORDS[band.cls])
    title = f"{words}: {_when(page, band.start, band.end)}"
    first: Stretch = band.items[0]
    if first.event:
        title += " · " + page.gettext("event %(id)s") % {"id": first.event}
    if band.count > 1:
        title += " · " + page.gettext("%(count)s stretches merged") % {"count": band.count}
    return {"x": round(band.x0, 2), "w": round(band.w, 2), "cls": band.cls, "title": title}


def _gap_band(band: Band, page: Page) -> dict[str, Any]:
    names = [name for gap in band.items for name in gap.holidays]
    title = f"{_closed_words(page, names)}: {_when(page, band.start, band.end)}"
    return {"x": round(band.x0, 2), "w": round(band.w, 2), "title": title}


def _closed_words(page: Page, holidays: Sequence[str]) -> str:
    if holidays:
        return page.gettext("Closed (holiday: %(names)s)") % {"names": ", ".join(holidays)}
    return page.gettext("Closed (outside business hours)")


def _step_words(mark: Mark, page: Page) -> str:
    words = label(STEP_LABELS, mark.step, page.gettext)
    if mark.event:
        words += " (" + page.gettext("event %(id)s") % {"id": mark.event} + ")"
    return f"{words}, {page.fmt.instant(mark.at, 'medium')}"


def _event_ticks(marks: Sequence[Mark], scale: Scale, page: Page) -> list[dict[str, Any]]:
    """One tick per change an event made (a breach has its own marker), close ones
    shared; each tooltip names the event(s) and the time."""
    points = [(scale.x(m.at), m) for m in marks if m.event is not None]
    out = []
    for x, group in group_marks(points):
        lines = [_step_words(m, page) for m in group[:6]]
        if len(group) > 6:
            lines.append(page.gettext("and %(count)s more") % {"count": len(group) - 6})
        out.append({"x": round(x, 2), "count": len(group), "title": "\n".join(lines)})
    return out


def _markers(tl: ClockTimeline, scale: Scale, page: Page) -> list[dict[str, Any]]:
    """Due, goal, breach and now as vertical markers with words; a due or goal time
    beyond the drawn range sits at the right edge with an arrow."""
    gettext = page.gettext
    wanted: list[tuple[str, datetime | None, str]] = [
        ("goal", tl.goal_due_at, gettext("Goal")),
        ("due", tl.due_at, gettext("Due")),
        ("breach", tl.breached_at, gettext("Breached")),
        ("now", tl.end if tl.live else None, gettext("Now")),
    ]
    found = []
    for cls, at, words in wanted:
        if at is None:
            continue
        beyond = at > tl.view_end
        x = scale.x(at)
        text = f"{words} →" if beyond else words
        found.append(
            {"cls": cls, "x": round(x, 2), "label": text, "beyond": beyond,
             "title": f"{words}: {page.fmt.instant(at, 'medium')}"}
        )  # fmt: skip
    return _place_labels(found)


def _place_labels(markers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Put each marker's words on the first label row where they do not overlap the
    words already there; with no room, the words are left out (the tooltip and the
    table still say them)."""
    ends = [-1e9 for _ in LABEL_ROWS]
    for marker in sorted(markers, key=lambda m: m["x"]):
        width = len(marker["label"]) * CHAR_W
        anchor = _anchor(marker["x"], marker["label"])["anchor"]
        left = {"start": marker["x"], "end": marker["x"] - width}.get(
            anchor, marker["x"] - width / 2
        )
        marker.update(label_y=None, anchor=anchor)
        for row, y in enumerate(LABEL_ROWS):
            if left > ends[row] + 4:
                marker["label_y"] = y
                ends[row] = left + width
                break
    return markers


def _future(tl: ClockTimeline, scale: Scale) -> dict[str, float] | None:
    """The part of the range after the end of the life (a due time still ahead)."""
    if tl.view_end <= tl.end:
        return None
    x = _snap(scale.x(tl.end), QUANTUM)
    return {"x": x, "w": round(X1 - x, 2)}


def _rows(tl: ClockTimeline, page: Page) -> dict[str, Any]:
    """The table beside the bar: each stretch, closed gap and marked instant in time
    order (from → to, what, business time, event), an instant before the stretch it
    begins ("Breached" before "Running, overdue"); at most TABLE_ROWS, and only those
    are put into words (formatting a date is the costly part of a long life)."""
    items: list[tuple[datetime, int, Any]] = [(s.start, 1, s) for s in tl.stretches]
    items += [(g.start, 2, g) for g in tl.gaps]
    points = (("due", tl.due_at), ("goal", tl.goal_due_at), ("breach", tl.breached_at))
    items += [(at, 0, cls) for cls, at in points if at is not None]
    items += [(m.at, 0, m) for m in tl.marks if m.step in ("targeted", "retargeted")]
    items.sort(key=lambda item: (item[0], item[1]))
    shown = [_row(tl, page, at, item) for at, _, item in items[:TABLE_ROWS]]
    return {"rows": shown, "more_rows": len(items) - len(shown)}


POINT_WORDS = {"due": N_("Due"), "goal": N_("Internal goal"), "breach": N_("Breached")}


def _row(tl: ClockTimeline, page: Page, at: datetime, item: Any) -> dict[str, str]:
    """One row of the table: a stretch, a closed gap, a marked instant or a re-target."""
    gettext = page.gettext
    if isinstance(item, Stretch):
        cls = _stretch_class(item)
        return {
            "when": _when(page, item.start, item.end, tl.live and item.end == tl.end),
            "what": gettext(STATE_WORDS[cls]),
            "cls": cls,
            "open": "" if item.open_seconds is None else page.fmt.duration(item.open_seconds),
            "event": item.event or "",
        }
    if isinstance(item, Gap):
        what = _closed_words(page, item.holidays)
        return {"when": _when(page, item.start, item.end), "what": what, "cls": "closed",
                "open": "", "event": ""}  # fmt: skip
    if isinstance(item, Mark):
        words = label(STEP_LABELS, item.step, gettext)
        what, cls, event = words + (f": {item.detail}" if item.detail else ""), "step", item.event
    else:
        what, cls, event = gettext(POINT_WORDS[item]), item, None
    return {"when": _when(page, at), "what": what, "cls": cls, "open": "", "event": event or ""}
