"""``jira``: Jira Service Management issues with their changelog and comments, and
the SLA cycles of each request.

An item is an issue of ``GET /rest/api/3/issue/{key}?expand=changelog`` or of a search
with ``expand=changelog`` (a saved answer's ``issues`` are read one by one):
``{"id", "key", "fields": {"created", "status", "priority", "assignee", "reporter",
"creator", "issuetype", "comment": {"comments": [...]}}, "changelog": {"histories":
[{"id", "created", "items": [{"field", "from", "fromString", "to", "toString"}]}]}}``.

- The ticket id is the issue ``key``. The ticket is created at ``fields.created`` with
  each field as it was before its first change in the changelog (else as it is now);
  each history is one update at its ``created``; each comment a message at its
  ``created``: by the reporter or a customer account (``accountType: customer``) a
  customer message, by anyone else an agent's reply, or an internal note when
  ``jsdPublic`` is false.
- Status names (:data:`STATUSES`, Jira Service Management's defaults: Waiting for
  support, Waiting for customer, Pending, Resolved, …) and priorities (Highest, High,
  Medium, Low, Lowest) go through vocabularies; an unknown name is counted as not
  mapped. ``assignee`` is the account id; ``issuetype`` the type; ``labels`` the
  tags; the reporter the requester; other fields are counted as not mapped.
- The ticket is created ``by: customer`` when its creator is the reporter or a
  customer account, else by an agent.

The SLA cycles (``GET /rest/servicedeskapi/request/{key}/sla``) are the vendor's
verdicts: an issue may carry that answer under ``sla``, or the answer's SLAs may come
as items of their own (each names its request in ``_links.self``). An SLA is breached
when any of its cycles (completed or ongoing) is; met when it has completed cycles and
none breached; one with only an ongoing, unbreached cycle has no verdict yet. Names:
"Time to first response" → ``first_response``, "Time to resolution" → ``resolution``,
any other its name in snake case (``time_to_close_after_resolution``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from typing import Any

from slaclock.core.helpdesk_vocabularies import JIRA_PRIORITIES, JIRA_STATUSES
from slaclock.service.importers.base import SourceRow, Summary, stamp
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

__all__ = ["KEYS", "PRIORITIES", "SLA_METRICS", "STATUSES", "Reader", "plan"]

#: A search answer's issues; an SLA answer's SLAs.
KEYS = ("issues", "values")
STATUSES = JIRA_STATUSES
PRIORITIES = JIRA_PRIORITIES
SLA_METRICS = {"Time to first response": "first_response", "Time to resolution": "resolution"}
#: Changelog fields (``field``) by the issue field they change, read by name or id.
_TRACKED = {
    "status": "status",
    "priority": "priority",
    "assignee": "assignee",
    "issuetype": "type",
    "labels": "tags",
}
#: The columns of the rows and the fields they fill.
_COLUMNS = {
    "status": "status",
    "priority": "priority",
    "assignee": "assignee",
    "issuetype": "type",
    "reporter": "requester.id",
    "summary": "subject",
}
_SELF = re.compile(r"/request/([^/]+)/sla/")


def plan() -> Plan:
    vocabularies = {"status": STATUSES, "priority": PRIORITIES}
    return json_plan("jira", _COLUMNS, vocabularies, tags="labels")


class Reader(ItemReader):
    """Issues as rows; SLAs (embedded or as items) as verdicts, as they are read."""

    def __init__(
        self, summary: Summary, verdicts: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        super().__init__(summary, verdicts)
        self.keys: dict[str, str] = {}  # issue id -> key, for SLA items naming the id

    def rows(self, items: Iterable[JsonItem]) -> Iterator[SourceRow]:
        for item in items:
            value = item.value
            if isinstance(value, dict) and "fields" in value and "key" in value:
                if not self.recent.repeated(f"issue:{value['key']}", item):
                    self.keys[text(value.get("id"))] = text(value["key"])
                    yield from in_time_order(self._issue_rows(item, value))
                    if value.get("sla") is not None:
                        self._sla(item, text(value["key"]), value["sla"])
            elif isinstance(value, dict) and (
                "completedCycles" in value or "ongoingCycle" in value
            ):
                self._sla(item, None, [value])
            else:
                self.summary.skip("items neither an issue nor an SLA", item.where)

    # ---------------------------------------------------------------- issues

    def _issue_rows(self, item: JsonItem, issue: dict[str, Any]) -> Iterator[SourceRow]:
        key = text(issue["key"])
        fields = obj(issue["fields"])
        histories = _histories(issue)
        reporter = _account(fields.get("reporter"))
        cells = {name: _current(fields, name) for name in (*_TRACKED, "summary")}
        cells["reporter"] = reporter
        cells.update(_before_changes(histories))
        creator = _account(fields.get("creator")) or reporter
        by = "customer" if creator == reporter or _is_customer(fields.get("creator")) else "agent"
        created = fields.get("created")
        yield json_row(item, key, text(created), "created", cells, creates=True, by=by)
        for history in histories:
            changed = {}
            for change in history.get("items") or []:
                name = _tracked(change)
                if name is None:
                    self.summary.skip(
                        f"changelog field {change.get('field')!r} (not mapped)", item.where
                    )
                    continue
                changed[name] = _after(name, change)
            yield json_row(
                item, key, text(history.get("created")), f"h{text(history.get('id'))}", changed
            )
        for comment in _comments(fields):
            author = comment.get("author")
            account = _account(author)
            if account == reporter or _is_customer(author):
                action = "customer_message"
            else:
                action = "note" if comment.get("jsdPublic") is False else "agent_reply"
            yield json_row(
                item,
                key,
                text(comment.get("created")),
                f"c{text(comment.get('id'))}",
                action=action,
                author=account,
            )

    # ------------------------------------------------------------------ SLAs

    def _sla(self, item: JsonItem, key: str | None, answer: Any) -> None:
        if self.verdicts is None:
            return
        entries = answer.get("values") if isinstance(answer, dict) else answer
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            ticket = key or self._request_of(entry)
            if ticket is None:
                self.summary.skip("SLAs that name no request (_links.self)", item.where)
                continue
            verdict = _sla_verdict(ticket, entry)
            if verdict is None:
                self.summary.note("SLAs with only a running cycle: no verdict yet", item.where)
                continue
            self.verdicts(verdict)

    def _request_of(self, entry: dict[str, Any]) -> str | None:
        links = obj(entry.get("_links"))
        found = _SELF.search(text(links.get("self")))
        if found is None:
            return None
        return self.keys.get(found.group(1), found.group(1))


def _histories(issue: dict[str, Any]) -> list[dict[str, Any]]:
    changelog = obj(issue.get("changelog"))
    histories = [h for h in changelog.get("histories") or [] if isinstance(h, dict)]
    return sorted(histories, key=lambda h: (text(h.get("created")), text(h.get("id")).zfill(20)))


def _comments(fields: dict[str, Any]) -> list[dict[str, Any]]:
    comment = obj(fields.get("comment"))
    return [c for c in comment.get("comments") or [] if isinstance(c, dict)]


def _tracked(change: dict[str, Any]) -> str | None:
    name = change.get("fieldId") or change.get("field")
    return name if name in _TRACKED else None


def _after(name: str, change: dict[str, Any]) -> str:
    """The value a change set: an account id for the assignee, else its name."""
    return text(change.get("to") if name == "assignee" else change.get("toString"))


def _before_changes(histories: list[dict[str, Any]]) -> dict[str, str]:
    """Each tracked field as it was before its first change."""
    before: dict[str, str] = {}
    for history in histories:
        for change in history.get("items") or []:
            name = _tracked(change)
            if name is not None and name not in before:
                before[name] = text(change.get("from" if name == "assignee" else "fromString"))
    return before


def _current(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if name == "assignee":
        return _account(value)
    if isinstance(value, dict):
        return text(value.get("name"))
    return text(value)


def _account(user: Any) -> str:
    if not isinstance(user, dict):
        return ""
    return text(user.get("accountId") or user.get("key") or user.get("name"))


def _is_customer(user: Any) -> bool:
    return isinstance(user, dict) and user.get("accountType") == "customer"


def _sla_verdict(ticket: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    name = text(entry.get("name"))
    completed = [c for c in entry.get("completedCycles") or [] if isinstance(c, dict)]
    ongoing = obj(entry.get("ongoingCycle")) or None
    cycles = [*completed, *([ongoing] if ongoing else [])]
    breached = any(c.get("breached") is True for c in cycles)
    if not breached and not completed:
        return None
    last = completed[-1] if completed else ongoing
    stop = (last or {}).get("stopTime") or (last or {}).get("breachTime") or {}
    verdict: dict[str, Any] = {
        "ticket": ticket,
        "metric": SLA_METRICS.get(name) or _snake(name),
        "breached": breached,
    }
    when = aware(stop.get("iso8601")) if isinstance(stop, dict) else None
    if when is not None:
        verdict["at"] = stamp(when.astimezone(UTC))
    return {**verdict, "vendor": "jira.sla", "sla": name, "cycles": len(cycles)}


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "sla"
