"""An SLA instance as the outside world sees it: events.md, "Instances"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaclock.core.events import format_instant

__all__ = ["INSTANCE_KEYS", "STATES", "Instance"]

STATES: tuple[str, ...] = ("running", "paused", "met", "breached", "cancelled")

#: The replay JSON's keys, in the order of events.md's example.
INSTANCE_KEYS: tuple[str, ...] = (
    "ticket", "metric", "kind", "cycle", "policy", "policy_version", "calendar",
    "target_seconds", "goal_seconds", "started_at", "due_at", "goal_due_at", "goal_breached",
    "stopped_at", "state", "breached", "breached_at", "elapsed_seconds", "paused_seconds",
    "remaining_seconds",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Instance:
    """One clock of one ticket (one cycle for repeating metrics), as of some instant."""

    ticket: str
    metric: str
    kind: str
    cycle: int
    policy: str
    policy_version: int
    calendar: str
    target_seconds: int
    goal_seconds: int | None
    started_at: datetime
    due_at: datetime | None
    goal_due_at: datetime | None
    goal_breached: bool | None
    stopped_at: datetime | None
    state: str
    breached: bool
    breached_at: datetime | None
    elapsed_seconds: int
    paused_seconds: int
    remaining_seconds: int

    @property
    def key(self) -> tuple[str, str, str, int]:
        """Identity within a ticket: kind, metric, OLA id ("" for SLAs), cycle."""
        return (self.kind, self.metric, self.policy if self.kind == "ola" else "", self.cycle)

    @property
    def sort_key(self) -> tuple[str, str, str, int, str]:
        """The replay order: ticket, kind, metric, cycle (then the OLA id, for ties)."""
        return (self.ticket, self.kind, self.metric, self.cycle, self.policy)

    def to_json(self) -> dict[str, Any]:
        """The replay JSON object: exactly :data:`INSTANCE_KEYS`, instants as ``…Z``."""
        return {
            "ticket": self.ticket,
            "metric": self.metric,
            "kind": self.kind,
            "cycle": self.cycle,
            "policy": self.policy,
            "policy_version": self.policy_version,
            "calendar": self.calendar,
            "target_seconds": self.target_seconds,
            "goal_seconds": self.goal_seconds,
            "started_at": format_instant(self.started_at),
            "due_at": format_instant(self.due_at),
            "goal_due_at": format_instant(self.goal_due_at),
            "goal_breached": self.goal_breached,
            "stopped_at": format_instant(self.stopped_at),
            "state": self.state,
            "breached": self.breached,
            "breached_at": format_instant(self.breached_at),
            "elapsed_seconds": self.elapsed_seconds,
            "paused_seconds": self.paused_seconds,
            "remaining_seconds": self.remaining_seconds,
        }
