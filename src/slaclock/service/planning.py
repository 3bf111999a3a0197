"""Planning reminders and escalations: the schedule follows every projection.

Each projection of a ticket re-plans its entries in the same transaction, from the
engine's ``dues`` (``core/engine/schedule.py``: the running clocks' reminder and
escalation times, their ``metrics:`` and ``when:`` judged on the ticket as it is).
So a re-target, pause, resume, stop, cancel, a new configuration version or a change
of a field a ``when:`` reads moves, adds or drops entries with nothing else to
remember. Rules of notifications.md applied here:

- an entry that fired is never planned again (``fires``);
- a reminder whose time had already passed when it was first planned is skipped (a
  reminder planned earlier, now overdue because no worker ran, still fires);
- an escalation whose time has passed is planned anyway and fires at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from slaclock.store.database import Tx
from slaclock.store.schedule import Planned

__all__ = ["entry_name", "plan"]


def entry_name(entry: str, index: int) -> str:
    """``reminders[0]``, ``escalations[2]``: the entry's place in its policy."""
    return f"{entry}s[{index}]"


def plan(
    tx: Tx, dues: Mapping[str, Iterable[Any]], versions: Mapping[str, int], now: datetime
) -> None:
    """Replace the planned entries of the tickets of ``dues`` (ticket id -> the
    engine's ``Due`` list) by what they are now. ``versions``: policy id -> version."""
    tickets = list(dues)
    planned_before = tx.schedule.pending(tickets)
    fired = tx.fires.keys(tickets)
    planned: list[Planned] = []
    for ticket_id, ticket_dues in dues.items():
        for due in ticket_dues:
            entry = Planned(
                ticket_id, due.kind, due.metric, due.cycle, entry_name(due.entry, due.index),
                due.policy, versions.get(due.policy, 1), due.fire_at,
            )  # fmt: skip
            if entry.key in fired:
                continue
            passed = due.fire_at <= now and entry.key not in planned_before
            if passed and due.entry == "reminder":
                continue
            planned.append(entry)
    tx.schedule.replace(tickets, planned)
