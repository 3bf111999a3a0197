"""What the service's reads return: frozen values, each with the JSON the API serves.

Field names are the JSON keys (a queue row's ``instance`` is spread into its JSON).
Instants are aware UTC datetimes, written by ``to_json`` as the replay writes them
(``2026-03-02T08:15:00Z``). What has the engine's shape — an instance's replay JSON, a
ticket's fields, an event as received — is carried as the JSON mapping it is stored as,
and so is a value taken from it (a queue row's ``breached_at``): the engine and the
event format own those shapes, and on PostgreSQL a stored object comes back in JSONB's
key order, which the API passes on unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaclock.service.formats import iso_z
from slaclock.store.events import StoredEvent
from slaclock.store.tickets import TicketCopies, TicketRecord

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class QueueRow(TicketCopies):
    """An open clock as of now: the ticket fields the queue shows (``subject``,
    ``customer``, ``plan``, ``assignee``, ``group``, ``priority``), its stored replay JSON
    and its state as of now."""

    instance: Mapping[str, Any]  # the replay JSON, as the projection stored it
    state: str  # as of now: a running clock past its target is breached
    breached: bool
    breached_at: str | None  # as the replay JSON writes instants
    seconds_to_due: int | None
    overdue_from: datetime | None

    def to_json(self) -> Json:
        """The replay JSON with the state as of now, then the queue's own keys."""
        out = dict(self.instance)
        out["state"] = self.state
        out["breached"] = self.breached
        out["breached_at"] = self.breached_at
        out["seconds_to_due"] = self.seconds_to_due
        out["overdue_from"] = iso_z(self.overdue_from)
        out["subject"] = self.subject
        out["customer"] = self.customer
        out["customer_name"] = self.customer_name
        out["plan"] = self.plan
        out["assignee"] = self.assignee
        out["group"] = self.group
        out["priority"] = self.priority
        return out


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRow, ...] = ()
    next_cursor: str | None = None  # None on the last page

    def to_json(self) -> Json:
        return {"rows": [row.to_json() for row in self.rows], "next_cursor": self.next_cursor}


@dataclass(frozen=True, slots=True)
class Counts:
    """Clocks by state as of now (see :mod:`slaclock.service.summary`)."""

    running: int = 0
    paused: int = 0
    at_risk: int = 0
    breached: int = 0
    breached_today: int = 0
    met_today: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "running": self.running,
            "paused": self.paused,
            "at_risk": self.at_risk,
            "breached": self.breached,
            "breached_today": self.breached_today,
            "met_today": self.met_today,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    now: datetime
    at_risk_within_seconds: int
    totals: Counts
    groups: Mapping[str, Counts]  # by group id, sorted; "" for clocks with no group

    def to_json(self) -> Json:
        return {
            "now": iso_z(self.now),
            "at_risk_within_seconds": self.at_risk_within_seconds,
            "totals": self.totals.to_json(),
            "groups": {group: counts.to_json() for group, counts in self.groups.items()},
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event of a ticket's timeline: as received, and when and from whom."""

    seq: int
    received_at: datetime
    source: str | None  # the id of the token that sent it
    source_name: str | None  # that token's name (None once the token is deleted)
    event: Mapping[str, Any]  # as received

    @classmethod
    def of(cls, stored: StoredEvent) -> TimelineEntry:
        return cls(stored.seq, stored.received_at, stored.source, stored.source_name,
                   stored.body)  # fmt: skip

    def to_json(self) -> Json:
        return {
            "seq": self.seq,
            "received_at": iso_z(self.received_at),
            "source": self.source,
            "source_name": self.source_name,
            "event": dict(self.event),
        }


@dataclass(frozen=True, slots=True)
class EventPage:
    rows: tuple[TimelineEntry, ...] = ()
    next_cursor: str | None = None  # None on the last page

    def to_json(self) -> Json:
        return {"rows": [row.to_json() for row in self.rows], "next_cursor": self.next_cursor}


@dataclass(frozen=True, slots=True)
class TicketView(TicketRecord):
    """A ticket's stored projection: its row (``fields`` are its current fields as the
    engine keeps them), its first events and its instances."""

    events: tuple[TimelineEntry, ...]  # the first, in replay order
    event_count: int  # all of them
    instances: tuple[Mapping[str, Any], ...]  # replay JSON, sorted kind, metric, cycle

    @classmethod
    def of(
        cls,
        ticket: TicketRecord,
        events: Iterable[TimelineEntry],
        event_count: int,
        instances: Iterable[Mapping[str, Any]],
    ) -> TicketView:
        values = {f.name: getattr(ticket, f.name) for f in dataclasses.fields(ticket)}
        return cls(
            **values, events=tuple(events), event_count=event_count, instances=tuple(instances)
        )

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "created": self.created,
            "deleted": self.deleted,
            "status": self.status,
            "priority": self.priority,
            "group": self.group,
            "assignee": self.assignee,
            "customer": self.customer,
            "plan": self.plan,
            "subject": self.subject,
            "created_at": iso_z(self.created_at),
            "next_change_at": iso_z(self.next_change_at),
            "projected_at": iso_z(self.projected_at),
            "fields": self.fields,
            "events": [entry.event for entry in self.events],
            "event_count": self.event_count,
            "instances": list(self.instances),
        }


@dataclass(frozen=True, slots=True)
class ConfigVersion:
    """A stored configuration version: who stored it when, and its policies' versions."""

    version: int
    author: str
    created_at: datetime
    policies: Mapping[str, int]
    olas: Mapping[str, int]

    def to_json(self) -> Json:
        """Plain values; ``created_at`` stays a datetime for the API's encoder."""
        return {
            "version": self.version,
            "author": self.author,
            "created_at": self.created_at,
            "policies": dict(self.policies),
            "olas": dict(self.olas),
        }


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """One delivery with its fire, as the notifications API lists it. ``address`` is
    shown safe: an email address as it is, a webhook URL without what may be secret."""

    id: str
    ticket: str
    type: str
    kind: str
    entry: str
    metric: str
    cycle: int
    fire_at: datetime
    recipient: str
    channel: str
    address: str
    state: str
    #: ``state`` narrowed: ``held`` (quiet hours) or ``failed`` (retrying) for pending.
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    held_until: datetime | None

    def to_json(self) -> Json:
        out: Json = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("fire_at", "next_attempt_at", "created_at", "sent_at", "held_until"):
            out[name] = iso_z(out[name])
        return out


@dataclass(frozen=True, slots=True)
class NotificationPage:
    rows: tuple[NotificationRow, ...] = ()
    next_cursor: str | None = None  # None on the last page

    def to_json(self) -> Json:
        return {"rows": [row.to_json() for row in self.rows], "next_cursor": self.next_cursor}
