"""``freshdesk``: tickets as Freshdesk's API v2 gives them, each with its
conversations and stats.

An item is a ticket of ``GET /api/v2/tickets/{id}?include=conversations,stats`` (or
of the ticket list with ``include=stats``), with ``conversations`` holding the
ticket's conversations (``GET /api/v2/tickets/{id}/conversations``, every page): a
JSON array of them, one per line, or pages saved as they came. Freshdesk keeps no
history of a ticket's fields in its API, so:

- the ticket is created at ``created_at`` (``by: customer``, or ``agent`` for an
  outbound email, source 10), status ``open``, with its *current* priority (1 Low,
  2 Medium, 3 High, 4 Urgent → ``low``, ``normal``, ``high``, ``urgent``), group
  (``group_id``), agent (``responder_id``), type, channel (``source``: 1 Email,
  2 Portal, 3 Phone, 7 Chat, 9 Feedback widget, 10 Outbound email), requester
  (``requester_id``), company (``customer.id``) and tags;
- status changes come from ``stats``: ``pending_since`` → ``pending``,
  ``reopened_at`` → ``open``, ``resolved_at`` → ``solved``, ``closed_at`` →
  ``closed``, and ``status_updated_at`` → the current status (2 Open, 3 Pending,
  4 Resolved, 5 Closed; a custom status is counted as not mapped), each at its time;
- each conversation is a message at its ``created_at``: ``incoming`` from the
  customer, else an agent's reply, or a note when ``private``.

Freshdesk's own verdicts (``--verdicts-output``): ``first_response`` breached when
``fr_escalated`` or the first response came after ``fr_due_by``, met when it came
before; ``resolution`` breached when resolved after ``due_by``, met before. A
ticket not yet answered or resolved has no verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from slaclock.service.importers.base import SourceRow, stamp
from slaclock.service.importers.json_reading import JsonItem
from slaclock.service.importers.json_source import (
    ItemReader,
    aware,
    in_time_order,
    json_plan,
    json_row,
    obj,
    text,
)
from slaclock.service.importers.plan import Plan

__all__ = ["CHANNELS", "KEYS", "PRIORITIES", "STATUSES", "Reader", "plan"]

#: Pages: a list of tickets is a bare array; a saved search answer has ``results``.
KEYS = ("results", "tickets")
STATUSES = {"2": "open", "3": "pending", "4": "solved", "5": "closed"}
PRIORITIES = {"1": "low", "2": "normal", "3": "high", "4": "urgent"}
CHANNELS = {"1": "email", "2": "web", "3": "phone", "7": "chat", "9": "web", "10": "email"}
_OUTBOUND = "10"
#: ``stats`` timestamps and the status each sets.
_STAT_STATUSES = (
    ("pending_since", "3"),
    ("reopened_at", "2"),
    ("resolved_at", "4"),
    ("closed_at", "5"),
)
_FIELDS = {
    "priority": "priority",
    "group_id": "group",
    "responder_id": "assignee",
    "type": "type",
    "source": "channel",
    "requester_id": "requester.id",
    "company_id": "customer.id",
    "subject": "subject",
    "status": "status",
}


def plan() -> Plan:
    vocabularies = {"status": STATUSES, "priority": PRIORITIES, "source": CHANNELS}
    return json_plan("freshdesk", _FIELDS, vocabularies, tags="tags")


class Reader(ItemReader):
    """Tickets as rows; their verdicts to ``verdicts``, as each ticket is read."""

    def rows(self, items: Iterable[JsonItem]) -> Iterator[SourceRow]:
        for item in items:
            ticket = item.value
            if not isinstance(ticket, dict) or "id" not in ticket or "created_at" not in ticket:
                self.summary.skip("items that are not tickets (no id or created_at)", item.where)
                continue
            if self.recent.repeated(f"ticket:{ticket['id']}", item):
                continue
            yield from in_time_order(self._ticket_rows(item, ticket))
            if self.verdicts is not None:
                self._verdicts(item, ticket)

    def _ticket_rows(self, item: JsonItem, ticket: dict[str, Any]) -> Iterator[SourceRow]:
        number = text(ticket["id"])
        cells = {name: text(ticket.get(name)) for name in _FIELDS if name != "status"}
        cells["status"] = "2"
        cells["tags"] = text(ticket.get("tags") or [])
        source = text(ticket.get("source"))
        by = "agent" if source == _OUTBOUND else "customer"
        yield json_row(item, number, ticket["created_at"], "created", cells, creates=True, by=by)
        stats = obj(ticket.get("stats"))
        if not stats:
            self.summary.note(
                "tickets without stats (include=stats): no status history", item.where
            )
        changes = [(stats.get(key), status) for key, status in _STAT_STATUSES]
        changes.append((stats.get("status_updated_at"), text(ticket.get("status"))))
        for at, status in dict.fromkeys(changes):  # status_updated_at repeats one of them
            if isinstance(at, str) and at:
                yield json_row(item, number, at, f"status:{status}", {"status": status})
        conversations = ticket.get("conversations")
        if not isinstance(conversations, list):
            self.summary.note("tickets without conversations: no messages", item.where)
            return
        for talk in conversations:
            if not isinstance(talk, dict) or not isinstance(talk.get("created_at"), str):
                self.summary.skip("conversations without created_at", item.where)
                continue
            if talk.get("incoming") is True:
                action = "customer_message"
            else:
                action = "note" if talk.get("private") is True else "agent_reply"
            yield json_row(
                item,
                number,
                talk["created_at"],
                f"conversation:{text(talk.get('id'))}",
                action=action,
                author=text(talk.get("user_id")),
            )

    def _verdicts(self, item: JsonItem, ticket: dict[str, Any]) -> None:
        assert self.verdicts is not None
        stats = obj(ticket.get("stats"))
        number = text(ticket["id"])
        first = aware(stats.get("first_responded_at"))
        first_due = aware(ticket.get("fr_due_by"))
        if ticket.get("fr_escalated") is True or (first and first_due and first > first_due):
            self._write(number, "first_response", True, first, "fr_escalated or after fr_due_by")
        elif first and first_due:
            self._write(number, "first_response", False, first, "before fr_due_by")
        resolved = aware(stats.get("resolved_at")) or aware(stats.get("closed_at"))
        due = aware(ticket.get("due_by"))
        if resolved and due:
            self._write(number, "resolution", resolved > due, resolved, "resolved_at and due_by")

    def _write(
        self, ticket: str, metric: str, breached: bool, at: datetime | None, basis: str
    ) -> None:
        assert self.verdicts is not None
        verdict = {"ticket": ticket, "metric": metric, "breached": breached}
        if at is not None:
            verdict["at"] = stamp(at.astimezone(UTC))
        self.verdicts({**verdict, "vendor": "freshdesk", "basis": basis})
