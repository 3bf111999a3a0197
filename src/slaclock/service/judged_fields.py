"""The ticket fields a report groups an instance by, as they were when it was judged.

reports.md: a report's dimensions (``group``, ``assignee``, ``customer`` = its id,
``plan`` = the customer's plan, ``priority``, ``channel``, ``type``) are taken as they
were at the instance's **judgement instant** — ``stopped_at`` for a stopped clock,
``due_at`` for one that ran past its target — so a ticket reassigned after its first
reply still counts for the agent who answered it. For a clock not judged yet they are
the ticket's fields now.

The projection keeps each ticket's :class:`FieldHistory`: the dimensions after every
event that changed one of them, noted while the engine is fed the ticket's events one
at a time (a replay) or continued from its cached state (a new event). Each instance
row stores the dimensions looked up at its judgement instant (``dim_*`` columns).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["DIMENSIONS", "Dimensions", "FieldHistory", "dimensions", "judgement_instant"]

#: The dimensions, in the order of a :data:`Dimensions` tuple.
DIMENSIONS = ("group", "assignee", "customer", "plan", "priority", "channel", "type")
Dimensions = tuple[str | None, ...]
_NONE: Dimensions = (None,) * len(DIMENSIONS)


def dimensions(fields: Mapping[str, Any] | None) -> Dimensions:
    """The report dimensions of a ticket's fields (None where a field is absent)."""
    if not fields:
        return _NONE
    customer = fields.get("customer")
    customer = customer if isinstance(customer, Mapping) else {}
    return (
        _text(fields.get("group")),
        _text(fields.get("assignee")),
        _text(customer.get("id")),
        _text(customer.get("plan")),
        _text(fields.get("priority")),
        _text(fields.get("channel")),
        _text(fields.get("type")),
    )


@dataclass
class FieldHistory:
    """A ticket's dimensions over time: each change, from the instant of its event."""

    instants: list[datetime] = field(default_factory=list)
    values: list[Dimensions] = field(default_factory=list)

    def note(self, at: datetime, fields: Mapping[str, Any] | None) -> None:
        """The ticket's fields after an event at ``at`` (events come in order)."""
        now = dimensions(fields)
        if not self.values or self.values[-1] != now:
            self.instants.append(at)
            self.values.append(now)

    def at(self, instant: datetime | None) -> Dimensions:
        """The dimensions in force at ``instant`` (the latest when None); before the
        first event, the first ones known."""
        if not self.values:
            return _NONE
        if instant is None:
            return self.values[-1]
        index = bisect_right(self.instants, instant) - 1
        return self.values[max(index, 0)]


def judgement_instant(inst: Any) -> datetime | None:
    """When the instance was (or will be) judged: ``stopped_at`` once stopped,
    ``due_at`` while running or paused (the fields then are those in force when the
    target ran out; if that is still ahead, the latest), else None (cancelled, or a
    paused clock without a due time: judged by the fields now)."""
    if inst.stopped_at is not None and inst.state in ("met", "breached"):
        return inst.stopped_at  # type: ignore[no-any-return]
    if inst.state in ("running", "paused", "breached"):  # breached and still running
        return inst.due_at or inst.breached_at  # type: ignore[no-any-return]
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
