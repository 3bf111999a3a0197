"""Pack a quiet ticket's state into bytes, and back (compact streaming replay).

A ticket whose clocks have all stopped changes no more unless a new event arrives
(a reopen, say). Its state can then leave memory as bytes; the caller decides where
those go (``slaclock replay`` spills them to a temporary file).

The format is a tuple of plain values for :mod:`marshal` (fast, compact): instants as
integer microseconds since the epoch (exact), configuration objects (tracks,
policies, bindings) as indexes into :attr:`CompiledConfig.shared`, never copies.
Event ids are not kept: the streaming replay finds repeats from its stream-wide list of
id hashes. Events that arrive for a parked ticket are packed too (:func:`pack_event`)
and wait behind it.
"""

from __future__ import annotations

import marshal
from datetime import datetime
from typing import Any

from slaclock.core.calendar.business_calendar import epoch_micros, from_epoch_micros
from slaclock.core.engine.clock import Clock
from slaclock.core.engine.compiled import CompiledConfig
from slaclock.core.engine.state import TicketState, every_clock
from slaclock.core.events import Event, new_event

__all__ = ["Parking", "is_quiet", "pack_event", "unpack_event"]


def is_quiet(state: TicketState) -> bool:
    """No clock runs and nothing waits: only a new event can change this ticket."""
    if state.pending or state.policy_trace is not None or state.events is not None:
        return False  # waiting, traced (explain) or kept with its events (the service)
    if not state.created:
        return False
    # A loop, not all(...): no generator when compiled.
    for clock in state.clocks.values():  # noqa: SIM110
        if clock.ended is None:
            return False
    return True


def pack_event(event: Event) -> bytes:
    """An event queued behind a parked ticket: its instant (integer microseconds, exact),
    its arrival number and its JSON object (which holds the rest)."""
    data: Any = event.data  # plain JSON values when read; marshal raises ValueError if not
    return marshal.dumps((epoch_micros(event.at), event.seq, data))


def unpack_event(blob: bytes) -> Event:
    at, seq, data = marshal.loads(blob)
    return new_event(data["id"], data["ticket"], from_epoch_micros(at), data["type"], seq, data)


def _us(value: datetime | None) -> int | None:
    return None if value is None else epoch_micros(value)


def _at(value: int | None) -> datetime | None:
    return None if value is None else from_epoch_micros(value)


class Parking:
    """Packs and unpacks ticket states against one compiled configuration."""

    __slots__ = ("_known", "_refs", "cc")

    def __init__(self, cc: CompiledConfig) -> None:
        self.cc = cc
        self._refs: dict[int, int] = {}
        self._known = 0
        self._synced()

    def _synced(self) -> dict[int, int]:
        """The index of every shared object by ``id`` (bindings are added as met)."""
        shared = self.cc.shared
        if self._known < len(shared):
            for index in range(self._known, len(shared)):
                self._refs[id(shared[index])] = index
            self._known = len(shared)
        return self._refs

    def pack(self, state: TicketState) -> bytes:
        """Inline conversions: a big replay packs hundreds of thousands of tickets."""
        refs = self._synced()
        clocks = tuple([_pack_clock(c, refs) for c in every_clock(state.clocks)])
        policy, keep = state.policy, state.keep
        row = (
            state.ticket_id, state.created, state.deleted, _us(state.created_at), state.fields,
            state.first_response_given, _us(state.unanswered_since),
            None if policy is None else refs[id(policy)], clocks,
            state.started,
            _us(state.last_at), state.last_seq,
            None if keep is None else refs[id(keep)],
        )  # fmt: skip
        return marshal.dumps(row)

    def unpack(self, data: bytes) -> TicketState:
        """Every slot set once, without ``TicketState.__init__`` (which sets them all first)."""
        row = marshal.loads(data)
        shared = self.cc.shared
        state = TicketState.__new__(TicketState)
        state.ticket_id, state.created, state.deleted = row[0], row[1], row[2]
        state.created_at = _at(row[3])
        state.fields, state.first_response_given = row[4], row[5]
        state.unanswered_since = _at(row[6])
        state.policy = None if row[7] is None else shared[row[7]]
        clocks: dict[tuple[str, str, str], Clock] = {}
        for packed in row[8]:  # each track's cycles oldest first (every_clock)
            clock = _unpack_clock(packed, shared)
            key = clock.track.key
            clock.previous = clocks.get(key)
            clocks[key] = clock
        state.clocks = clocks
        state.started = row[9]
        state.last_at, state.last_seq = _at(row[10]), row[11]
        state.keep = None if row[12] is None else shared[row[12]]
        state.pending = state.ids = state.events = state.binding_values = None
        state.policy_trace = None
        return state


def _pack_clock(c: Clock, refs: dict[int, int]) -> tuple[Any, ...]:
    segments = c.segments  # flat: start, end, paused, ...
    packed = [0] * len(segments)
    for i in range(0, len(segments), 3):
        packed[i] = epoch_micros(segments[i])
        packed[i + 1] = epoch_micros(segments[i + 1])
        packed[i + 2] = segments[i + 2]
    open_at, stopped_at = c.open_at, c.stopped_at
    return (
        refs[id(c.track)], c.cycle, epoch_micros(c.started_at),
        None if c.binding is None else refs[id(c.binding)], c.target_seconds, tuple(packed),
        None if open_at is None else epoch_micros(open_at), c.open_paused,
        c.base_elapsed, c.base_paused,
        None if stopped_at is None else epoch_micros(stopped_at), c.ended,
    )  # fmt: skip


def _unpack_clock(row: tuple[Any, ...], shared: list[Any]) -> Clock:
    """Every slot set once, without ``Clock.__init__`` (which sets them all first)."""
    clock = Clock.__new__(Clock)
    clock.track = shared[row[0]]
    clock.cycle = row[1]
    clock.started_at = from_epoch_micros(row[2])
    clock.binding = None if row[3] is None else shared[row[3]]
    clock.target_seconds = row[4]
    packed = row[5]
    segments = list(packed)
    for i in range(0, len(packed), 3):
        segments[i] = from_epoch_micros(packed[i])
        segments[i + 1] = from_epoch_micros(packed[i + 1])
    clock.segments = segments
    clock.open_at = _at(row[6])
    clock.open_paused = row[7]
    clock.base_elapsed, clock.base_paused = row[8], row[9]
    clock.stopped_at = _at(row[10])
    clock.ended = row[11]
    clock.trace = None
    clock.previous = None  # Parking.unpack links the cycles
    return clock
