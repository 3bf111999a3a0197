"""``zendesk``: the Incremental Ticket Event export (ticket audits with their field
changes and comments) and the Ticket Metric Events export, from files or the API
(:mod:`.zendesk_api`).

A ticket event is one audit: ``{"id", "ticket_id", "created_at", "timestamp",
"updater_id", "via", "child_events": [...]}``. Its ``Create`` and ``Change`` child
events name the fields they set (``{"status": "open", "previous_value": "new",
"event_type": "Change"}``; the Ticket Audits API's ``{"field_name", "value"}`` shape is
read too); a ``Comment`` (with the ``comment_events`` sideload: ``author_id`` and
``public``; without it, ``comment_present`` and ``comment_public`` of the audit's
updater) is a message. One audit is one row of the plan: the ticket's creation (an
audit with ``Create`` events) or an update, and its comment.

- status new, open, pending, hold, solved, closed → ``new``, ``open``, ``pending``,
  ``on_hold``, ``solved``, ``closed``; ``deleted`` deletes the ticket;
- priority low, normal, high, urgent; ``type``; ``group_id`` → ``group``;
  ``assignee_id`` → ``assignee``; ``requester_id`` → ``requester.id``;
  ``organization_id`` → ``customer.id``; ``subject``; ``tags`` (each change as
  ``tags_added``, ``tags_removed``); the creating audit's ``via`` → ``channel``;
- the ticket is created ``by: customer`` when the requester (or, for the system's
  updater ``-1``, a customer channel) created it, else by an agent; a comment by the
  requester is a customer message, by anyone else (not the system) an agent's reply,
  or an internal note when not public; comments by the system (triggers) make none;
- other fields (custom fields, …) and child events (notifications, …) are counted
  as not mapped.

A metric event ``{"ticket_id", "metric", "instance_id", "type", "time"}`` makes no
ticket event; with ``--verdicts-output``, :class:`MetricVerdicts` turns them into
Zendesk's verdict per metric instance (:data:`METRICS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slaclock.core.helpdesk_vocabularies import (
    ZENDESK_CHANNELS,
    ZENDESK_PRIORITIES,
    ZENDESK_STATUSES,
)
from slaclock.service.importers.base import SourceRow, Summary, stamp
from slaclock.service.importers.json_reading import JsonItem
from slaclock.service.importers.json_source import (
    ItemReader,
    aware,
    json_plan,
    json_row,
    text,
    unix_instant,
)
from slaclock.service.importers.plan import Plan

__all__ = ["CHANNELS", "KEYS", "METRICS", "STATUSES", "MetricVerdicts", "Reader", "plan"]

#: The arrays of an export's pages: ticket events, metric events, audits.
KEYS = ("ticket_events", "ticket_metric_events", "audits")

STATUSES = ZENDESK_STATUSES
PRIORITIES = ZENDESK_PRIORITIES
#: ``via`` of the creating audit (the export's names, and the API's channels).
CHANNELS = ZENDESK_CHANNELS
_CUSTOMER_CHANNELS = frozenset({"email", "web", "chat", "social"})
#: Zendesk's metrics as slaclock's, and how an instance id becomes a cycle: ``reply_time``
#: instance 1 is the first reply, 2 … the next replies (cycles 0 …).
METRICS: dict[str, tuple[str, int | None]] = {
    "reply_time": ("first_response", None),
    "resolution_time": ("resolution", None),
    "periodic_update_time": ("periodic_update", 1),
    "pausable_update_time": ("pausable_update", 1),
    "requester_wait_time": ("requester_wait_time", None),
    "agent_work_time": ("agent_work_time", None),
}
#: Ticket fields (as Zendesk names them) and where they go.
_FIELDS = {
    "status": "status",
    "priority": "priority",
    "type": "type",
    "group_id": "group",
    "assignee_id": "assignee",
    "requester_id": "requester.id",
    "organization_id": "customer.id",
    "subject": "subject",
    "via": "channel",
}
#: Keys of a child event that are about the event, not a field it sets.
_META = frozenset(
    {
        "id", "via", "via_reference_id", "event_type", "type", "previous_value",
        "field_name", "value", "audit_id", "created_at", "author_id", "attachments",
        "public", "body", "html_body", "plain_body", "comment_present", "comment_public",
        "metadata", "trusted", "recipients",
    }
)  # fmt: skip
_COMMENTS = frozenset({"Comment", "VoiceComment"})
_SYSTEM = "-1"


def plan() -> Plan:
    vocabularies = {"status": STATUSES, "priority": PRIORITIES, "via": CHANNELS}
    return json_plan("zendesk", _FIELDS, vocabularies, tags="tags")


class Reader(ItemReader):
    """Rows of the audits among the items read; metric events go to ``verdicts``,
    written at :meth:`finish` (an instance's verdict needs all its events).
    ``requesters``: each open ticket's requester, kept up to date (an API import
    keeps it from one run to the next)."""

    def __init__(
        self,
        summary: Summary,
        verdicts: Callable[[dict[str, Any]], None] | None = None,
        requesters: dict[str, str] | None = None,
    ) -> None:
        super().__init__(summary, verdicts)
        self.audits = _Audits(summary, requesters if requesters is not None else {})
        self.metrics = MetricVerdicts(summary)

    def rows(self, items: Iterable[JsonItem]) -> Iterator[SourceRow]:
        for item in items:
            value = item.value
            if isinstance(value, dict) and ("child_events" in value or "events" in value):
                if not self.recent.repeated(f"audit:{value.get('id')}", item):
                    row = self.audits.row(item, value)
                    if row is not None:
                        yield row
            elif isinstance(value, dict) and "metric" in value and "type" in value:
                if not self.recent.repeated(f"metric:{value.get('id')}", item):
                    self.metrics.add(item, value)
            else:
                self.summary.skip(
                    "items neither a ticket event (audit) nor a metric event", item.where
                )

    def finish(self) -> None:
        if self.verdicts is not None:
            self.metrics.write(self.verdicts)
        elif self.metrics.instances:
            self.summary.note("metric events read without --verdicts-output: no verdicts", "")


class _Audits:
    """Audits as rows; remembers each ticket's requester, to tell who wrote what."""

    def __init__(self, summary: Summary, requesters: dict[str, str]) -> None:
        self.summary = summary
        self.requesters = requesters

    def row(self, item: JsonItem, audit: dict[str, Any]) -> SourceRow | None:
        ticket = text(audit.get("ticket_id"))
        at = audit.get("created_at") or unix_instant(audit.get("timestamp"))
        if not ticket or not isinstance(at, str):
            self.summary.skip("audits without ticket_id or created_at", item.where)
            return None
        updater = text(audit.get("updater_id", audit.get("author_id")))
        cells: dict[str, str] = {}
        creates, deleted, comment = False, False, None
        for child in audit.get("child_events") or audit.get("events") or []:
            kind = child.get("event_type") or child.get("type") if isinstance(child, dict) else None
            if kind in ("Create", "Change"):
                creates = creates or kind == "Create"
                deleted = self._fields(item, child, cells) or deleted
            elif kind in _COMMENTS or (isinstance(child, dict) and "comment_present" in child):
                comment = child
            else:
                self.summary.skip(f"child events of type {kind!r} (not mapped)", item.where)
        if creates:
            cells["via"] = _channel(audit.get("via"))
        if "requester_id" in cells:
            self.requesters[ticket] = cells["requester_id"]
        requester = self.requesters.get(ticket)
        if deleted or cells.get("status") == "closed":
            self.requesters.pop(ticket, None)  # a closed ticket takes no more comments
        action, author = self._comment(item, comment, updater, requester)
        if creates and action == "customer_message":
            action = None  # the requester's first comment is the ticket's description
        return json_row(
            item,
            ticket,
            at,
            text(audit.get("id")) or at,
            cells,
            action="deleted" if deleted else action,
            creates=creates,
            by=_creator(updater, requester, cells.get("via", "")) if creates else None,
            author=author,
        )

    def _fields(self, item: JsonItem, child: dict[str, Any], cells: dict[str, str]) -> bool:
        """Put the fields ``child`` sets into ``cells``; whether it deletes the ticket."""
        if "field_name" in child:
            changed = [(child["field_name"], child.get("value"))]
        else:
            changed = [(k, v) for k, v in child.items() if k not in _META]
            if child.get("type") not in (None, "Create", "Change"):
                changed.append(("type", child["type"]))  # the ticket's type, not the event's
        deleted = False
        for name, value in changed:
            if name == "status" and value == "deleted":
                deleted = True
            elif name in ("added_tags", "removed_tags"):
                continue  # ``tags`` has the whole list after the change
            elif (name in _FIELDS and name != "via") or name == "tags":
                cells[name] = text(value)
            else:
                self.summary.skip(f"field {name!r} (not mapped)", item.where)
        return deleted

    def _comment(
        self, item: JsonItem, comment: dict[str, Any] | None, updater: str, requester: str | None
    ) -> tuple[str | None, str | None]:
        """The action and author of an audit's comment, if it has one."""
        if comment is None or comment.get("comment_present") is False:
            return None, None
        author = text(comment.get("author_id")) or updater
        public = comment.get("public", comment.get("comment_public", True))
        if author == requester:
            return "customer_message", author
        if author in (_SYSTEM, ""):
            self.summary.note(
                "comments by the system (triggers, automations): no message", item.where
            )
            return None, None
        return ("agent_reply" if public is not False else "note"), author


def _channel(via: Any) -> str:
    """The creating audit's ``via``: the export's name, or the API's ``{"channel"}``."""
    if isinstance(via, dict):
        via = via.get("channel")
    return text(via)


def _creator(updater: str, requester: str | None, via: str) -> str:
    if updater == requester:
        return "customer"
    if updater in (_SYSTEM, ""):
        return "customer" if CHANNELS.get(via) in _CUSTOMER_CHANNELS else "system"
    return "agent"


@dataclass
class _Instance:
    """What the metric events of one metric instance said."""

    applied: bool = False
    fulfilled: datetime | None = None
    breach: datetime | None = None


class MetricVerdicts:
    """Zendesk's own verdict per metric instance, from its metric events.

    A metric instance has a verdict when an SLA was applied to it (``apply_sla``) and
    it was fulfilled or breached: breached when a ``breach`` event (not ``deleted``)
    comes before its last ``fulfill`` or it was never fulfilled; met when fulfilled
    with no breach before. An ``activate`` after a ``fulfill`` (a reopened ticket)
    makes it unfulfilled again. Verdicts are ``{"ticket", "metric", "breached",
    "cycle"?, "at", "vendor", "zendesk_metric", "instance_id"}`` (:data:`METRICS`)."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary
        self.instances: dict[tuple[str, str, int], _Instance] = {}

    def add(self, item: JsonItem, event: dict[str, Any]) -> None:
        ticket, metric, instance = (
            text(event.get("ticket_id")),
            event.get("metric"),
            event.get("instance_id"),
        )
        when = aware(event.get("time"))
        if not ticket or not isinstance(metric, str) or type(instance) is not int or when is None:
            self.summary.skip(
                "metric events without ticket_id, metric, instance_id or time", item.where
            )
            return
        state = self.instances.setdefault((ticket, metric, instance), _Instance())
        kind = event.get("type")
        if kind == "apply_sla":
            state.applied = True
        elif kind == "fulfill":
            state.fulfilled = when
        elif kind == "activate":
            state.fulfilled = None
        elif kind == "breach" and event.get("deleted") is not True:
            state.breach = when if state.breach is None else min(state.breach, when)

    def write(self, write: Callable[[dict[str, Any]], None]) -> None:
        for (ticket, metric, instance), state in self.instances.items():
            where = f"ticket {ticket} {metric} #{instance}"
            if not state.applied:
                self.summary.note("metric instances with no SLA applied: no verdict", where)
                continue
            if state.fulfilled is None and state.breach is None:
                self.summary.note("metric instances still running: no verdict", where)
                continue
            if metric not in METRICS:
                self.summary.skip(f"metric {metric!r} (not mapped)", where)
                continue
            breached = state.breach is not None and (
                state.fulfilled is None or state.breach < state.fulfilled
            )
            at = state.breach if breached else state.fulfilled
            write(_verdict(ticket, metric, instance, breached, at))


def _verdict(
    ticket: str, metric: str, instance: int, breached: bool, at: datetime | None
) -> dict[str, Any]:
    name, first_cycle = METRICS[metric]
    verdict: dict[str, Any] = {"ticket": ticket, "metric": name, "breached": breached}
    if metric == "reply_time" and instance >= 2:
        verdict["metric"], verdict["cycle"] = "next_response", instance - 2
    elif first_cycle is not None:
        verdict["cycle"] = max(instance - first_cycle, 0)
    verdict.update(
        {
            "at": stamp(at.astimezone(UTC)) if at is not None else None,
            "vendor": "zendesk.metric_events",
            "zendesk_metric": metric,
            "instance_id": instance,
        }
    )
    return verdict
