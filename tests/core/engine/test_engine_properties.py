"""Property tests: delivery order, incremental == replay, invariants, brute force.

Tickets are random event sequences on whole minutes over three days, under the
spec's example configuration (four policies, two office calendars, an OLA, pauses,
policy changes by plan, priority and tags) and a small one for the brute-force check.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock.core.config import config_from_mapping, load_config
from slaclock.core.engine import STATES, Engine, Instance, replay
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event, parse_event

DATA = Path(__file__).resolve().parents[2] / "data"
EXAMPLE = load_config(DATA / "example_config.yaml")
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday
AS_OF = START + timedelta(days=4)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STEPS = st.one_of(
    st.tuples(st.just("reply"), st.booleans()),
    st.tuples(st.just("customer"), st.none()),
    st.tuples(
        st.just("status"), st.sampled_from(["open", "pending", "on_hold", "solved", "closed"])
    ),
    st.tuples(st.just("priority"), st.sampled_from(["low", "normal", "high", "urgent"])),
    st.tuples(st.just("group"), st.sampled_from(["support", "engineering"])),
    st.tuples(st.just("plan"), st.sampled_from(["enterprise", "business", "free"])),
    st.tuples(st.just("outage"), st.none()),
    st.tuples(st.just("delete"), st.none()),
)


@st.composite
def tickets(draw: Any, ticket_id: str = "T-1") -> list[Event]:
    """One ticket's events in time order (ties allowed), with ids e0, e1, …"""
    minute = draw(st.integers(0, 600))
    by = draw(st.sampled_from(["customer", "customer", "agent"]))
    fields = {
        "status": "new",
        "priority": draw(st.sampled_from(["low", "normal", "high", "urgent"])),
        "group": "support",
        "customer": {"plan": draw(st.sampled_from(["enterprise", "business", "free"])),
                     "region": draw(st.sampled_from(["EU", "US", "APAC"]))},
    }  # fmt: skip
    objs = [_obj(ticket_id, 0, minute, "ticket.created", by=by, fields=fields)]
    for n, (kind, arg) in enumerate(draw(st.lists(STEPS, max_size=12)), start=1):
        minute += draw(st.integers(0, 900))
        objs.append(_step(ticket_id, n, minute, kind, arg))
    return [parse_event(o, seq=i) for i, o in enumerate(objs)]


def _obj(ticket: str, n: int, minute: int, kind: str, **data: Any) -> dict[str, Any]:
    at = (START + timedelta(minutes=minute)).isoformat()
    return {"id": f"{ticket}-e{n}", "ticket": ticket, "at": at, "type": kind, **data}


def _step(ticket: str, n: int, minute: int, kind: str, arg: Any) -> dict[str, Any]:
    if kind == "reply":
        return _obj(ticket, n, minute, "message", author="agent", public=arg)
    if kind == "customer":
        return _obj(ticket, n, minute, "message", author="customer")
    if kind == "delete":
        return _obj(ticket, n, minute, "ticket.deleted")
    changes = {"plan": {"customer.plan": arg}, "outage": {"tags_added": ["outage"]}}.get(
        kind, {kind: arg}
    )
    return _obj(ticket, n, minute, "ticket.updated", changes=changes)


def _redeliver(events: list[Event], rng: random.Random, repeats: float = 0.3) -> list[Event]:
    """The same events shuffled, some (``repeats``) repeated, with fresh arrival numbers.

    Arrival order breaks ties on ``at``; to keep the expected order well defined the
    shuffle keeps events of equal ``at`` in their original relative order.
    """
    copies = events + [e for e in events if rng.random() < repeats]
    rng.shuffle(copies)
    tie_rank = {e.id: i for i, e in enumerate(events)}
    by_at: dict[datetime, list[Event]] = {}
    for e in copies:
        by_at.setdefault(e.at, []).append(e)
    for group in by_at.values():
        group.sort(key=lambda e: tie_rank[e.id])
    out, used = [], {at: 0 for at in by_at}
    for e in copies:
        group = by_at[e.at]
        out.append(group[used[e.at]])
        used[e.at] += 1
    return [parse_event(e.data, seq=i) for i, e in enumerate(out)]


@PROPS
@given(st.lists(tickets(), min_size=1, max_size=1), st.randoms(use_true_random=False))
def test_shuffled_and_duplicated_delivery_equals_sorted_delivery(batch, rng):
    events = batch[0]
    assert list(replay(EXAMPLE, _redeliver(events, rng), AS_OF)) == list(
        replay(EXAMPLE, events, AS_OF)
    )


@PROPS
@given(tickets())
def test_feeding_events_one_by_one_and_reading_between_equals_a_full_replay(events):
    """The service's state cache feeds a ticket's state the next event and reads it
    between events: reading changes nothing, and the end is the full replay's."""
    engine = Engine(EXAMPLE)
    state = TicketState("T-1")
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        engine.feed(state, event)
        engine.result(state, event.at)
    as_of = max(e.at for e in events) + timedelta(hours=1)
    assert engine.result(state, as_of) == engine.replay_ticket(events, as_of)


@PROPS
@given(tickets())
def test_the_engine_shortcuts_change_nothing(events):
    fast = Engine(EXAMPLE).replay_ticket(events, AS_OF)
    assert fast == Engine(EXAMPLE, exhaustive=True).replay_ticket(events, AS_OF)


@PROPS
@given(tickets(), st.integers(0, 4 * 24 * 60))
def test_instance_invariants(events, minutes):
    as_of = START + timedelta(minutes=minutes)
    for inst in Engine(EXAMPLE).replay_ticket(events, as_of).instances:
        _check_invariants(inst, as_of)


def _check_invariants(inst: Instance, as_of: datetime) -> None:
    assert inst.state in STATES
    assert inst.elapsed_seconds + inst.remaining_seconds == inst.target_seconds
    assert inst.elapsed_seconds >= 0 and inst.paused_seconds >= 0
    assert inst.breached == (inst.breached_at is not None)
    if inst.breached:
        assert inst.breached_at == inst.due_at
    if inst.state != "cancelled":  # policies.md: breached <=> elapsed open time > target
        assert inst.breached == (inst.remaining_seconds < 0) == (inst.state == "breached")
    if inst.state in ("met", "breached") and inst.stopped_at is not None:
        assert inst.due_at is not None
    if inst.state == "running":  # due_at may have passed in closed hours, with 0 left
        assert inst.stopped_at is None and inst.due_at is not None
        assert as_of <= inst.due_at or inst.remaining_seconds == 0
    if inst.state == "paused":  # no due_at, unless the target was used up exactly
        assert inst.stopped_at is None
        assert inst.due_at is None or inst.remaining_seconds == 0
    if inst.state == "cancelled":
        assert inst.stopped_at is not None and inst.breached_at is None
    assert inst.started_at <= (inst.stopped_at or as_of)


# --------------------------------------------------------------- brute force reference

OFFICE = config_from_mapping(
    {
        "calendars": [{"id": "office", "tz": "UTC",
                       "week": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}],
        "policies": [{"id": "p", "name": "P", "calendar": "office",
                      "targets": {"resolution": {"within": "6h"}}}],
    }
)  # fmt: skip
STATUS_STEPS = st.lists(
    st.tuples(
        st.integers(0, 700),
        st.sampled_from(["open", "pending", "solved", "closed", "customer", "delete"]),
    ),
    max_size=10,
)


@PROPS
@given(STATUS_STEPS, st.integers(0, 5 * 24 * 60))
def test_resolution_matches_a_minute_by_minute_brute_force(steps, as_of_minute):
    objs = [_obj("T", 0, 0, "ticket.created", fields={"status": "new"})]
    minute = 0
    for n, (gap, kind) in enumerate(steps, start=1):
        minute += gap
        if kind == "customer":
            objs.append(_obj("T", n, minute, "message", author="customer"))
        elif kind == "delete":
            objs.append(_obj("T", n, minute, "ticket.deleted"))
        else:
            objs.append(_obj("T", n, minute, "ticket.updated", changes={"status": kind}))
    events = [parse_event(o, seq=i) for i, o in enumerate(objs)]
    as_of = START + timedelta(minutes=as_of_minute)
    got = Engine(OFFICE).replay_ticket(events, as_of).instances[0]
    assert got == _brute_resolution(events, as_of)


def _brute_resolution(events: list[Event], as_of: datetime) -> Instance:
    """Walk minute by minute: apply the minute's events, then count the minute."""
    cal = OFFICE.calendars["office"]
    target = 6 * 3600
    status, stopped_at, cancelled, deleted = "new", None, False, False
    elapsed = paused = 0
    due: datetime | None = None
    t = START
    while t <= as_of:
        for e in (e for e in events if e.at == t and not deleted):
            if e.type == "ticket.deleted":
                deleted, cancelled = True, stopped_at is None
                stopped_at = stopped_at or e.at
            else:
                status, stopped_at = _brute_apply(e, status, stopped_at)
        if t < as_of and stopped_at is None and cal.is_open(t):
            if status == "pending":
                paused += 60
            else:
                elapsed += 60
                if due is None and elapsed >= target:
                    due = t + timedelta(minutes=1)
        t += timedelta(minutes=1)
    if due is None and not (status == "pending" and (stopped_at is None or cancelled)):
        due = _brute_add(cal, stopped_at or as_of, target - elapsed)
    if cancelled:
        state, end = "cancelled", stopped_at
    else:
        end = stopped_at or as_of
        late = due is not None and end > due
        if stopped_at is not None:
            state = "breached" if late else "met"
        else:
            state = "breached" if late else ("paused" if status == "pending" else "running")
    breached = state == "breached"
    return Instance(
        "T", "resolution", "sla", 0, "p", 1, "office", target, None, START, due, None, None,
        stopped_at, state, breached, due if breached else None, elapsed, paused, target - elapsed,
    )  # fmt: skip


def _brute_add(cal: Any, start: datetime, seconds: int) -> datetime:
    t, left = start, seconds
    while left > 0:
        if cal.is_open(t):
            left -= 60
        t += timedelta(minutes=1)
    return t


def _brute_apply(e: Event, status: str, stopped_at: datetime | None) -> tuple[str, datetime | None]:
    new = status
    if e.type == "message" and status in ("pending", "solved"):
        new = "open"
    elif e.type == "ticket.updated":
        new = e.data["changes"]["status"]
    done = ("solved", "closed")
    if new in done and status not in done:
        stopped_at = e.at
    elif status in done and new not in done:
        stopped_at = None
    return new, stopped_at


ENDED = ("met", "breached", "cancelled")


@PROPS
@given(tickets(), st.lists(st.integers(0, 4 * 24 * 60), min_size=2, max_size=6))
def test_states_move_only_along_allowed_transitions(events, minutes):
    """Read at later and later instants: instances never vanish, a cancelled one never
    changes, a stopped one changes only by a reopen (resolution resumes)."""
    engine = Engine(EXAMPLE)
    previous: dict[tuple[str, str, str, int], Instance] = {}
    for as_of in sorted(START + timedelta(minutes=m) for m in minutes):
        now = {i.key: i for i in engine.replay_ticket(events, as_of).instances}
        assert previous.keys() <= now.keys()
        for key, before in previous.items():
            after = now[key]
            if before.state == "cancelled":
                assert after == before
            elif before.state in ENDED and before.stopped_at is not None and after != before:
                assert before.metric == "resolution" and before.kind == "sla"
                assert after.state in ("running", "paused", *ENDED)
                assert after.started_at == before.started_at
        previous = now
