"""The demo's world: generated history turned into a healthy, busy support team.

The workload generator is fitted to real incident logs, long tails included; left as it
is, a demo built from it opens onto months-old untouched tickets and a queue led by
breaches from weeks ago. A real helpdesk does not look like that: its agents answer
faster than the raw logs suggest, it auto-solves tickets left pending on the customer,
closes abandoned ones, and works off yesterday's breaches. This module does the same to
the generated events, leaving the generator itself (and its recorded checksums) alone:

* :func:`tighten` brings every ticket's events closer to its creation (a team that
  keeps most promises);
* :func:`rename_customers` gives the customers unique, readable company names and ids;
* :func:`housekeeping` auto-solves tickets pending on the customer for
  :data:`PENDING_AUTO_SOLVE` and closes tickets untouched for :data:`STALE_CLOSE`, as
  helpdesk automations do, by a ``system`` event;
* :func:`catch_up` answers and solves the tickets whose clocks fell overdue before today
  (the backlog a team works off), so the queue's head is due soon or breached today.

All of it is deterministic: the same events and seed give the same result.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "COMPANY_NAMES",
    "PENDING_AUTO_SOLVE",
    "STALE_CLOSE",
    "TIGHTEN",
    "catch_up",
    "housekeeping",
    "instant",
    "rename_customers",
    "stamp",
    "tighten",
]

#: Each ticket's events move to ``created + TIGHTEN * (at - created)``.
TIGHTEN = 0.35
#: A ticket pending on the customer this long is solved by the helpdesk's automation.
PENDING_AUTO_SOLVE = timedelta(days=7)
#: A ticket nobody touched this long (new, open or on hold) is closed by the helpdesk.
STALE_CLOSE = timedelta(days=10)

_STEMS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Harborline", "Redwood", "Silverline", "Brightwater", "Ironbridge",
    "Greenfield", "Stonegate", "Clearview", "Oakridge", "Blackstone", "Lakeside", "Westbrook",
    "Sunrise", "Evergreen", "Highland", "Riverside", "Kingsway", "Fairmont", "Crescent",
    "Pinecrest", "Copperleaf", "Starling", "Bayview", "Maplewood", "Goldcrest", "Seabright",
    "Whitehall", "Ashford", "Foxglove", "Hawthorne", "Larkspur", "Moorland", "Northstar",
    "Orchard", "Parkview", "Queensbury", "Rosewood", "Sterling", "Thornbury", "Upland",
    "Valleyview", "Windmill", "Yarrow", "Alderley", "Brookfield", "Castlerock", "Driftwood",
    "Elmstead",
)  # fmt: skip
_KINDS: tuple[str, ...] = (
    "Logistics", "Health", "Foods", "Labs", "Retail", "Systems", "Energy", "Media", "Finance",
    "Travel", "Robotics", "Software", "Insurance", "Group", "Studios", "Pharma",
)  # fmt: skip
#: Every company name the demo may use (800, unique).
COMPANY_NAMES: tuple[str, ...] = tuple(f"{s} {k}" for s in _STEMS for k in _KINDS)


def instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _by_ticket(events: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tickets: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        tickets.setdefault(event["ticket"], []).append(event)
    return tickets


def tighten(events: Sequence[dict[str, Any]], factor: float = TIGHTEN) -> list[dict[str, Any]]:
    """The events with each ticket's timeline shrunk towards its creation by ``factor``
    (order within a ticket kept); the ``at`` values become datetimes."""
    out = []
    for ticket_events in _by_ticket(events).values():
        times = [instant(e["at"]) for e in ticket_events]
        start = min(times)
        for event, at in zip(ticket_events, times, strict=True):
            moved = start + timedelta(seconds=int((at - start).total_seconds() * factor))
            out.append({**event, "at": moved})
    return out


def rename_customers(events: Iterable[dict[str, Any]], seed: int) -> None:
    """Give each customer a unique company name from :data:`COMPANY_NAMES` (picked by
    ``seed``) and an id made of it; requesters' ids and mail domains follow. In place."""
    names = list(COMPANY_NAMES)
    random.Random(seed).shuffle(names)
    assigned: dict[str, tuple[str, str]] = {}
    for event in events:
        fields = event.get("fields")
        if event.get("type") != "ticket.created" or not fields or "customer" not in fields:
            continue
        customer = fields["customer"]
        old = str(customer["id"])
        if old not in assigned:
            name = names[len(assigned) % len(names)]
            assigned[old] = (name.lower().replace(" ", "-"), name)
        cid, name = assigned[old]
        fields["customer"] = {**customer, "id": cid, "name": name}
        requester = fields.get("requester")
        if requester:
            local = str(requester.get("email", "")).split("@")[0]
            fields["requester"] = {
                **requester,
                "id": str(requester["id"]).replace(old, cid),
                "email": f"{local}@{cid}.example",
            }


def _status_event(ticket: str, at: datetime, status: str, name: str) -> dict[str, Any]:
    return {
        "id": f"{ticket}-{name}",
        "ticket": ticket,
        "at": stamp(at),
        "type": "ticket.updated",
        "by": "system",
        "changes": {"status": status},
    }


def housekeeping(events: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """What a helpdesk's automations would have done by ``now``: a ``solved`` for each
    ticket pending on the customer for :data:`PENDING_AUTO_SOLVE`, a ``closed`` for each
    ticket otherwise open and untouched for :data:`STALE_CLOSE`. Returns the new events;
    ``events`` must be in time order."""
    added = []
    for ticket, ticket_events in _by_ticket(events).items():
        status = None
        for event in ticket_events:
            if event.get("type") == "ticket.deleted":
                status = "deleted"
            elif event.get("type") == "ticket.created":
                status = event.get("fields", {}).get("status")
            elif event.get("author") == "customer" and status in ("pending", "solved"):
                status = "open"  # a customer message reopens (events.md)
            else:
                status = event.get("changes", {}).get("status", status)
        last = instant(ticket_events[-1]["at"])
        if status == "pending" and now - last > PENDING_AUTO_SOLVE:
            added.append(_status_event(ticket, last + PENDING_AUTO_SOLVE, "solved", "autosolved"))
        elif status in ("new", "open", "on_hold") and now - last > STALE_CLOSE:
            added.append(_status_event(ticket, last + STALE_CLOSE, "closed", "stale-closed"))
    return added


def catch_up(
    overdue: Mapping[str, tuple[datetime, datetime, str | None]], now: datetime, seed: int
) -> list[dict[str, Any]]:
    """The events of a team working off its backlog: for each ticket with a clock
    overdue before today, ``overdue[ticket] = (overdue since, last event, assignee)``, a
    reply by its assignee and a solve some hours after the later of the two, never
    after ``now``."""
    rng = random.Random(seed)
    added = []
    for ticket in sorted(overdue):
        since, last, assignee = overdue[ticket]
        at = max(since, last) + timedelta(minutes=rng.randint(30, 8 * 60))
        at = min(at, now - timedelta(minutes=rng.randint(61, 180)))
        at = max(at, last)
        reply: dict[str, Any] = {
            "id": f"{ticket}-caught-up-reply",
            "ticket": ticket,
            "at": stamp(at),
            "type": "message",
            "author": "agent",
            "public": True,
        }
        if assignee:
            reply["author_id"] = assignee
        added.append(reply)
        added.append(_status_event(ticket, at, "solved", "caught-up"))
    return added
