"""Rows in, events out: one :class:`~slaclock.service.importers.plan.Plan` applied to a
stream of rows.

Rows arrive in file order. Consecutive rows of one ticket form a group (exports list
a ticket's rows together); a group is put in the plan's ``order`` when it has one,
then each row becomes at most three events: the ticket's creation (its first row) or
an update with just the fields that changed, a message, a deletion. Only the
last-known fields of each ticket are kept between rows, so memory grows with the
number of tickets, never with the file. A ticket whose rows come back later in the
file continues from what is known of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

import orjson

from slaclock.core.model import CHANNELS, PRIORITIES, TICKET_STATUSES
from slaclock.service.importers.base import SourceRow, Summary, TimeReader, stamp
from slaclock.service.importers.plan import Action, Plan

__all__ = ["Observer", "PlanMapper", "Timed"]

#: A row with its instant, as the mapper applies it.
Timed = tuple[SourceRow, datetime]
#: Sees each group of a ticket's rows, in the order they were applied.
Observer = Callable[[str, list[Timed]], None]

_UNSET = object()
#: Fields that cannot be null in an event: a missing value leaves them as they were.
_NOT_NULL = frozenset({"status", "channel"})
_ALLOWED = {
    "status": frozenset(TICKET_STATUSES),
    "channel": frozenset(CHANNELS),
    "priority": frozenset(PRIORITIES),
}
_MESSAGE_SUFFIX = {"agent_reply": "reply", "customer_message": "message", "note": "note"}
_CREATORS = frozenset({"customer", "agent", "system"})


class PlanMapper:
    """Turns rows into events by ``plan``; what it cannot map goes into ``summary``.

    ``prepare`` may rewrite a row's cells first (a source's own repairs); ``observe``
    sees each group of rows after it was applied (a source's vendor verdicts)."""

    def __init__(
        self,
        plan: Plan,
        times: TimeReader,
        summary: Summary,
        prepare: Callable[[dict[str, str]], None] | None = None,
        observe: Observer | None = None,
    ) -> None:
        self.plan = plan
        self.times = times
        self.summary = summary
        self.prepare = prepare
        self.observe = observe
        #: The last-known fields of each ticket seen (dotted paths).
        self.known: dict[str, dict[str, Any]] = {}

    def events(self, rows: Iterable[SourceRow]) -> Iterator[dict[str, Any]]:
        """The events of ``rows``, ticket after ticket, each in its order."""
        for ticket, group in groupby(self._counted(rows), key=self._ticket_of):
            if not ticket:
                for row in group:
                    self.summary.skip(f"no ticket id (column {self.plan.ticket!r})", row.where)
                continue
            timed = self._ordered(self._timed(group))
            if not timed:
                continue
            yield from self._ticket_events(ticket, timed)
            if self.observe is not None:
                self.observe(ticket, timed)

    # ------------------------------------------------------------------ rows

    def _counted(self, rows: Iterable[SourceRow]) -> Iterator[SourceRow]:
        for row in rows:
            self.summary.rows += 1
            if self.prepare is not None:
                self.prepare(row.cells)
            yield row

    def _ticket_of(self, row: SourceRow) -> str:
        return self._cell(row, self.plan.ticket) or ""

    def _cell(self, row: SourceRow, column: str) -> str | None:
        """The cell's text, stripped; None when it is missing or means "no value"."""
        text = row.cells.get(column)
        if text is None:
            return None
        text = text.strip()
        return None if text in self.plan.missing else text

    def _timed(self, group: Iterable[SourceRow]) -> list[Timed]:
        timed = []
        for row in group:
            at = self._instant(row, self.plan.at)
            if at is not None:
                timed.append((row, at))
        return timed

    def _instant(self, row: SourceRow, column: str) -> datetime | None:
        text = self._cell(row, column)
        if text is None:
            self.summary.skip(f"no time in column {column!r}", row.where)
            return None
        try:
            return self.times.read(text)
        except (ValueError, OverflowError):
            fmt = self.times.fmt or "ISO 8601"
            self.summary.skip(
                f"time not readable in column {column!r} (format {fmt})", f"{row.where}: {text!r}"
            )
            return None

    def _ordered(self, timed: list[Timed]) -> list[Timed]:
        """A group in the plan's ``order`` (stable: ties keep file order), each row no
        earlier than the one before it, so the engine, which sorts by time, applies
        them in that order too."""
        column = self.plan.order
        if column is None:
            return timed
        numbered = []
        for row, at in timed:
            text = self._cell(row, column)
            try:
                numbered.append((float(text or ""), row, at))
            except ValueError:
                self.summary.skip(f"order not a number (column {column!r})", row.where)
        numbered.sort(key=lambda item: item[0])
        ordered: list[Timed] = []
        for _, row, at in numbered:
            if ordered and at < ordered[-1][1]:
                previous = ordered[-1][1]
                self.summary.note(
                    f"dated before the ticket's previous update (by {column!r}): "
                    "applied at that update's instant",
                    f"{row.where}: {stamp(at)} < {stamp(previous)}",
                )
                at = previous
            ordered.append((row, at))
        return ordered

    # ---------------------------------------------------------------- events

    def _ticket_events(self, ticket: str, timed: list[Timed]) -> Iterator[dict[str, Any]]:
        keys = self._row_keys(timed)
        start = 0
        if ticket not in self.known and self._creates(timed[0][0]):
            start = 1
            yield from self._creation(ticket, timed[0], keys[0])
        elif ticket not in self.known:
            self.summary.tickets += 1
            self.known[ticket] = {}
            self.summary.note(
                "tickets whose creation is not in the export (before it, or imported "
                "earlier): their rows are updates",
                f"{timed[0][0].where}: {ticket}",
            )
        for (row, at), key in zip(timed[start:], keys[start:], strict=True):
            yield from self._row_events(ticket, row, at, key)

    def _creates(self, row: SourceRow) -> bool:
        """Whether ``row`` creates its ticket: always, unless the plan says which do."""
        return self.plan.creates is None or bool(row.cells.get(self.plan.creates))

    def _row_keys(self, timed: list[Timed]) -> list[str]:
        """What identifies each row within its ticket: the plan's ``row_id`` or
        ``order`` column, else the time as the source wrote it (not as read: ``--tz``
        must not change ids); a repeat gets ``~2``, ``~3`` …"""
        column = self.plan.row_id or self.plan.order or self.plan.at
        seen: dict[str, int] = {}
        keys = []
        for row, at in timed:
            key = self._cell(row, column) or stamp(at)
            seen[key] = seen.get(key, 0) + 1
            keys.append(key if seen[key] == 1 else f"{key}~{seen[key]}")
        return keys

    def _creation(self, ticket: str, first: Timed, key: str) -> Iterator[dict[str, Any]]:
        """``ticket.created`` from the first row. With a ``created_at`` column earlier
        than that row, the ticket is created then, as ``new``, and the first row's
        status applies at the row's own instant (when it was written)."""
        row, at = first
        created = at
        if self.plan.created_at is not None:
            created = self._instant(row, self.plan.created_at) or at
            if created > at:
                self.summary.note(
                    f"created ({self.plan.created_at!r}) after the ticket's first row: "
                    "created at the first row's instant",
                    f"{row.where}: {stamp(created)} > {stamp(at)}",
                )
                created = at
        values, action = self._row(row)
        if action is not None and action.status is not None:
            values["status"] = action.status
        fields = {**self.plan.constants, "status": "new", **values}
        later = {}
        if created < at and fields["status"] != "new":
            later = {"status": fields["status"]}
            fields["status"] = "new"
        self.summary.tickets += 1
        self.known[ticket] = fields
        yield self._emit(
            {
                "id": self._id(ticket, "created"),
                "ticket": ticket,
                "at": stamp(created),
                "type": "ticket.created",
                "by": self._creator(row),
                "fields": _nested({k: v for k, v in fields.items() if v is not None}),
            }
        )
        if later:
            yield self._update(ticket, at, key, later)
        if action is not None:
            yield from self._action_events(ticket, row, at, key, action)

    def _creator(self, row: SourceRow) -> str:
        """``by`` of a creation: the plan's ``creator`` column, else ``created_by``."""
        if self.plan.creator is None:
            return self.plan.created_by
        text = self._cell(row, self.plan.creator)
        if text in _CREATORS:
            return text
        if text is not None:
            self.summary.skip(
                f"creator: value of column {self.plan.creator!r} not customer, agent or system",
                f"{row.where}: {text!r}",
            )
        return self.plan.created_by

    def _row_events(
        self, ticket: str, row: SourceRow, at: datetime, key: str
    ) -> Iterator[dict[str, Any]]:
        values, action = self._row(row)
        if action is not None and action.skip:
            self.summary.note("rows the mapping skips (an action of 'skip')", row.where)
            return
        known = self.known[ticket]
        if action is not None and action.status is not None:
            values["status"] = action.status
        elif "status" not in values and known.get("status") in self.plan.hold:
            values["status"] = "open"  # a held status lasts until the next row
        changes = {k: v for k, v in values.items() if known.get(k, _UNSET) != v}
        if "tags" in changes:
            changes.update(_tag_changes(known.get("tags") or [], changes.pop("tags")))
        if changes:
            yield self._update(ticket, at, key, changes)
        elif action is None or (action.message is None and not action.deleted):
            self.summary.note("rows that change none of the mapped fields (no event)", row.where)
        if action is not None:
            yield from self._action_events(ticket, row, at, key, action)

    def _update(
        self, ticket: str, at: datetime, key: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        known = self.known[ticket]
        tags = set(known.get("tags") or [])
        tags |= set(changes.get("tags_added", ()))
        tags -= set(changes.get("tags_removed", ()))
        known.update({k: v for k, v in changes.items() if not k.startswith("tags_")})
        if "tags_added" in changes or "tags_removed" in changes:
            known["tags"] = sorted(tags)
        return self._emit(
            {
                "id": self._id(ticket, key),
                "ticket": ticket,
                "at": stamp(at),
                "type": "ticket.updated",
                "changes": changes,
            }
        )

    def _action_events(
        self, ticket: str, row: SourceRow, at: datetime, key: str, action: Action
    ) -> Iterator[dict[str, Any]]:
        if action.message is not None:
            agent = action.message != "customer_message"
            event = {
                "id": self._id(ticket, f"{key}:{_MESSAGE_SUFFIX[action.message]}"),
                "ticket": ticket,
                "at": stamp(at),
                "type": "message",
                "author": "agent" if agent else "customer",
                "public": action.message != "note",
            }
            author = self._cell(row, self.plan.author) if self.plan.author else None
            if author is None and agent:
                assignee = self.known[ticket].get("assignee")
                author = assignee if isinstance(assignee, str) else None
            if author is not None:
                event["author_id"] = author
            yield self._emit(event)
        if action.deleted:
            yield self._emit(
                {
                    "id": self._id(ticket, f"{key}:deleted"),
                    "ticket": ticket,
                    "at": stamp(at),
                    "type": "ticket.deleted",
                }
            )

    def _row(self, row: SourceRow) -> tuple[dict[str, Any], Action | None]:
        """The fields a row states (dotted paths) and its action; values outside a
        vocabulary are counted and left out."""
        values: dict[str, Any] = {}
        for path, column in self.plan.fields.items():
            if self.plan.partial and column.name not in row.cells:
                continue  # not stated: the field stays as it was
            text = self._cell(row, column.name)
            if text is None:
                if path not in _NOT_NULL:
                    values[path] = None
                continue
            value = column.values.get(text) if column.values is not None else text
            if value is None or value not in _ALLOWED.get(path, (value,)):
                self.summary.skip(
                    f"{path}: value of column {column.name!r} not in the vocabulary",
                    f"{row.where}: {text!r}",
                )
                continue
            values[path] = value
        if self.plan.tags is not None and (not self.plan.partial or self.plan.tags in row.cells):
            values["tags"] = _tag_list(self._cell(row, self.plan.tags))
        return values, self._action(row)

    def _action(self, row: SourceRow) -> Action | None:
        if self.plan.action is None:
            return None
        text = self._cell(row, self.plan.action)
        if text is None:
            return None
        action = self.plan.actions.get(text)
        if action is None:
            self.summary.skip(
                f"action: value of column {self.plan.action!r} not in the vocabulary",
                f"{row.where}: {text!r}",
            )
        return action

    def _id(self, ticket: str, key: str) -> str:
        return f"{self.plan.source}:{ticket}:{key}"

    def _emit(self, event: dict[str, Any]) -> dict[str, Any]:
        self.summary.events += 1
        return event


def _tag_list(text: str | None) -> list[str]:
    """A cell of tags: a JSON array of strings, or words separated by spaces."""
    if text is None:
        return []
    if text.startswith("["):
        try:
            found = orjson.loads(text)
        except orjson.JSONDecodeError:
            found = None
        if isinstance(found, list):
            return sorted({str(tag) for tag in found if tag not in (None, "")})
    return sorted(set(text.split()))


def _tag_changes(before: list[str], after: list[str]) -> dict[str, list[str]]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    return {
        **({"tags_added": added} if added else {}),
        **({"tags_removed": removed} if removed else {}),
    }


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"customer.id": "c1"}`` -> ``{"customer": {"id": "c1"}}`` (a creation's fields)."""
    out: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, last = path.split(".")
        place = out
        for name in parents:
            place = place.setdefault(name, {})
        place[last] = value
    return out
