"""Engine states of recently projected tickets, so a new event does not replay history.

Projecting a ticket means replaying all its events. For the common case — a new
event later than every stored one — the engine can instead continue from the
ticket's state after its previous projection (``Engine.feed``) and render the
result as of now. That state is only trusted when it provably matches the log:

- it was built by the same :class:`Engine` (so the same configuration version);
  the states of earlier versions kept beside it (for instances that stopped
  under them, see :mod:`slaclock.service.history`) are fed the same events and
  used only while their version's engine is still the same object;
- it was fed exactly the ticket's stored events: their count in the database
  equals the count fed plus this batch's new ones (the log is append-only, and
  under the ticket lock no other writer can add events for the ticket);
- every new event sorts after everything fed (``(at, seq)``), and none lies after
  "now" (replay ignores those; a state that had them would differ).

Otherwise the ticket is replayed from the log, as always. An entry is taken out
while a transaction uses it and put back only after that transaction commits, so
a rolled-back transaction never leaves a state with uncommitted events behind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slaclock.core.events import Event
from slaclock.service.judged_fields import FieldHistory

DEFAULT_CAPACITY = 10_000


@dataclass
class CachedState:
    engine: Any  # the Engine that built the state
    state: Any  # its TicketState
    event_count: int
    last_key: tuple[datetime, int] | None
    #: Earlier configuration versions' (engine, state), fed the same events.
    olds: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    #: The instance rows the projection stored from this state: each instance (by
    #: kind, metric, cycle) with its row's digest, and the ticket fields the rows
    #: copied. An ended clock renders the same instance object every time, so the
    #: next projection rewrites only the rows whose instance is not that object.
    stored_rows: dict[tuple[str, str, int], tuple[Any, str]] | None = None
    stored_copies: dict[str, str | None] | None = None
    #: The ticket's report dimensions after each event fed (service/judged_fields.py).
    history: FieldHistory = field(default_factory=FieldHistory)

    def can_continue(self, engine: Any, new: Sequence[Event], stored: int, now: datetime) -> bool:
        """Whether feeding ``new`` to this state equals replaying the stored log."""
        if engine is not self.engine or self.event_count + len(new) != stored:
            return False
        last = self.last_key
        for event in new:
            if event.at > now or (last is not None and event.sort_key <= last):
                return False
            last = event.sort_key
        return True


class StateCache:
    """A bounded, thread-safe LRU of :class:`CachedState` by ticket id."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, CachedState] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, ticket_id: str) -> CachedState | None:
        with self._lock:
            return self._entries.pop(ticket_id, None)

    def put_all(self, entries: Iterable[tuple[str, CachedState]]) -> None:
        with self._lock:
            for ticket_id, entry in entries:
                self._entries[ticket_id] = entry
                self._entries.move_to_end(ticket_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
