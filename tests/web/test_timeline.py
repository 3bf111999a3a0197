"""The timeline of each clock on the ticket page: its geometry (web/timeline.py) and the
page that draws it.

Geometry: bands go left to right without overlapping and their widths add up to the
bar; markers sit where their instant falls; close event ticks share one, never more
than the cap; axis ticks are round local times, DST days included. The page: a ticket
paused overnight and breached shows a paused stretch, a closed gap and the breach, in
the drawing and in the table beside it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.timeline_ticket import TL1
from slaclock.service.clock_timeline import (
    PAUSED,
    RUNNING,
    ClockTimeline,
    Gap,
    Mark,
    Stretch,
)
from slaclock.web.formatting import Formatter
from slaclock.web.pages import Page
from slaclock.web.timeline import (
    MAX_GAPS,
    MAX_TICKS,
    QUANTUM,
    TABLE_ROWS,
    X0,
    X1,
    Scale,
    axis_ticks,
    bands,
    group_marks,
    timeline_view,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

T0 = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
CLASSES = ("running", "paused", "overdue", "stopped")


def _page(zone: str = "UTC", locale: str = "en") -> Page:
    return Page(locale, zone, Formatter(locale, ZoneInfo(zone)), lambda text: text)


# ------------------------------------------------------------------------- bands


@st.composite
def partitions(draw: st.DrawFn) -> tuple[Scale, list[tuple[datetime, datetime, str, int]]]:
    """A range cut into contiguous stretches of any length (seconds to weeks)."""
    cuts = sorted(set(draw(st.lists(st.integers(1, 30 * 86400), min_size=1, max_size=300))))
    edges = [0, *cuts]
    items = [
        (T0 + timedelta(seconds=a), T0 + timedelta(seconds=b), draw(st.sampled_from(CLASSES)), i)
        for i, (a, b) in enumerate(pairwise(edges))
    ]
    extra = draw(st.integers(0, 10 * 86400))  # a due time ahead widens the scale
    return Scale(T0, T0 + timedelta(seconds=edges[-1] + extra)), items


@settings(max_examples=200, deadline=None, database=None)
@given(partitions())
def test_bands_go_left_to_right_and_add_up_to_the_bar(
    case: tuple[Scale, list[tuple[datetime, datetime, str, int]]],
) -> None:
    scale, items = case
    drawn = bands(items, scale)
    for band in drawn:
        assert X0 <= band.x0 < band.x1 <= X1
    for a, b in pairwise(drawn):
        assert a.x1 == b.x0  # contiguous stretches stay contiguous: no hole, no overlap
        assert a.cls != b.cls  # touching bands of one class are one band
    if drawn:
        whole = round(scale.x(items[-1][1]) / QUANTUM) * QUANTUM - X0
        assert sum(b.w for b in drawn) == pytest.approx(whole)
    assert sum(b.count for b in drawn) <= len(items)
    # Every stretch wide enough to see is drawn in its own class where it lies.
    for start, end, cls, _ in items:
        if scale.x(end) - scale.x(start) > 2 * QUANTUM:
            middle = (scale.x(start) + scale.x(end)) / 2
            band = next(b for b in drawn if b.x0 <= middle < b.x1)
            assert band.cls == cls


def test_a_stretch_too_thin_to_see_merges_into_its_neighbour() -> None:
    scale = Scale(T0, T0 + timedelta(days=30))
    second = timedelta(seconds=1)
    items = [
        (T0, T0 + timedelta(days=10), "running", 0),
        (T0 + timedelta(days=10), T0 + timedelta(days=10) + second, "paused", 1),
        (T0 + timedelta(days=10) + second, T0 + timedelta(days=30), "running", 2),
    ]
    drawn = bands(items, scale)
    assert [(b.cls, b.count, b.x0, b.x1) for b in drawn] == [("running", 2, X0, X1)]


# ------------------------------------------------------------------------- ticks


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.floats(X0, X1), max_size=500), st.integers(1, 80))
def test_close_event_ticks_share_one_and_never_pass_the_cap(xs: list[float], cap: int) -> None:
    groups = group_marks([(x, i) for i, x in enumerate(xs)], cap=cap)
    assert len(groups) <= cap
    assert sorted(i for _, items in groups for i in items) == list(range(len(xs)))
    for x, items in groups:
        assert x == min(xs[i] for i in items)  # a shared tick sits at its first change
    assert [x for x, _ in groups] == sorted(x for x, _ in groups)


# -------------------------------------------------------------------------- axis


@pytest.mark.parametrize(
    ("zone", "start", "hours"),
    [
        ("Europe/Amsterdam", datetime(2026, 3, 28, 20, tzinfo=UTC), 8),  # 02:00 skipped
        ("Europe/Amsterdam", datetime(2026, 10, 24, 21, tzinfo=UTC), 8),  # 02:00 twice
        ("Australia/Lord_Howe", datetime(2026, 4, 4, 12, tzinfo=UTC), 6),  # half-hour DST
        ("Asia/Kathmandu", datetime(2026, 3, 4, 0, tzinfo=UTC), 20),
        ("America/New_York", datetime(2026, 3, 1, tzinfo=UTC), 24 * 20),
        ("UTC", datetime(2026, 1, 1, tzinfo=UTC), 24 * 400),
        ("UTC", datetime(2026, 1, 1, tzinfo=UTC), 0.2),
    ],
)
def test_axis_ticks_are_round_local_times(zone: str, start: datetime, hours: float) -> None:
    tz = ZoneInfo(zone)
    end = start + timedelta(hours=hours)
    ticks, unit = axis_ticks(start, end, tz)
    assert ticks == sorted(set(ticks)) and all(start <= t <= end for t in ticks)
    assert 1 <= len(ticks) <= 10
    walls = [t.astimezone(tz) for t in ticks]
    if unit in ("minute", "hour"):
        assert all(w.second == 0 for w in walls)
        steps = {(w.hour * 60 + w.minute) % 60 for w in walls} if unit == "hour" else set()
        assert steps in (set(), {0})
    else:
        assert all((w.hour, w.minute) == (0, 0) for w in walls)  # local midnights
    # The same wall time never ticks twice (the hour shown twice in autumn).
    assert len({w.replace(tzinfo=None) for w in walls}) == len(walls)


def test_the_hour_skipped_in_spring_is_no_tick() -> None:
    tz = ZoneInfo("Europe/Amsterdam")
    start = datetime(2026, 3, 28, 23, tzinfo=UTC)  # local midnight, the night of the change
    ticks, unit = axis_ticks(start, start + timedelta(hours=5), tz)
    assert unit == "hour"
    assert [t.astimezone(tz).hour for t in ticks] == [0, 1, 3, 4, 5, 6]


# -------------------------------------------------------------------------- views


def _timeline(**changes: Any) -> ClockTimeline:
    """Running 31 min, paused overnight, running, breached, overdue until now."""
    paused_at, resumed = T0 + timedelta(minutes=31), datetime(2026, 3, 5, 8, 30, tzinfo=UTC)
    breach, now = datetime(2026, 3, 5, 11, 59, tzinfo=UTC), datetime(2026, 3, 6, 10, tzinfo=UTC)
    values: dict[str, Any] = {
        "kind": "sla", "metric": "resolution", "cycle": 0, "state": "breached",
        "calendar": "ams", "calendar_known": True, "start": T0, "end": now, "view_end": now,
        "live": True, "due_at": breach, "goal_due_at": None, "breached_at": breach,
        "stretches": (
            Stretch(T0, paused_at, RUNNING, "started", "e1", False, 1860),
            Stretch(paused_at, resumed, PAUSED, "paused", "e2", False, 7140),
            Stretch(resumed, breach, RUNNING, "resumed", "e3", False, 12540),
            Stretch(breach, now, RUNNING, "breached", None, True, 7260),
        ),
        "gaps": (
            Gap(datetime(2026, 3, 4, 16, tzinfo=UTC), datetime(2026, 3, 5, 8, tzinfo=UTC)),
            Gap(datetime(2026, 3, 5, 16, tzinfo=UTC), datetime(2026, 3, 6, 8, tzinfo=UTC)),
        ),
        "marks": (
            Mark(T0, "started", "e1", "created"),
            Mark(paused_at, "paused", "e2", "status pending"),
            Mark(resumed, "resumed", "e3", "status open"),
            Mark(breach, "breached", None, "still running"),
        ),
    }  # fmt: skip
    values.update(changes)
    return ClockTimeline(**values)


def test_markers_sit_at_their_instants() -> None:
    tl = _timeline()
    view = timeline_view(tl, _page(), "tl0")
    scale = Scale(tl.start, tl.view_end)
    markers = {m["cls"]: m for m in view["markers"]}
    assert set(markers) == {"due", "breach", "now"}
    assert tl.breached_at is not None
    assert markers["due"]["x"] == markers["breach"]["x"] == round(scale.x(tl.breached_at), 2)
    assert markers["now"]["x"] == X1
    assert [t["x"] for t in view["ticks"]] == [round(scale.x(m.at), 2) for m in tl.marks[:3]]
    assert "event e2" in view["ticks"][1]["title"] and "paused" in view["ticks"][1]["title"]
    # Two labels at one x go on two rows; none overlaps another on its row.
    assert markers["due"]["label_y"] != markers["breach"]["label_y"]
    classes = [b["cls"] for b in view["bands"]]
    assert classes == ["running", "paused", "running", "overdue"]
    assert view["bands"][0]["x"] == X0
    assert sum(b["w"] for b in view["bands"]) == pytest.approx(X1 - X0)
    assert len(view["gaps"]) == 2
    assert view["gaps"][0]["x"] == round(round(scale.x(tl.gaps[0].start) / QUANTUM) * QUANTUM, 2)


def test_the_table_says_the_same_in_words() -> None:
    view = timeline_view(_timeline(), _page("Europe/Amsterdam"), "tl0")
    rows = [(r["what"], r["event"], r["when"]) for r in view["rows"]]
    assert rows[0] == ("Running", "e1", "3/4/26, 2:00\u202fPM → 2:31\u202fPM")
    whats = [r[0] for r in rows]
    assert whats == [
        "Running", "Paused", "Closed (outside business hours)", "Running", "Due", "Breached",
        "Running, overdue", "Closed (outside business hours)",
    ]  # fmt: skip
    assert rows[6][2].endswith("→ now")


def test_a_due_time_beyond_the_drawing_points_past_the_edge() -> None:
    due = T0 + timedelta(days=40)
    tl = _timeline(due_at=due, breached_at=None, state="running")
    view = timeline_view(tl, _page(), "tl0")
    due_marker = next(m for m in view["markers"] if m["cls"] == "due")
    assert due_marker["x"] == X1 and due_marker["beyond"] and due_marker["label"] == "Due →"


def test_a_long_life_of_hundreds_of_steps_stays_bounded() -> None:
    """Six weeks, 900 pauses and resumes, a closed gap every night."""
    stretches, marks, gaps = [], [], []
    at = T0
    for n in range(900):
        state = PAUSED if n % 2 else RUNNING
        end = at + timedelta(minutes=67)
        stretches.append(Stretch(at, end, state, "paused" if n % 2 else "resumed", f"e{n}"))
        marks.append(Mark(at, "paused" if n % 2 else "resumed", f"e{n}", ""))
        at = end
    for day in range(45):
        night = T0.replace(hour=16) + timedelta(days=day)
        gaps.append(Gap(night, night + timedelta(hours=16)))
    tl = _timeline(stretches=tuple(stretches), marks=tuple(marks), gaps=tuple(gaps),
                   end=at, view_end=at, due_at=None, breached_at=None)  # fmt: skip
    view = timeline_view(tl, _page(), "tl0")
    assert len(view["ticks"]) <= MAX_TICKS
    assert sum(t["count"] for t in view["ticks"]) == 900
    assert len(view["gaps"]) <= MAX_GAPS
    assert len(view["bands"]) <= (X1 - X0) / QUANTUM
    xs = [b["x"] for b in view["bands"]]
    assert xs == sorted(xs)
    assert sum(b["w"] for b in view["bands"]) == pytest.approx(X1 - X0)
    assert len(view["rows"]) == TABLE_ROWS and view["more_rows"] > 0


# --------------------------------------------------------------------------- page


def _section(html: str) -> str:
    return html.split('<section class="timelines"', 1)[1].split("</section>", 1)[0]


def _figure(section: str, metric: str) -> str:
    for figure in section.split("<figure")[1:]:
        if re.search(rf"<figcaption>{metric} ·", figure):
            return figure
    raise AssertionError(f"no timeline of {metric}")


def test_the_ticket_page_draws_a_pause_a_closed_gap_and_the_breach(site: Any, text_of: Any) -> None:
    """TL-1 (business plan, the Amsterdam office): resolution ran 31 min on Wednesday,
    was pending overnight, ran from Thursday 09:30 and breached at 16:59 local; at
    Friday 11:00 it is overdue, the Thursday night closed in between."""
    site.clock.at = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    assert not site.services.ingest(TL1, site.clock.now()).rejected
    response = site.signed_in().get("/tickets/TL-1?tz=Europe/Amsterdam")
    assert response.status_code == 200
    html = response.text
    assert '<link rel="stylesheet" href="/static/timeline.css">' in html.split("</head>")[0]
    resolution = _figure(_section(html), "resolution")
    assert 'class="tl-band tl-paused"' in resolution
    assert 'class="tl-closed"' in resolution
    assert 'class="tl-band tl-overdue"' in resolution
    assert 'class="tl-marker tl-m-breach"' in resolution
    assert 'class="tl-marker tl-m-now"' in resolution
    assert "<title>Breached: Mar 5, 2026, 4:59:00\u202fPM</title>" in unescape(resolution)
    text = text_of(resolution)
    for words in (
        "Paused", "Closed (outside business hours)", "Breached", "Running, overdue",
        "3/4/26, 2:31 PM → 3/5/26, 9:30 AM", "tl3",
    ):  # fmt: skip
        assert words in text, words
    # The tooltip of the change names its event and its time.
    assert re.search(
        r"<title>paused \(event tl3\), Mar 4, 2026, 2:31:00\u202fPM</title>", resolution
    )
    # No inline style (the CSP allows none); the stylesheet is served.
    assert " style=" not in _section(html)
    assert site.signed_in().get("/static/timeline.css").status_code == 200
    # The met first response: running, then its due time still ahead of the stop.
    first = _figure(_section(html), "first_response")
    assert 'class="tl-future"' in first and 'class="tl-marker tl-m-due"' in first


def test_every_language_draws_the_timeline(site: Any) -> None:
    site.clock.at = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    assert not site.services.ingest(TL1, site.clock.now()).rejected
    client = site.signed_in()
    for lang in ("nl", "nb", "ro", "fr", "de"):
        response = client.get(f"/tickets/TL-1?lang={lang}&tz=America/New_York")
        assert response.status_code == 200
        assert 'class="tl-band tl-paused"' in _section(response.text)


def test_a_ticket_of_many_cycles_draws_the_latest_and_folds_the_earlier(site: Any) -> None:
    """T-1 as of Tuesday: each clock's latest cycle drawn; a clock of one cycle has no
    'earlier' fold."""
    html = site.signed_in().get("/tickets/T-1").text
    section = _section(html)
    assert section.count("<figure") == len(site.services.explain("T-1", site.clock.now()).instances)
    assert 'class="tl-earlier"' not in section
