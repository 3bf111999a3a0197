"""The ticket page's content: fields, instances, the event timeline and the explanation.

Instances and their lives come from one replay as of "now" (``Services.explain``), so
a running clock past its due time shows as breached, exactly as the queue shows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from slaclock.service.views import NotificationRow, TicketView, TimelineEntry
from slaclock.web.directory import Directory
from slaclock.web.formatting import Formatter, parse_instant
from slaclock.web.labels import (
    AUTHOR_LABELS,
    CHANNEL_LABELS,
    DELIVERY_STATUS_LABELS,
    EVENT_LABELS,
    FIRE_TYPE_LABELS,
    KIND_LABELS,
    PRIORITY_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    label,
)

__all__ = [
    "event_rows",
    "field_rows",
    "instance_rows",
    "latest_cycles",
    "notification_rows",
    "policy_rows",
    "summary_fields",
]

Gettext = Callable[[str], str]
#: Cycles of one clock shown on the page (the latest).
CYCLES_SHOWN = 50


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Nested fields as dotted paths ("customer.plan") with printable values."""
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            yield from flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        yield prefix, ", ".join(str(item) for item in value)
    elif isinstance(value, bool) or value is None:
        yield prefix, json.dumps(value)
    else:
        yield prefix, str(value)


def field_rows(fields: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    return list(flatten(fields or {}))


def summary_fields(
    ticket: TicketView, fmt: Formatter, gettext: Gettext, directory: Directory
) -> list[tuple[str, str]]:
    """The handful of fields a lead looks at first, labelled in the viewer's language."""
    return [
        (gettext("Subject"), ticket.subject or ""),
        (gettext("Status"), label(STATUS_LABELS, ticket.status, gettext)),
        (gettext("Priority"), label(PRIORITY_LABELS, ticket.priority, gettext)),
        (gettext("Group"), directory.group(ticket.group)),
        (gettext("Assignee"), directory.person(ticket.assignee)),
        (gettext("Customer"), ticket.customer_name or ticket.customer or ""),
        (gettext("Plan"), ticket.plan or ""),
        (gettext("Created"), fmt.instant(ticket.created_at, "medium")),
    ]


def _goal(instance: Mapping[str, Any], fmt: Formatter, gettext: Gettext) -> str:
    if instance.get("goal_seconds") is None:
        return ""
    text = gettext("%(duration)s, due %(due)s") % {
        "duration": fmt.duration(instance["goal_seconds"]),
        "due": fmt.instant(instance.get("goal_due_at")),
    }
    return text + (" — " + gettext("missed") if instance.get("goal_breached") else "")


def instance_rows(
    explained: list[Mapping[str, Any]], fmt: Formatter, gettext: Gettext
) -> list[dict[str, Any]]:
    """Each instance with its times and durations formatted, and its life (steps)."""
    rows = []
    for entry in latest_cycles(explained, CYCLES_SHOWN):
        inst = entry["instance"]
        remaining = inst.get("remaining_seconds")
        rows.append(
            {
                "metric": inst["metric"],
                "kind": label(KIND_LABELS, inst.get("kind"), gettext),
                "cycle": inst.get("cycle", 0),
                "policy": f"{inst.get('policy')} v{inst.get('policy_version')}",
                "calendar": inst.get("calendar") or "",
                "state": label(STATE_LABELS, inst.get("state"), gettext),
                "state_code": inst.get("state"),
                "target": fmt.duration(inst.get("target_seconds")),
                "started": fmt.instant(inst.get("started_at")),
                "due": fmt.instant(inst.get("due_at")),
                "stopped": fmt.instant(inst.get("stopped_at")),
                "elapsed": fmt.duration(inst.get("elapsed_seconds")),
                "paused": fmt.duration(inst.get("paused_seconds")),
                "remaining": (
                    gettext("overdue by %(duration)s") % {"duration": fmt.duration(remaining)}
                    if remaining is not None and remaining < 0
                    else fmt.duration(remaining)
                ),
                "goal": _goal(inst, fmt, gettext),
                "steps": [
                    {
                        "at": fmt.instant(step.get("at"), "medium"),
                        "step": label(STEP_LABELS, step.get("step"), gettext),
                        "event": step.get("event") or "",
                        "detail": step.get("detail") or "",
                    }
                    for step in entry.get("steps", [])
                ],
            }
        )
    return rows


def latest_cycles(explained: list[Mapping[str, Any]], per_clock: int) -> list[Mapping[str, Any]]:
    """At most the ``per_clock`` latest cycles of each clock (kind and metric), in the
    explanation's order: a ticket of thousands of cycles stays a readable page (the
    JSON explanation pages through them all)."""
    seen: dict[tuple[Any, Any], int] = {}
    for entry in explained:
        inst = entry["instance"]
        key = (inst.get("kind"), inst.get("metric"))
        seen[key] = seen.get(key, 0) + 1
    kept = []
    for entry in explained:
        inst = entry["instance"]
        key = (inst.get("kind"), inst.get("metric"))
        if seen[key] <= per_clock:
            kept.append(entry)
        else:
            seen[key] -= 1  # an older cycle than the latest ``per_clock``
    return kept


def policy_rows(explanation: Mapping[str, Any], fmt: Formatter) -> dict[str, Any]:
    """Policies tried (with why each was rejected) and the policy's history."""
    return {
        "chosen": explanation.get("policy"),
        "tried": [
            {
                "policy": tried.get("policy"),
                "matched": bool(tried.get("matched")),
                "reason": tried.get("reason") or "",
            }
            for tried in explanation.get("policies_tried", [])
        ],
        "history": [
            {
                "at": fmt.instant(change.get("at"), "medium"),
                "event": change.get("event") or "",
                "policy": change.get("policy") or "",
            }
            for change in explanation.get("policy_history", [])
        ],
    }


def _event_detail(event: Mapping[str, Any], gettext: Gettext) -> str:
    """What the event said, briefly: who wrote, what changed."""
    parts: list[str] = []
    actor = event.get("author") or event.get("by")
    if actor:
        who = label(AUTHOR_LABELS, actor, gettext)
        parts.append(f"{who} ({event['author_id']})" if event.get("author_id") else who)
    if event.get("type") == "message" and event.get("public") is False:
        parts.append(gettext("internal note"))
    changes = event.get("changes") or event.get("fields")
    if isinstance(changes, Mapping):
        parts.extend(f"{path}: {value}" for path, value in flatten(changes))
    return "; ".join(parts)


def event_rows(
    entries: Sequence[TimelineEntry], fmt: Formatter, gettext: Gettext, now: datetime
) -> list[dict[str, Any]]:
    """The ticket's events in replay order (by time, then arrival), each with the token
    that sent it: an SLA record is evidence, and who wrote it is part of it.

    An event stamped later than now (a sender's clock ahead of ours) is stored but not
    yet applied to the clocks; it is marked so the page does not seem to contradict them.
    """
    rows = []
    for entry in entries:
        event = entry.event
        at = parse_instant(event.get("at"))
        rows.append(
            {
                "at": fmt.instant(at, "medium"),
                "id": str(event.get("id", "")),
                "type": label(EVENT_LABELS, event.get("type"), gettext),
                "detail": _event_detail(event, gettext),
                "later": at is not None and at > now,
                "source": entry.source_name or entry.source or "",
                "received": fmt.instant(entry.received_at, "medium"),
            }
        )
    return rows


def notification_rows(
    rows: Sequence[NotificationRow], fmt: Formatter, gettext: Gettext, directory: Directory
) -> list[dict[str, Any]]:
    """The ticket's messages, oldest first: what fired, to whom, by which channel, and
    where each stands — sent (when), held for the reader's quiet hours (until when),
    failed (why, and the next try) or dead."""
    out = []
    for row in rows:
        kind, _, who = row.recipient.partition(":")
        if row.status == "sent":
            when = fmt.instant(row.sent_at, "medium")
        elif row.status == "held":
            when = gettext("until %(at)s") % {"at": fmt.instant(row.held_until, "medium")}
        elif row.status in ("failed", "pending"):
            when = gettext("next try %(at)s") % {"at": fmt.instant(row.next_attempt_at, "medium")}
        else:
            when = ""
        out.append(
            {
                "id": row.id,
                "type": label(FIRE_TYPE_LABELS, row.type, gettext),
                "metric": row.metric,
                "cycle": row.cycle,
                "fire_at": fmt.instant(row.fire_at, "medium"),
                "recipient": directory.person(who) if kind == "person" else row.recipient,
                "channel": label(CHANNEL_LABELS, row.channel, gettext),
                "status": label(DELIVERY_STATUS_LABELS, row.status, gettext),
                "status_code": row.status,
                "when": when,
                "attempts": row.attempts,
                "error": row.last_error or "",
            }
        )
    return out
