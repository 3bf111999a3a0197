"""The dashboard's content: filters read from the query, queue rows and summary counts.

Everything here turns service answers into display values (translated words, times in
the viewer's zone); the service decides what is in the queue and in what order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from slaclock.core.durations import LONGEST_WINDOW_SECONDS, parse_duration
from slaclock.service.queue import QUEUE_STATES, QueueFilters, QueueRow
from slaclock.service.views import Summary
from slaclock.web.directory import Directory
from slaclock.web.formatting import AT_RISK_SECONDS, Formatter, parse_instant
from slaclock.web.labels import KIND_LABELS, N_, PRIORITY_LABELS, STATE_LABELS, label

__all__ = ["FILTER_NAMES", "FilterForm", "parse_filters", "queue_rows", "summary_groups"]

Gettext = Callable[[str], str]
FILTER_NAMES = (
    "group", "assignee", "policy", "metric", "kind", "state", "priority", "plan", "customer",
    "due_within",
)  # fmt: skip
_CHOICES: Mapping[str, tuple[str, ...]] = {
    "kind": tuple(KIND_LABELS),
    "state": QUEUE_STATES,
    "priority": tuple(PRIORITY_LABELS),
}
MAX_FILTER_CHARS = 200


@dataclass(frozen=True)
class FilterForm:
    """The filters as typed (to refill the form), as the service wants them, and errors."""

    values: Mapping[str, str] = field(default_factory=dict)
    filters: QueueFilters = field(default_factory=QueueFilters)
    errors: tuple[str, ...] = ()

    def query(self, **extra: str | None) -> str:
        """The filters (and ``extra``) as a query string, for paging and JSON links."""
        pairs = {**self.values, **{k: v for k, v in extra.items() if v}}
        return urlencode(pairs)


def parse_filters(raw: Mapping[str, str | None], gettext: Gettext) -> FilterForm:
    """Read the filter form; a bad value is reported and left out, never a 4xx page."""
    values: dict[str, str] = {}
    wanted: dict[str, Any] = {}
    errors: list[str] = []
    for name in FILTER_NAMES:
        value = (raw.get(name) or "").strip()
        if not value:
            continue
        values[name] = value
        problem = _check(name, value, wanted)
        if problem:
            errors.append(
                gettext("Ignored filter %(name)s: %(problem)s")
                % {"name": name, "problem": gettext(problem)}
            )
    return FilterForm(values, QueueFilters(**wanted), tuple(errors))


def _check(name: str, value: str, wanted: dict[str, Any]) -> str | None:
    """Put ``value`` into ``wanted`` under the service's name; the problem, if any."""
    if len(value) > MAX_FILTER_CHARS:
        return N_("too long")
    if name in _CHOICES and value not in _CHOICES[name]:
        return N_("not one of the choices")
    if name == "due_within":
        try:
            seconds = parse_duration(value)
        except ValueError:
            return N_("not a duration such as 30m, 2h or 1d")
        if abs(seconds) > LONGEST_WINDOW_SECONDS:
            return N_("too long")
        wanted["due_within_seconds"] = seconds
        return None
    wanted[name] = value
    return None


def _time_left(row: QueueRow, fmt: Formatter, gettext: Gettext) -> tuple[str, str]:
    """The time-left text and its class: overdue (red), at-risk (amber), paused or ok."""
    seconds = row.seconds_to_due
    if seconds is None:
        remaining = fmt.duration(row.instance.get("remaining_seconds"))
        return gettext("paused, %(duration)s left") % {"duration": remaining}, "paused"
    if seconds < 0:
        return gettext("overdue by %(duration)s") % {"duration": fmt.duration(seconds)}, "overdue"
    return fmt.duration(seconds), "at-risk" if seconds <= AT_RISK_SECONDS else "ok"


def _epoch(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def ticket_url(ticket_id: str) -> str:
    return "/tickets/" + quote(ticket_id, safe="")


def queue_rows(
    rows: Sequence[QueueRow], fmt: Formatter, gettext: Gettext, directory: Directory
) -> list[dict[str, Any]]:
    """One display row per queue row, in the service's order (time left)."""
    shown = []
    for row in rows:
        text, css = _time_left(row, fmt, gettext)
        instance = row.instance
        due = parse_instant(instance.get("due_at"))
        shown.append(
            {
                "ticket": instance["ticket"],
                "url": ticket_url(instance["ticket"]),
                "subject": row.subject or "",
                "customer": row.customer_name or row.customer or "",
                "customer_url": "/?customer=" + quote(row.customer, safe="")
                if row.customer
                else "",
                "assignee": directory.person(row.assignee),
                "group": directory.group(row.group),
                "metric": instance["metric"],
                "kind": label(KIND_LABELS, instance.get("kind"), gettext),
                "policy": f"{instance.get('policy')} v{instance.get('policy_version')}",
                "state": label(STATE_LABELS, row.state, gettext),
                "priority": label(PRIORITY_LABELS, row.priority, gettext),
                "due": fmt.instant(due),
                "due_epoch": None if due is None else int(due.timestamp()),
                "overdue_epoch": _epoch(row.overdue_from),
                "time_left": text,
                "css": css,
            }
        )
    return shown


def summary_groups(summary: Summary, directory: Directory) -> list[dict[str, Any]]:
    """The per-group counts, named, in group order ("" — no group — last)."""
    groups = summary.groups
    ordered = sorted(groups, key=lambda gid: (gid == "", gid))
    return [{"id": gid, "name": directory.group(gid), **groups[gid].to_json()} for gid in ordered]
