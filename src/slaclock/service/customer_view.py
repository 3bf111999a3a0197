"""What a customer link shows: the promises made to the customer on one ticket.

Only what the customer was promised and may know: the SLA clocks (an OLA is a team's
internal agreement), the latest cycle of each, with when it is due, when it was met,
whether it is past due, and — while paused — why, as a reason code the page words for
the customer. No internal goal, policy, calendar, group, agent or field leaves this
module; only the ticket's id and subject, and the requester's language and time zone
where the ticket's fields carry them (``requester.locale``, as customer notices use;
``requester.tz`` or ``requester.time_zone``, an IANA zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:  # the engine is imported where a replay runs, not by the pages
    from slaclock.core.calendar import Calendar
    from slaclock.core.engine import Instance
    from slaclock.store.tickets import TicketRecord

__all__ = ["METRIC_ORDER", "PAUSE_REASONS", "CustomerClock", "CustomerStatus", "customer_status"]

#: The built-in promises in the order a customer meets them; other metrics follow.
METRIC_ORDER = ("first_response", "next_response", "periodic_update", "resolution")
#: The ticket status behind a pause -> the reason the page gives; any other pause
#: (a custom ``pause: when`` rule) is just "paused".
PAUSE_REASONS: Mapping[str, str] = {"pending": "waiting_for_you", "on_hold": "on_hold"}
_ZONE_KEYS = ("tz", "time_zone", "timezone")


@dataclass(frozen=True, slots=True)
class CustomerClock:
    """One promise: ``state`` is running, paused, met or breached (past due)."""

    metric: str
    state: str
    due_at: datetime | None  # None while paused
    stopped_at: datetime | None  # None while the promise is open
    remaining_seconds: int
    pause_reason: str | None  # waiting_for_you, on_hold or paused; None unless paused

    @property
    def open(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True, slots=True)
class CustomerStatus:
    """The ticket as its customer may see it."""

    ticket: str
    subject: str
    requester_locale: str | None  # the tag as the ticket carries it ("nl", "de-CH")
    requester_zone: ZoneInfo | None
    calendar_zone: ZoneInfo | None  # the zone of the promises' calendar
    clocks: tuple[CustomerClock, ...]


def customer_status(
    ticket: TicketRecord, instances: Iterable[Instance], calendars: Mapping[str, Calendar]
) -> CustomerStatus:
    """The customer's view of ``ticket`` from its instances replayed as of now."""
    latest: dict[str, Instance] = {}
    for inst in instances:
        if inst.kind != "sla" or inst.state == "cancelled":
            continue
        held = latest.get(inst.metric)
        if held is None or inst.cycle > held.cycle:
            latest[inst.metric] = inst
    ordered = sorted(latest.values(), key=_metric_rank)
    fields = ticket.fields or {}
    requester = fields.get("requester")
    requester = requester if isinstance(requester, Mapping) else {}
    return CustomerStatus(
        ticket=ticket.id,
        subject=ticket.subject or "",
        requester_locale=_text(requester.get("locale")),
        requester_zone=next(
            (zone for key in _ZONE_KEYS if (zone := _zone(requester.get(key))) is not None),
            None,
        ),
        calendar_zone=_calendar_zone(ordered, calendars),
        clocks=tuple(_clock(inst, ticket.status) for inst in ordered),
    )


def _clock(inst: Instance, status: str | None) -> CustomerClock:
    reason = None
    if inst.state == "paused":
        reason = PAUSE_REASONS.get(status or "", "paused")
    return CustomerClock(
        metric=inst.metric,
        state=inst.state,
        due_at=inst.due_at,
        stopped_at=inst.stopped_at,
        remaining_seconds=inst.remaining_seconds,
        pause_reason=reason,
    )


def _metric_rank(inst: Instance) -> tuple[int, str]:
    known = inst.metric in METRIC_ORDER
    return (METRIC_ORDER.index(inst.metric) if known else len(METRIC_ORDER), inst.metric)


def _calendar_zone(ordered: list[Instance], calendars: Mapping[str, Calendar]) -> ZoneInfo | None:
    """The zone of the first open promise's calendar (else of the first promise's): the
    hours the team keeps for this ticket. A calendar no longer configured: none."""
    for inst in sorted(ordered, key=lambda i: i.stopped_at is not None):
        calendar = calendars.get(inst.calendar)
        if calendar is not None:
            zone: ZoneInfo = calendar.tz
            return zone
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _zone(value: Any) -> ZoneInfo | None:
    """An IANA zone named by a field; None for anything else ("CET+1", "Amsterdam")."""
    name = _text(value)
    if name is None or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
