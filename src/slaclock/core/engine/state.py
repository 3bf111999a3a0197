"""The per-ticket state machine: apply one event to one ticket's compact state.

Order of work for one event (documented in docs/engine.md):

1. the event changes the ticket's fields and states facts (``ticket.py``);
2. the policy is chosen again (first match) and every running clock follows its
   binding: re-targeted by the new policy's ``retarget`` rule, or cancelled when no
   target applies any more;
3. clocks whose stop predicates match stop (so a reply can stop one
   ``periodic_update`` cycle and then start the next);
4. clocks whose start predicates match start (the built-ins' own rules included);
   a reopen resumes a stopped ``resolution``;
5. every running clock pauses or resumes by its pause rule on the new fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slaclock.core.bounded_cache import BoundedCache, cached
from slaclock.core.engine.clock import Clock
from slaclock.core.engine.compiled import Binding, CompiledConfig, pause_holds
from slaclock.core.engine.ticket import (
    Fact,
    apply_changes,
    as_dict,
    creation_facts,
    initial_fields,
    message_facts,
)
from slaclock.core.engine.track import Track
from slaclock.core.events import Event
from slaclock.core.model import Policy

__all__ = ["TicketState", "apply_event"]


class TicketState:
    """Everything the engine remembers about one ticket between events."""

    __slots__ = (
        "binding_values", "clocks", "created", "created_at", "deleted", "fields",
        "first_response_given", "last_at", "last_seq", "pending", "policy",
        "policy_trace", "started", "ticket_id", "unanswered_since",
    )  # fmt: skip

    def __init__(self, ticket_id: str, tracing: bool = False) -> None:
        self.ticket_id = ticket_id
        self.created = False
        self.deleted = False
        self.created_at: datetime | None = None
        self.fields: dict[str, Any] | None = None
        self.first_response_given = False
        self.unanswered_since: datetime | None = None
        self.policy: Policy | None = None
        #: Each track's latest clock; its earlier cycles hang off it (``Clock.previous``).
        self.clocks: dict[tuple[str, str, str], Clock] = {}
        #: The tracks begun so far: a non-repeating track starts once.
        self.started: set[Track] = set()
        self.pending: list[Event] | None = None  # events waiting for ticket.created
        #: The last event applied, by instant and arrival (``Event.sort_key``).
        self.last_at: datetime | None = None
        self.last_seq = 0
        #: The policy chosen after each event that changed it; kept only when tracing
        #: (``slaclock explain``). A list here is what "tracing" means (clocks then keep
        #: their steps too).
        self.policy_trace: list[tuple[datetime, str, str | None]] | None = [] if tracing else None
        #: The fields a binding depends on (``CompiledConfig.binding_key``), kept until a
        #: change of those fields or of the policy; None: not known yet.
        self.binding_values: tuple[Any, ...] | None = None

    def active(self, key: tuple[str, str, str]) -> Clock | None:
        clock = self.clocks.get(key)
        if clock is not None and clock.ended is None:
            return clock
        return None

    def mark_last(self, event: Event) -> None:
        """``event`` is the last one applied (``last_at``, ``last_seq``)."""
        self.last_at = event.at
        self.last_seq = event.seq

    def visible_clocks(self) -> list[Clock]:
        return [c for c in every_clock(self.clocks) if c.binding is not None]


def apply_event(cc: CompiledConfig, state: TicketState, event: Event, at: datetime) -> None:
    """Apply ``event`` at instant ``at`` (its own ``at``, or the creation instant when
    the event was held back until its ticket existed)."""
    if state.deleted:
        return
    if event.type == "ticket.created":
        if state.created:
            return  # the ticket exists already; a second creation changes nothing
        by = as_dict(event.data).get("by", "customer")
        _create(state, event, at, by)
        facts = creation_facts(state.fields or {}, by)
    elif event.type == "ticket.deleted":
        _delete(state, event, at)
        return
    elif event.type == "sla.acknowledged":
        state.mark_last(event)  # someone is on it: recorded, and changes no clock
        return
    else:
        facts = _update_facts(cc, state, event)
    _after_facts(cc, state, event, at, facts)


def _create(state: TicketState, event: Event, at: datetime, by: str) -> None:
    state.created = True
    state.created_at = at
    state.fields = initial_fields(state.ticket_id, as_dict(event.data)["fields"])
    # An agent who opens a ticket speaks first: there is no first response to wait for.
    state.first_response_given = by == "agent"


def _update_facts(cc: CompiledConfig, state: TicketState, event: Event) -> list[Fact]:
    fields = state.fields
    assert fields is not None
    if event.type == "ticket.updated":
        return apply_changes(fields, as_dict(event.data)["changes"])
    author_id = as_dict(event.data).get("author_id")
    groups = cc.person_groups.get(author_id) if isinstance(author_id, str) else None
    if groups is None:  # an unknown author speaks for the ticket's current group
        groups = frozenset([fields["group"]]) if fields.get("group") else frozenset()
    return message_facts(fields, event, groups)


def _delete(state: TicketState, event: Event, at: datetime) -> None:
    """``deleted`` cancels every running instance; hidden clocks simply end."""
    state.deleted = True
    for clock in state.clocks.values():
        if clock.ended is None:
            clock.stop(at, "cancelled")
            _note(clock, at, "cancelled", event, "ticket deleted")
    state.mark_last(event)


def _after_facts(
    cc: CompiledConfig, state: TicketState, event: Event, at: datetime, facts: list[Fact]
) -> None:
    fields = state.fields
    assert fields is not None
    names = frozenset([fact.name for fact in facts])
    policy, rebind, repause = _what_changed(cc, state, event, facts, names, fields)
    trace = state.policy_trace
    if trace is not None and (not trace or trace[-1][2] != _pid(policy)):
        trace.append((at, event.id, _pid(policy)))
    state.policy = policy
    if rebind:
        state.binding_values = None
    was_unanswered = state.unanswered_since is not None
    all_clocks = state.clocks
    for track, key, may_stop, starts, reopen in cc.plan(names, rebind or cc.exhaustive):
        clock = all_clocks.get(key)
        if clock is not None and clock.ended is not None:
            clock = None
        stops = may_stop and clock is not None
        if not (starts or stops or (rebind and clock is not None)):
            continue
        # Bindings are computed only where used: most events stop or start nothing new.
        if clock is not None:
            if rebind:
                _follow(state, clock, _binding(cc, state, track, policy), event, at)
                clock = state.active(key)
            if clock is not None and stops and track.stopped_by(facts, names, fields):
                clock.stop(at)
                _note(clock, at, "stopped", event, facts)
                if clock.binding is None:  # it never had a target: nobody's business
                    _forget(all_clocks, key)
                clock = None
        if clock is None and starts and (track.repeat or track not in state.started or reopen):
            _maybe_start(cc, state, track, policy, event, at, facts, names, was_unanswered)
    _track_conversation(state, names, at)
    if repause:
        _update_pauses(state, event, at, fields)
    state.mark_last(event)


def _what_changed(
    cc: CompiledConfig,
    state: TicketState,
    event: Event,
    facts: list[Fact],
    names: frozenset[str],
    fields: dict[str, Any],
) -> tuple[Policy | None, bool, bool]:
    """(policy, whether bindings may have changed, whether pauses may have changed).

    Only a change of the fields a policy, a binding or a pause rule reads can change
    them; most events (messages, notes, assignments) change none.
    """
    if event.type == "ticket.created":
        return cc.choose_policy(fields), True, False
    if cc.exhaustive:
        return cc.choose_policy(fields), True, True
    if "field_changed" not in names:
        return state.policy, False, False
    tops: set[str] = set()
    for fact in facts:
        if fact.name == "field_changed":
            tops.add(cached(_TOPS, fact.attrs["field"]))
    policy = state.policy
    if not tops.isdisjoint(cc.policy_tops):
        policy = cc.choose_policy(fields)
    rebind = policy is not state.policy or not tops.isdisjoint(cc.binding_tops)
    return policy, rebind, rebind or not tops.isdisjoint(cc.pause_tops)


#: The top-level key of a dotted path (the same few paths change).
_TOPS: BoundedCache[str, str] = BoundedCache(lambda path: path.split(".", 1)[0])


def _update_pauses(state: TicketState, event: Event, at: datetime, fields: dict[str, Any]) -> None:
    """Every running clock pauses or resumes by its pause rule on the new fields."""
    for clock in state.clocks.values():
        if clock.ended is None:
            rule = clock.binding.pause if clock.binding else clock.track.definition.pause
            paused = pause_holds(rule, fields)
            if clock.set_paused(at, paused):
                _note(clock, at, "paused" if paused else "resumed", event, fields)


def _follow(
    state: TicketState, clock: Clock, binding: Binding | None, event: Event, at: datetime
) -> None:
    """Re-target a running clock, or cancel it when its metric no longer applies."""
    old = clock.binding
    if binding is None:
        if old is not None:
            clock.stop(at, "cancelled")
            _note(clock, at, "cancelled", event, "no target applies any more")
        return
    if old is not None and old.identity == binding.identity:
        clock.binding = binding  # same promise; the pause rule may still differ
        return
    clock.retarget(at, binding)
    if old is None:
        _make_visible(clock)
        _note(clock, at, "targeted", event, binding)
    else:
        _note(clock, at, "retargeted", event, binding)


def _maybe_start(
    cc: CompiledConfig,
    state: TicketState,
    track: Track,
    policy: Policy | None,
    event: Event,
    at: datetime,
    facts: list[Fact],
    names: frozenset[str],
    was_unanswered: bool,
) -> None:
    fields = state.fields
    assert fields is not None
    definition = track.definition
    if track.resumes and "reopened" in names:
        latest = state.clocks.get(track.key)
        if latest is not None and latest.ended == "stopped":
            _resume(state, latest, _binding(cc, state, track, policy), event, at)
            return
    if track in state.started and not definition.repeat:
        return
    if not track.started_by(facts, names, fields):
        return
    if track.gated_next_response and (not state.first_response_given or was_unanswered):
        return
    if track.ola is not None and fields.get("group") != track.ola.group:
        return
    binding = _binding(cc, state, track, policy)
    rule = binding.pause if binding else definition.pause
    clock = Clock(track, at, pause_holds(rule, fields), binding)
    if state.policy_trace is not None:  # tracing
        clock.trace = []
    clock.previous = state.clocks.get(track.key)
    state.clocks[track.key] = clock
    state.started.add(track)
    if binding is not None:
        _make_visible(clock)
    _note(clock, at, "started", event, facts)


def _binding(
    cc: CompiledConfig, state: TicketState, track: Track, policy: Policy | None
) -> Binding | None:
    if track.ola is None and (policy is None or track.metric not in policy.targets):
        return None  # the policy promises nothing for this metric (the common hidden case)
    values = state.binding_values
    if values is None:
        assert state.fields is not None
        values = state.binding_values = cc.binding_key(state.fields)
    return cc.binding(track, policy, state.fields or {}, values)


def _resume(
    state: TicketState, clock: Clock, binding: Binding | None, event: Event, at: datetime
) -> None:
    """A reopen resumes the same resolution clock, judged again at the next solve."""
    clock.resume(at, False)
    _note(clock, at, "resumed", event, "reopened")
    if binding is None:
        clock.stop(at, "cancelled")
        _note(clock, at, "cancelled", event, "no target applies any more")
    elif clock.binding is None or clock.binding.identity != binding.identity:
        _follow(state, clock, binding, event, at)


def _track_conversation(state: TicketState, names: frozenset[str], at: datetime) -> None:
    """Who spoke last: the next_response rules need the oldest unanswered message."""
    if "customer_message" in names and state.unanswered_since is None:
        state.unanswered_since = at
    if "agent_reply" in names:
        state.first_response_given = True
        state.unanswered_since = None
    if "solved" in names:
        state.unanswered_since = None


def _make_visible(clock: Clock) -> None:
    """Cycles are numbered among the clocks that were ever shown (had a target), from 0.

    ``clock`` is its track's latest clock, and a clock keeps its target once it has
    one, so the shown clocks before it are the nearest earlier shown clock's number
    plus one: the walk stops there instead of counting every earlier cycle again
    (which made a ticket with thousands of cycles quadratic).
    """
    earlier = clock.previous
    while earlier is not None and earlier.binding is None:
        earlier = earlier.previous
    clock.cycle = 0 if earlier is None else earlier.cycle + 1


def _forget(all_clocks: dict[tuple[str, str, str], Clock], key: tuple[str, str, str]) -> None:
    """Drop the track's last clock, which stopped without ever having had a target.

    Only a stop can end such a clock (a re-target to no target leaves it running, and a
    deletion ends the ticket's life), so it is dropped right there."""
    previous = all_clocks[key].previous
    if previous is None:
        del all_clocks[key]
    else:
        all_clocks[key] = previous


def every_clock(clocks: dict[tuple[str, str, str], Clock]) -> list[Clock]:
    """Every clock of ``clocks`` (``TicketState.clocks``), track by track in the order
    the tracks began, each track's cycles oldest first."""
    found: list[Clock] = []
    for latest in clocks.values():
        start = len(found)
        clock: Clock | None = latest
        while clock is not None:
            found.append(clock)
            clock = clock.previous
        if len(found) - start > 1:
            found[start:] = found[start:][::-1]
    return found


def _note(clock: Clock, at: datetime, step: str, event: Event, detail: Any) -> None:
    """Record a step of the clock's life, only when explaining (the words cost time)."""
    if clock.trace is None:
        return
    if isinstance(detail, list):
        words = _fact_words(detail)
    elif isinstance(detail, dict):
        words = _status(detail)
    elif isinstance(detail, Binding):
        words = _binding_words(detail)
        if step == "retargeted":
            words = f"{detail.retarget.mode}: {words}"
    else:
        words = str(detail)
    clock.trace.append((at, step, event.id, words))


def _pid(policy: Policy | None) -> str | None:
    return None if policy is None else policy.id


def _fact_words(facts: list[Fact]) -> str:
    return ", ".join(f.name for f in facts) or "-"


def _status(fields: dict[str, Any]) -> str:
    return f"status {fields.get('status')}"


def _binding_words(binding: Binding) -> str:
    where = f"{binding.target_seconds}s on {binding.calendar.id}"
    return f"{binding.policy_id} v{binding.policy_version}, {where}"
