"""When reminders and escalations of a running clock fall due (policies.md).

``before: D`` fires D of open time before ``due_at`` (``clock: real``: real time);
``at_percent: P`` when P% of the target has elapsed; ``after: D`` D past ``due_at``, where
``after: 0m`` is the breach itself: the instant the calendar runs on past ``due_at``
(notifications.md), its next opening when ``due_at`` falls at closing time.
Entries are computed for running clocks only: a paused clock has no ``due_at`` and a
stopped one fires nothing. Whether a time already passed is for the notifier to judge
(a passed reminder is skipped, a passed escalation fires at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slaclock.core.conditions import evaluate
from slaclock.core.engine.breach import overdue_from
from slaclock.core.engine.clock import Clock
from slaclock.core.model import Escalation, Reminder

__all__ = ["Due", "clock_dues"]


@dataclass(frozen=True, slots=True)
class Due:
    """One (instance, entry) pair and the instant it fires."""

    ticket: str
    kind: str
    metric: str
    cycle: int
    policy: str
    entry: str  # "reminder" | "escalation"
    index: int  # position of the entry in the policy's list
    fire_at: datetime

    @property
    def instance_key(self) -> tuple[str, str, str, int, str]:
        return (self.ticket, self.kind, self.metric, self.cycle, self.policy)


def clock_dues(
    ticket_id: str, clock: Clock, due_at: datetime, ticket: Mapping[str, Any]
) -> list[Due]:
    """Every reminder and escalation of a running clock whose ``due_at`` is known."""
    binding = clock.binding
    assert binding is not None
    calendar = binding.calendar
    out: list[Due] = []

    def due(entry: str, index: int, fire_at: datetime | None) -> None:
        if fire_at is not None:
            out.append(
                Due(ticket_id, clock.track.kind, clock.track.metric, clock.cycle,
                    binding.policy_id, entry, index, fire_at)
            )  # fmt: skip

    for index, reminder in enumerate(binding.reminders):
        if _applies(reminder, clock.track.metric, ticket):
            if reminder.at_percent is not None:
                amount = clock.target_seconds * reminder.at_percent / 100.0
                due("reminder", index, clock.reach(amount))
            else:
                before = reminder.before_seconds or 0
                if reminder.clock == "real":
                    due("reminder", index, due_at - timedelta(seconds=before))
                else:
                    due("reminder", index, calendar.add(due_at, -before))
    for index, escalation in enumerate(binding.escalations):
        if _applies(escalation, clock.track.metric, ticket):
            after = escalation.after_seconds
            if after == 0:  # the breach itself: when the calendar runs on past due_at
                due("escalation", index, overdue_from(calendar, due_at))
            elif escalation.clock == "real":
                due("escalation", index, due_at + timedelta(seconds=after))
            else:
                due("escalation", index, calendar.add(due_at, after))
    return out


def _applies(entry: Reminder | Escalation, metric: str, ticket: Mapping[str, Any]) -> bool:
    if entry.metrics is not None and metric not in entry.metrics:
        return False
    return entry.when is None or evaluate(entry.when, ticket)
