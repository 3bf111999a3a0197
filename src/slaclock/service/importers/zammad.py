"""``zammad``: Zammad tickets with their history and articles.

An item is one ticket: ``{"ticket": …, "history": […], "articles": […]}``, the answers
of ``GET /api/v1/tickets/{id}?expand=true``, ``GET /api/v1/ticket_history/{id}`` (its
``history``) and ``GET /api/v1/ticket_articles/by_ticket/{id}``; a bare ticket history
answer (``{"history": […], "assets": …}``) is read too. History entries are
``{"id", "o_id", "history_type", "history_object", "history_attribute", "value_from",
"value_to", "id_from", "id_to", "created_at"}``.

- The ticket id is Zammad's ticket ``id``. The ``created`` entry of the ``Ticket``
  creates it, with each field as it was before its first ``updated`` entry (else as the
  expanded ticket has it now); each ``updated`` entry of ``state``, ``priority``,
  ``group``, ``owner``, ``title`` or ``type`` is an update at its ``created_at``;
- states new, open, pending reminder, pending close, closed, merged → ``new``,
  ``open``, ``pending``, ``solved`` (waiting to close by itself), ``closed``,
  ``closed``; ``removed`` deletes the ticket; priorities 1 low, 2 normal, 3 high →
  ``low``, ``normal``, ``high``; ``owner`` is the owner's user id (``-`` or 1, nobody,
  is null);
- each article is a message at its ``created_at``: from the ``Customer`` a customer
  message, from an ``Agent`` a reply, or a note when ``internal``; ``System`` articles
  make none, nor does the customer's first article (the ticket's description).
  Without the articles, an article's history entry cannot say who wrote it and is
  counted as not mapped;
- the ticket is created ``by`` its first article's sender (customer, or agent), its
  channel the first article's type (email, phone, web, chat, twitter/facebook as
  social).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from slaclock.core.helpdesk_vocabularies import ZAMMAD_CHANNELS, ZAMMAD_PRIORITIES, ZAMMAD_STATES
from slaclock.service.importers.base import SourceRow, Summary
from slaclock.service.importers.json_reading import JsonItem
from slaclock.service.importers.json_source import (
    ItemReader,
    in_time_order,
    json_plan,
    json_row,
    obj,
    text,
)
from slaclock.service.importers.plan import Plan

__all__ = ["CHANNELS", "KEYS", "PRIORITIES", "STATES", "Reader", "plan"]

#: Items are whole tickets: no page arrays.
KEYS: tuple[str, ...] = ()
STATES = ZAMMAD_STATES
PRIORITIES = ZAMMAD_PRIORITIES
CHANNELS = ZAMMAD_CHANNELS
#: History attributes of a ticket and the column each goes to.
_ATTRIBUTES = ("state", "priority", "group", "owner", "title", "type")
#: The columns of the rows and the fields they fill.
_COLUMNS = {
    "state": "status",
    "priority": "priority",
    "group": "group",
    "owner": "assignee",
    "title": "subject",
    "type": "type",
    "channel": "channel",
    "organization": "customer.id",
    "customer": "requester.id",
}
_NOBODY = frozenset({"", "-", "1"})
_SENDERS = {"Customer": "customer", "Agent": "agent"}


def plan() -> Plan:
    vocabularies = {"state": STATES, "priority": PRIORITIES, "channel": CHANNELS}
    return json_plan("zammad", _COLUMNS, vocabularies)


class Reader(ItemReader):
    """Tickets (history and articles) as rows."""

    def rows(self, items: Iterable[JsonItem]) -> Iterator[SourceRow]:
        for item in items:
            value = item.value
            history = value.get("history") if isinstance(value, dict) else None
            if not isinstance(history, list):
                self.summary.skip("items without a ticket history", item.where)
                continue
            entries = [h for h in history if isinstance(h, dict)]
            ticket = obj(value.get("ticket"))
            number = text(ticket.get("id")) or _ticket_of(entries)
            if not number:
                self.summary.skip("histories that name no ticket", item.where)
                continue
            if self.recent.repeated(f"ticket:{number}", item):
                continue
            articles = value.get("articles")
            rows = _Ticket(self.summary, item, number, ticket, entries, articles).rows()
            yield from in_time_order(rows)


class _Ticket:
    """One ticket's rows."""

    def __init__(
        self,
        summary: Summary,
        item: JsonItem,
        number: str,
        ticket: dict[str, Any],
        history: list[dict[str, Any]],
        articles: Any,
    ) -> None:
        self.summary = summary
        self.item = item
        self.number = number
        self.ticket = ticket
        self.history = sorted(history, key=lambda h: (text(h.get("created_at")), _int(h.get("id"))))
        self.articles = (
            [a for a in articles if isinstance(a, dict)] if isinstance(articles, list) else None
        )

    def rows(self) -> Iterator[SourceRow]:
        created = next((h for h in self.history if _is(h, "created", "Ticket")), None)
        if created is not None:
            yield self._creation(created)
        for entry in self.history:
            if _is(entry, "updated", "Ticket"):
                row = self._update(entry)
                if row is not None:
                    yield row
            elif _is(entry, "created", "Ticket::Article") and self.articles is None:
                self.summary.skip(
                    "articles without their article records (sender unknown)", self.item.where
                )
            elif not _is(entry, "created", "Ticket") and not _is(
                entry, "created", "Ticket::Article"
            ):
                kind = f"{entry.get('history_type')} {entry.get('history_object')}"
                self.summary.skip(f"history entries {kind!r} (not mapped)", self.item.where)
        for number, article in enumerate(self.articles or []):
            if number == 0 and created is not None and article.get("sender") == "Customer":
                continue  # the customer's first article is the ticket's description
            row = self._article(article)
            if row is not None:
                yield row

    def _creation(self, entry: dict[str, Any]) -> SourceRow:
        cells = {name: self._now(name) for name in (*_ATTRIBUTES, "customer", "organization")}
        seen: set[str] = set()
        for later in self.history:  # each field as it was before its first change
            name = later.get("history_attribute")
            if _is(later, "updated", "Ticket") and name in _ATTRIBUTES and name not in seen:
                seen.add(name)
                cells[name] = _value(name, later, "from")
        first = self.articles[0] if self.articles else {}
        cells["channel"] = text(first.get("type") or self.ticket.get("create_article_type"))
        sender = first.get("sender") or self.ticket.get("create_article_sender")
        return json_row(
            self.item,
            self.number,
            text(entry.get("created_at")),
            "created",
            {k: v for k, v in cells.items() if v},
            creates=True,
            by=_SENDERS.get(text(sender), "customer"),
        )

    def _now(self, name: str) -> str:
        value = self.ticket.get(name)
        if name == "owner":
            return (
                ""
                if text(self.ticket.get("owner_id")) in _NOBODY
                else text(self.ticket.get("owner_id"))
            )
        if name in ("customer", "organization"):
            return text(self.ticket.get(f"{name}_id"))
        return text(value)

    def _update(self, entry: dict[str, Any]) -> SourceRow | None:
        name = entry.get("history_attribute")
        row_id = f"h{text(entry.get('id'))}"
        at = text(entry.get("created_at"))
        if name == "state" and entry.get("value_to") == "removed":
            return json_row(self.item, self.number, at, row_id, action="deleted")
        if name not in _ATTRIBUTES:
            self.summary.skip(f"history attribute {name!r} (not mapped)", self.item.where)
            return None
        return json_row(self.item, self.number, at, row_id, {name: _value(name, entry, "to")})

    def _article(self, article: dict[str, Any]) -> SourceRow | None:
        sender = text(article.get("sender"))
        if sender == "Customer":
            action = "customer_message"
        elif sender == "Agent":
            action = "note" if article.get("internal") is True else "agent_reply"
        else:
            self.summary.note("articles by the system: no message", self.item.where)
            return None
        return json_row(
            self.item,
            self.number,
            text(article.get("created_at")),
            f"a{text(article.get('id'))}",
            action=action,
            author=text(article.get("created_by_id")),
        )


def _is(entry: dict[str, Any], kind: str, what: str) -> bool:
    return entry.get("history_type") == kind and entry.get("history_object") == what


def _value(name: str, entry: dict[str, Any], side: str) -> str:
    """What an entry changed ``from`` or ``to``: the owner's user id, else the name."""
    if name == "owner":
        user = text(entry.get(f"id_{side}"))
        return "" if user in _NOBODY else user
    return text(entry.get(f"value_{side}"))


def _ticket_of(history: list[dict[str, Any]]) -> str:
    for entry in history:
        if entry.get("history_object") == "Ticket":
            return text(entry.get("o_id"))
        if entry.get("history_object") == "Ticket::Article":
            return text(entry.get("related_o_id"))
    return ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
