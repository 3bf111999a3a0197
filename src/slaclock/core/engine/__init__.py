"""The SLA clock engine: events in, instances out (events.md, policies.md).

Public surface:

- :class:`Engine` — ``run`` and ``feed`` (a ticket's state), ``result`` (read as of an
  instant), ``replay_ticket`` (both), ``explain_ticket``, ``schedule``;
- :func:`replay` — every ticket of an event stream, instances in the spec's order;
- values: :class:`Instance`, :class:`TicketResult`, :class:`Due`,
  :class:`Explanation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from slaclock.core.engine.breach import overdue_from
from slaclock.core.engine.engine import Engine, TicketResult, cross_ticket_repeats
from slaclock.core.engine.explain import Explanation
from slaclock.core.engine.instance import INSTANCE_KEYS, STATES, Instance
from slaclock.core.engine.schedule import Due
from slaclock.core.events import Event
from slaclock.core.model import Config

__all__ = [
    "INSTANCE_KEYS",
    "STATES",
    "Due",
    "Engine",
    "Explanation",
    "Instance",
    "TicketResult",
    "cross_ticket_repeats",
    "overdue_from",
    "replay",
]


def replay(config: Config, events: Iterable[Event], as_of: datetime) -> Iterator[Instance]:
    """Every instance of every ticket as of ``as_of``: sorted ticket, kind, metric, cycle.

    Events may come in any order and repeat; each ticket's result depends only on its
    events sorted by ``(at, arrival order)``.
    """
    engine = Engine(config)
    everything = list(events)
    drops = cross_ticket_repeats(everything)
    by_ticket: dict[str, list[Event]] = {}
    for event in everything:
        if event.seq not in drops.get(event.ticket, ()):
            by_ticket.setdefault(event.ticket, []).append(event)
    for ticket_id in sorted(by_ticket):
        yield from engine.replay_ticket(by_ticket[ticket_id], as_of).instances
