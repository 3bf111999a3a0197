"""What the JSON sources (``zendesk``, ``freshdesk``, ``jira``, ``zammad``) share.

A JSON export is a change log, not a table: an audit says what it changed, a comment
that it was written. Each JSON source turns its items into rows that state just that
(:func:`json_row`), under column names of its own choosing for the ticket fields and
the fixed names below for the rest, and describes them with a *partial* plan
(:func:`json_plan`): the one mapper (:mod:`.mapper`) then makes the events, with the
same ids, vocabularies, order and summary as every CSV source.

A row's cells are texts, as a CSV's are: :func:`text` writes a JSON value as one
(``None`` is the empty cell, "no value").
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from slaclock.service.importers.base import SourceRow, Summary, stamp
from slaclock.service.importers.json_reading import JsonItem
from slaclock.service.importers.plan import Action, Column, Plan, Vocabulary

__all__ = [
    "ACTION",
    "AT",
    "AUTHOR",
    "BY",
    "CREATES",
    "ROW",
    "TICKET",
    "ItemReader",
    "Recent",
    "aware",
    "in_time_order",
    "json_plan",
    "json_row",
    "obj",
    "text",
    "unix_instant",
]

TICKET, AT, ROW, ACTION, CREATES, BY, AUTHOR = (
    "_ticket", "_at", "_row", "_action", "_creates", "_by", "_author",
)  # fmt: skip

_EARLIEST = datetime.min.replace(tzinfo=UTC)

#: What a row of a JSON source may be besides its field changes.
ACTIONS: Mapping[str, Action] = {
    "agent_reply": Action(message="agent_reply"),
    "customer_message": Action(message="customer_message"),
    "note": Action(message="note"),
    "deleted": Action(deleted=True),
}


def json_plan(
    source: str,
    columns: Mapping[str, str],
    vocabularies: Mapping[str, Mapping[str, str]] | None = None,
    tags: str | None = None,
) -> Plan:
    """A JSON source's plan: ``columns`` are the source's own names of ticket fields
    (column -> dotted field), read through ``vocabularies`` (by column) where given;
    ``tags`` is the column of the whole tag list; the rest has the fixed names of
    :func:`json_row`."""
    vocabularies = vocabularies or {}
    fields = {
        path: Column(name, Vocabulary.of(vocabularies[name]) if name in vocabularies else None)
        for name, path in columns.items()
    }
    return Plan(
        source=source,
        ticket=TICKET,
        at=AT,
        fields=fields,
        action=ACTION,
        actions=Vocabulary.of(ACTIONS),
        row_id=ROW,
        partial=True,
        creator=BY,
        author=AUTHOR,
        creates=CREATES,
        tags=tags,
    )


def json_row(
    item: JsonItem,
    ticket: str,
    at: str,
    row_id: str,
    cells: Mapping[str, str] | None = None,
    *,
    action: str | None = None,
    creates: bool = False,
    by: str | None = None,
    author: str | None = None,
) -> SourceRow:
    """A row of a JSON source: what it changed (``cells``, by the source's column
    names) and what it is (a message or deletion, the ticket's creation and by whom,
    a message's author), at ``at`` as the source wrote it, identified by ``row_id``."""
    found = {TICKET: ticket, AT: at, ROW: row_id, **(cells or {})}
    if action is not None:
        found[ACTION] = action
    if creates:
        found[CREATES] = "1"
    if by is not None:
        found[BY] = by
    if author:
        found[AUTHOR] = author
    return SourceRow(item.file, item.number, found)


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (an export's optional
    parts may be null, or absent)."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    """A JSON scalar as a cell: ``None`` is empty, a number its digits, a bool
    ``true``/``false``; anything else (a list, an object) its JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def aware(value: Any) -> datetime | None:
    """An ISO 8601 instant with an offset, or None (no value, no offset, not a time):
    for comparing the vendor's own times, never for an event's ``at``."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def in_time_order(rows: Iterable[SourceRow]) -> list[SourceRow]:
    """One ticket's rows by their time (ties keep their order). A time without an
    offset is ordered as if in UTC (its zone is the same for every row of the import);
    an unreadable one goes first, for the mapper to count."""
    return sorted(rows, key=_time_key)


def _time_key(row: SourceRow) -> datetime:
    try:
        parsed = datetime.fromisoformat(row.cells[AT])
    except (ValueError, TypeError):
        return _EARLIEST
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def unix_instant(seconds: Any) -> str | None:
    """Unix seconds (as exports give ``timestamp``) as an instant, or None."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    try:
        return stamp(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):
        return None


class ItemReader:
    """What a JSON source's reader keeps: the summary, where the vendor's verdicts go
    (None: nowhere), and the ids seen lately. ``finish`` is called once every item
    is read (a source that collects verdicts writes them then)."""

    def __init__(
        self, summary: Summary, verdicts: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        self.summary = summary
        self.verdicts = verdicts
        self.recent = Recent(summary)

    def finish(self) -> None:
        return None


class Recent:
    """The ids seen lately, to drop an item served twice: time-based pages repeat the
    items of the instant they meet at, and a resumed export repeats a page. Bounded
    (the oldest are forgotten), so memory does not grow with the export."""

    def __init__(self, summary: Summary, size: int = 200_000) -> None:
        self.summary = summary
        self.size = size
        self.seen: OrderedDict[str, None] = OrderedDict()

    def repeated(self, key: str, item: JsonItem) -> bool:
        """Whether ``key`` was seen lately (counted as a notice); remembers it."""
        if key in self.seen:
            self.summary.note("items served twice (same id): the repeat is skipped", item.where)
            return True
        self.seen[key] = None
        if len(self.seen) > self.size:
            self.seen.popitem(last=False)
        return False
