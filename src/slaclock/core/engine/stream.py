"""Replay a large event stream with compact per-ticket state instead of events.

The replay output is sorted by ticket, so no ticket can be printed before the input
ends; what we can choose is what to keep per ticket until then. We keep the engine's
:class:`~slaclock.core.engine.state.TicketState` (fields, a few clocks of segments),
never the events themselves, plus one 8-byte hash per event id for the whole stream:
memory grows with the number of tickets, not the number of events.

With ``parked`` (a :class:`ParkingLot` the caller provides, e.g. backed by a temporary
file), a ticket whose clocks have all stopped, or that had no event for a while, leaves
memory as bytes. It does not come back when another event for it arrives in time
order: that event is packed and queued behind it in the lot, and the queue is applied
when the ticket is read at the end. A ticket is parked once and unpacked once. Memory
then grows with the number of recently active tickets, plus a few dozen bytes per
parked ticket in the caller's index.

The price is that a ticket whose events arrive out of time order, or repeat, cannot be
corrected from compact state. A ticket with an event older than its last one is set
aside in :attr:`needs_history` as soon as that event arrives; a repeated event id is
found at the end, from the hashes (:meth:`StreamReplay.set_aside_repeats`). The caller
(``slaclock replay``) reads the input a second time for those tickets only and hands
their events to :meth:`Engine.replay_ticket`. In-order input never pays for it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from struct import Struct
from typing import Protocol

from slaclock.core.engine.engine import Engine, TicketResult
from slaclock.core.engine.instance import Instance, InstanceRow, instance_of, json_line
from slaclock.core.engine.park import Parking, is_quiet, pack_event, unpack_event
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event

__all__ = ["MemoryLot", "ParkingLot", "StreamReplay", "cross_ticket_repeats", "lines"]


def cross_ticket_repeats(events: Sequence[Event]) -> dict[str, set[int]]:
    """Events whose id was first seen on *another* ticket: ticket -> their ``seq``.

    An event id is unique across the whole stream (events.md): an event whose id was
    seen before is ignored, even when it names a different ticket — the service's
    event log refuses it the same way. The lowest ``seq`` (arrival order) is the one
    seen first. Repeats within one ticket are left to the ticket's own replay.
    """
    owner: dict[str, tuple[int, str]] = {}
    for event in events:
        seen = owner.get(event.id)
        if seen is None or event.seq < seen[0]:
            owner[event.id] = (event.seq, event.ticket)
    drops: dict[str, set[int]] = {}
    for event in events:
        if owner[event.id][1] != event.ticket:
            drops.setdefault(event.ticket, set()).add(event.seq)
    return drops


class ParkingLot(Protocol):
    """Where parked tickets wait as bytes: per ticket a list of blobs, the packed state
    first, then the events that arrived for it while it was parked, in order."""

    def park(self, key: str, blob: bytes) -> None:
        """Start ``key``'s list with ``blob`` (whatever it held is forgotten)."""

    def append(self, key: str, blob: bytes) -> None:
        """Add ``blob`` to the end of ``key``'s list."""

    def blobs(self, key: str) -> list[bytes]:
        """``key``'s list, oldest first."""

    def discard(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not there)."""

    def __contains__(self, key: object) -> bool: ...

    def __iter__(self) -> Iterator[str]: ...


class MemoryLot:
    """A :class:`ParkingLot` in a dict: for tests, and for callers with memory to spare."""

    def __init__(self) -> None:
        self._lists: dict[str, list[bytes]] = {}

    def park(self, key: str, blob: bytes) -> None:
        self._lists[key] = [blob]

    def append(self, key: str, blob: bytes) -> None:
        self._lists[key].append(blob)

    def blobs(self, key: str) -> list[bytes]:
        return list(self._lists[key])

    def discard(self, key: str) -> None:
        self._lists.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._lists

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)


class StreamReplay:
    """Feed events in arrival order, then read every instance as of ``as_of``."""

    __slots__ = (
        "_all_ids", "_fresh_ids", "_idle", "_newest", "_parked_any", "_parking", "_sweep_at",
        "as_of", "engine", "needs_history", "parked", "states",
    )  # fmt: skip

    def __init__(
        self,
        engine: Engine,
        as_of: datetime,
        parked: ParkingLot | None = None,
        resident: int = 150_000,
        idle_seconds: float = 2 * 86400,
    ) -> None:
        """``parked``: where tickets go as bytes (None: they stay in memory).

        Tickets are parked in sweeps, once more than ``resident`` tickets are in memory
        (and then whenever that count doubles): every quiet ticket (no clock runs), and
        every ticket without an event in the last ``idle_seconds`` of event time (a
        parked ticket's running clocks are read at the end like any other's).
        """
        self.engine = engine
        self.as_of = as_of
        self.states: dict[str, TicketState] = {}
        self.needs_history: set[str] = set()
        self.parked = parked
        #: Whether the lot may hold a ticket: until the first sweep parks one, a new
        #: ticket's id is not looked up in it (a Python-level call for most lots).
        self._parked_any = parked is not None and next(iter(parked), None) is not None
        self._parking = Parking(engine.compiled)
        self._sweep_at = resident
        self._idle = timedelta(seconds=idle_seconds)
        #: The latest instant fed so far: an event at or after it is in time order for
        #: its ticket whatever that ticket's last event was (``seq`` only grows).
        self._newest: datetime | None = None
        #: One 8-byte hash per event id of the whole stream, for :meth:`repeated_id_hashes`;
        #: the newest gather in a list first (an append per event is then a C call, an
        #: ``array.append`` a method lookup) and move over in blocks.
        self._all_ids = array("q")
        self._fresh_ids: list[int] = []

    def feed(self, event: Event) -> None:
        """Apply one event; events after ``as_of`` count for nothing."""
        ticket, at = event.ticket, event.at
        fresh = self._fresh_ids
        fresh.append(hash(event.id))
        if len(fresh) >= _ID_BLOCK:
            self._move_ids()
        if at > self.as_of or ticket in self.needs_history:
            return
        newest = self._newest
        in_order = newest is None or at >= newest
        if in_order:
            self._newest = at
        state = self.states.get(ticket)
        if state is None:
            parked = self.parked
            if parked is not None and self._parked_any and ticket in parked:
                blob = _packed(event) if in_order else None
                if blob is not None:  # no need to look at the ticket: queue the event
                    parked.append(ticket, blob)
                    return
                state = self._unpark(parked, ticket)
            else:
                state = self.states[ticket] = TicketState(ticket)
                state.keep = self.engine.compiled.field_filter
        if not in_order and not self._in_order(state, event):
            return
        self.engine.feed(state, event)
        if self.parked is not None and len(self.states) >= self._sweep_at:
            assert self._newest is not None
            self._sweep(self.parked, self._newest - self._idle)

    def feed_all(self, events: Iterable[Event]) -> int:
        """:meth:`feed` every event in turn; returns how many were fed.

        The loop a replay runs millions of times: written here, it is compiled with
        the rest, and each event costs a C call rather than a Python one."""
        count = 0
        for event in events:
            self.feed(event)
            count += 1
        return count

    def _in_order(self, state: TicketState, event: Event) -> bool:
        """Whether ``event`` comes after the ticket's last one; if not, the ticket is set
        aside for a replay from its full history."""
        last_at = state.last_at
        if (
            last_at is None
            or event.at > last_at
            or (event.at == last_at and event.seq > state.last_seq)
        ):
            return True
        self.needs_history.add(state.ticket_id)
        del self.states[state.ticket_id]
        return False

    def repeated_id_hashes(self) -> set[int]:
        """Hashes of ids fed more than once (a superset of the real repeats: hashes of
        different ids may collide). The caller finds the events with these hashes on a
        second read and hands them to :meth:`set_aside_repeats`."""
        return repeated_values(self.id_hashes())

    def id_hashes(self) -> array[int]:
        """The hash of every event id fed so far, in arrival order (8 bytes each): a
        caller that replays a stream in parts finds the ids repeated across them."""
        self._move_ids()
        return self._all_ids

    def _move_ids(self) -> None:
        # ``array.extend`` reads each int through a format-string parser (2% of a
        # replay at 100k tickets); ``struct`` converts them in a third of the time.
        fresh = self._fresh_ids
        packer = _ID_BLOCK_STRUCT if len(fresh) == _ID_BLOCK else Struct(f"{len(fresh)}q")
        self._all_ids.frombytes(packer.pack(*fresh))
        self._fresh_ids = []

    def set_aside_repeats(self, candidates: Sequence[Event]) -> dict[str, set[int]]:
        """Every ticket with an event among ``candidates`` (the events whose id hash
        repeats) is replayed from its full history; returns the events to leave out of
        those replays (:func:`cross_ticket_repeats`). A hash collision only costs a
        needless exact replay."""
        for ticket_id in {event.ticket for event in candidates}:
            self.states.pop(ticket_id, None)
            if self.parked is not None:
                self.parked.discard(ticket_id)
            self.needs_history.add(ticket_id)
        return cross_ticket_repeats(candidates)

    def _sweep(self, parked: ParkingLot, idle_before: datetime) -> None:
        """Park quiet and idle tickets; memory keeps the recently active ones."""
        leaving = [
            ticket_id for ticket_id, state in self.states.items() if _can_leave(state, idle_before)
        ]
        # ``self._parking.pack(...)``, not a bound ``pack`` taken once: compiled, it is a
        # C method call on a typed attribute, while Cython's conversion of the C method to
        # a Python callable passes a function of the wrong C signature (gcc warns).
        states = self.states
        for ticket_id in leaving:
            parked.park(ticket_id, self._parking.pack(states.pop(ticket_id)))
            self._parked_any = True
        self._sweep_at = max(self._sweep_at, 2 * len(states))

    def _unpark(self, parked: ParkingLot, ticket_id: str) -> TicketState:
        state = self._read_parked(parked, ticket_id)
        parked.discard(ticket_id)
        self.states[ticket_id] = state
        return state

    def _read_parked(self, parked: ParkingLot, ticket_id: str) -> TicketState:
        """A parked ticket's state with the events queued behind it applied."""
        state_blob, *queued = parked.blobs(ticket_id)
        state = self._parking.unpack(state_blob)
        for blob in queued:
            self.engine.feed(state, unpack_event(blob))
        return state

    def instances(self, replayed: Mapping[str, TicketResult] | None = None) -> Iterator[Instance]:
        """Every instance, sorted by ticket; ``replayed`` covers :attr:`needs_history`."""
        for row in self.rows(replayed):
            yield instance_of(row)

    def rows(self, replayed: Mapping[str, TicketResult] | None = None) -> Iterator[InstanceRow]:
        """:meth:`instances` as plain tuples (``Clock.row``): what the replay prints."""
        replayed = replayed or {}
        missing = self.needs_history - set(replayed)
        if missing:
            raise ValueError(f"tickets need their full history: {sorted(missing)[:5]}")
        parked = self.parked
        # The three key sets are disjoint: a sorted list of them, not a union set.
        for ticket_id in sorted([*self.states, *(parked or ()), *replayed]):
            if ticket_id in replayed:
                yield from replayed[ticket_id].instances
                continue
            state = self.states.get(ticket_id)
            if state is None:
                assert parked is not None
                state = self._read_parked(parked, ticket_id)
            yield from self.engine.rows(state, self.as_of)


def repeated_values(values: array[int]) -> set[int]:
    """The values found more than once in ``values``.

    Up to :data:`_PYTHON_LIMIT` values, a set of them answers (nearly always: no
    repeats) in a fraction of the time importing NumPy takes (0.1 s, a tenth of a
    10,000-ticket replay), and of sorting them. Beyond, NumPy sorts them: a set of
    millions of ints would weigh hundreds of megabytes."""
    if len(values) <= _PYTHON_LIMIT:
        if len(set(values)) == len(values):
            return set()
        seen: set[int] = set()
        repeats: set[int] = set()
        for value in values:
            if value in seen:
                repeats.add(value)
            else:
                seen.add(value)
        return repeats
    import numpy as np

    hashes = np.sort(np.frombuffer(values, dtype=np.int64))
    return {int(h) for h in np.unique(hashes[1:][hashes[1:] == hashes[:-1]])}


#: Where :func:`repeated_values` goes over from a set to NumPy (a set of 100,000 ints
#: weighs about 6 MB).
_PYTHON_LIMIT = 100_000

#: How many id hashes gather in :attr:`StreamReplay._fresh_ids` before moving over.
_ID_BLOCK = 4096
#: A full block's hashes as native 8-byte integers, the layout of ``array("q")``.
_ID_BLOCK_STRUCT = Struct(f"{_ID_BLOCK}q")


def lines(instances: Iterable[InstanceRow], chunk_size: int = 4096) -> Iterator[str]:
    """The replay output of ``instances`` (rows, or :class:`Instance` objects): one
    compact JSON line each (:func:`json_line`), in chunks of ``chunk_size`` lines, each
    chunk ending with a newline. (A compiled loop,
    as :meth:`StreamReplay.feed_all`; the caller writes the chunks.)"""
    chunk: list[str] = []
    for instance in instances:
        chunk.append(json_line(instance))
        if len(chunk) >= chunk_size:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _packed(event: Event) -> bytes | None:
    """The event as bytes; None when its data is not plain JSON values (an event built
    in Python rather than read): it is then applied at once instead."""
    try:
        return pack_event(event)
    except ValueError:
        return None


def _can_leave(state: TicketState, idle_before: datetime) -> bool:
    if state.pending or not state.created:
        return False  # held events are Event objects; they stay until creation
    return is_quiet(state) or (state.last_at is not None and state.last_at < idle_before)
