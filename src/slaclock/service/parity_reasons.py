"""Why slaclock's verdict on an instance differs from the vendor's, where it can tell.

A disagreement is looked at with what both sides left behind: our instance (its
target, calendar, elapsed and paused open time, start, stop, breach) and the ticket's
events (its priority changes and its waiting statuses). The first rule that fits
names the reason; the order goes from the plainest fact (we have no instance, it is
still running) to the likeliest cause, and "unexplained" says so when none fits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slaclock.core.durations import format_duration
from slaclock.core.events import Event

__all__ = ["NEAR_SECONDS", "NEAR_SHARE", "WAITING", "explain_disagreement"]

#: A verdict this close to the target (the larger of the two) is called "near the
#: target": a minute of rounding or an hour of schedule moves it.
NEAR_SECONDS = 3600
NEAR_SHARE = 0.05
#: Statuses a vendor may pause a clock in.
WAITING = frozenset({"pending", "on_hold"})


def explain_disagreement(
    vendor_breached: bool,
    vendor_at: datetime | None,
    instance: Mapping[str, Any] | None,
    events: Sequence[Event],
    metric: str,
) -> tuple[str, str]:
    """(reason, detail) for one disagreement; ``instance`` is our instance as replay
    JSON (the breached cycle, else the first), None when we have none."""
    if instance is None:
        priority = _last_priority(events)
        return "no instance", f"no {metric} instance in the replay (priority {priority})"
    target = int(instance["target_seconds"])
    elapsed = int(instance["elapsed_seconds"])
    paused = int(instance["paused_seconds"])
    used = f"{_hours(elapsed)} of {_hours(target)} on {instance['calendar']}"
    if instance.get("stopped_at") is None and instance["state"] != "cancelled":
        return "still running", f"our clock had not stopped by then ({used})"
    changes = _priority_changes(events)
    if changes:
        return "priority change", f"priority changed {', '.join(changes)} ({used})"
    breached_at = _instant(instance.get("breached_at"))
    if not vendor_breached and vendor_at is not None and breached_at and vendor_at < breached_at:
        return (
            "verdict before our breach",
            f"the vendor judged at {_text(vendor_at)}, before our breach at "
            f"{_text(breached_at)} ({used})",
        )
    if vendor_breached and paused and elapsed + paused > target:
        return (
            "pause the vendor did not apply",
            f"we paused {_hours(paused)}; without it {_hours(elapsed + paused)} > {_hours(target)}",
        )
    waited = _waiting_seconds(events, instance)
    if not vendor_breached and not paused and waited and elapsed - waited <= target:
        return (
            "pause we did not apply",
            f"{_hours(waited)} in {'/'.join(sorted(WAITING))} counted by our clock ({used})",
        )
    remaining = target - elapsed
    if abs(remaining) <= max(NEAR_SECONDS, NEAR_SHARE * target):
        side = f"over by {_hours(-remaining)}" if remaining < 0 else f"{_hours(remaining)} to spare"
        return "near the target", f"{side}: a small schedule or rounding difference ({used})"
    wall = _wall_seconds(instance)
    if vendor_breached and wall is not None and wall > target:
        return (
            "schedule difference",
            f"{_hours(wall)} of wall-clock time is over the target; our calendar counted {used}",
        )
    return "unexplained", used


def _hours(seconds: float) -> str:
    return format_duration(seconds, days=False)


def _instant(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def _text(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _wall_seconds(instance: Mapping[str, Any]) -> float | None:
    start, stop = _instant(instance.get("started_at")), _instant(instance.get("stopped_at"))
    return (stop - start).total_seconds() if start and stop else None


def _priority_changes(events: Sequence[Event]) -> list[str]:
    """``"normal → urgent at T"`` for each change of priority after creation."""
    ordered = sorted(events, key=lambda e: e.sort_key)
    found = []
    current = None
    for event in ordered:
        if event.type == "ticket.created":
            current = event.data.get("fields", {}).get("priority")
        elif event.type == "ticket.updated" and "priority" in event.data.get("changes", {}):
            new = event.data["changes"]["priority"]
            if new != current:
                found.append(f"{current} → {new} at {_text(event.at)}")
            current = new
    return found


def _last_priority(events: Sequence[Event]) -> str | None:
    priority = None
    for event in sorted(events, key=lambda e: e.sort_key):
        if event.type == "ticket.created":
            priority = event.data.get("fields", {}).get("priority")
        elif event.type == "ticket.updated":
            priority = event.data.get("changes", {}).get("priority", priority)
    return priority


def _waiting_seconds(events: Sequence[Event], instance: Mapping[str, Any]) -> float:
    """Wall-clock seconds the ticket spent in a waiting status while the instance ran."""
    start, stop = _instant(instance.get("started_at")), _instant(instance.get("stopped_at"))
    if start is None or stop is None:
        return 0.0
    total = 0.0
    since: datetime | None = None
    for event in sorted(events, key=lambda e: e.sort_key):
        body = event.data
        status = (body.get("fields") or body.get("changes") or {}).get("status")
        if status is None:
            continue
        if since is not None and status not in WAITING:
            total += _overlap(since, event.at, start, stop)
            since = None
        elif since is None and status in WAITING:
            since = event.at
    if since is not None:
        total += _overlap(since, stop, start, stop)
    return total


def _overlap(a: datetime, b: datetime, start: datetime, stop: datetime) -> float:
    return max(0.0, (min(b, stop) - max(a, start)).total_seconds())
