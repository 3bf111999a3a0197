"""The validated configuration, as frozen values.

This module is the contract between the configuration loader
(:mod:`slaclock.core.config`), which turns a YAML/JSON file into these values, and
the engine, which only ever reads them. An instance of :class:`Config` is valid by
construction: every cross-reference resolves and every duration is a whole number of
seconds. Durations are named ``*_seconds`` and are amounts of *open* time on the
calendar that applies (business seconds), unless a ``clock`` field says ``real``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

from slaclock.core.calendar import Calendar

# ---------------------------------------------------------------------------- tables

#: Condition operators (policies.md, "Conditions").
CONDITION_OPS: frozenset[str] = frozenset(
    {
        "eq", "ne", "in", "not_in", "contains", "not_contains", "matches",
        "exists", "gt", "gte", "lt", "lte",
    }
)  # fmt: skip

#: Event predicate names and the parameters each accepts (policies.md, "Metrics").
#: ``when`` (conditions on ticket fields) is accepted by every predicate.
PREDICATE_PARAMS: Mapping[str, frozenset[str]] = {
    "created": frozenset({"by"}),
    "agent_reply": frozenset({"by_group"}),
    "customer_message": frozenset(),
    "note": frozenset({"by_group"}),
    "status_changed": frozenset({"from", "to"}),
    "solved": frozenset(),
    "reopened": frozenset(),
    "field_changed": frozenset({"field", "to"}),
    "group_entered": frozenset({"group"}),
    "group_left": frozenset({"group"}),
    "assigned": frozenset({"to"}),
}

BUILTIN_METRICS: tuple[str, ...] = (
    "first_response",
    "next_response",
    "periodic_update",
    "resolution",
)
TICKET_STATUSES: tuple[str, ...] = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
CHANNELS: tuple[str, ...] = ("email", "chat", "phone", "web", "social", "api")

ClockKind: TypeAlias = Literal["business", "real"]

# ------------------------------------------------------------------------ conditions


@dataclass(frozen=True)
class Condition:
    """One test on a ticket field: ``{field: customer.plan, op: eq, value: enterprise}``."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class ConditionGroup:
    """``all`` must all hold and, when ``any`` is given, at least one of ``any``.

    Entries are leaves or nested groups. An empty group holds.
    """

    all: tuple[Condition | ConditionGroup, ...] = ()
    any: tuple[Condition | ConditionGroup, ...] | None = None


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Predicate:
    """An event predicate of a metric: ``{event: group_entered, group: engineering}``.

    ``params`` holds the predicate's own keys (see :data:`PREDICATE_PARAMS`); a value
    may be a string or a list of strings (any of them matches).
    """

    event: str
    params: Mapping[str, Any] = field(default_factory=dict)
    when: ConditionGroup | None = None


@dataclass(frozen=True)
class PauseRule:
    """While the ticket's status is in ``statuses`` (or ``when`` holds), the clock pauses."""

    statuses: frozenset[str] = frozenset()
    when: ConditionGroup | None = None


@dataclass(frozen=True)
class MetricDef:
    """When a clock starts, pauses and stops. Built-ins are ``MetricDef`` values too."""

    name: str
    start: tuple[Predicate, ...]
    stop: tuple[Predicate, ...]
    pause: PauseRule | None = None
    repeat: bool = False
    builtin: bool = False  # one of BUILTIN_METRICS, not overridden by the file


# -------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class CalendarRef:
    """A calendar id, or a choice by a ticket field: ``{by, map, default}``."""

    id: str | None = None
    by: str | None = None
    map: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None


#: A duration in seconds, or durations by priority (a missing priority: no instance).
ByPriority: TypeAlias = int | Mapping[str, int]


@dataclass(frozen=True)
class Target:
    """A policy's promise for one metric."""

    metric: str
    within: ByPriority
    goal: ByPriority | None = None
    pause: PauseRule | None = None  # None: the metric's default pause
    calendar: CalendarRef | None = None  # None: the policy's calendar

    def within_seconds(self, priority: str | None) -> int | None:
        """The target for a priority, or None when that priority has no instance."""
        return _by_priority(self.within, priority)

    def goal_seconds(self, priority: str | None) -> int | None:
        return None if self.goal is None else _by_priority(self.goal, priority)


def _by_priority(value: ByPriority, priority: str | None) -> int | None:
    if isinstance(value, int):
        return value
    return value.get(priority) if priority is not None else None


@dataclass(frozen=True)
class Action:
    """An escalation action: ``set``, ``add_tags``, ``reassign`` or ``webhook``."""

    kind: Literal["set", "add_tags", "reassign", "webhook"]
    value: Any


@dataclass(frozen=True)
class Reminder:
    """A notification before ``due_at``: exactly one of ``before_seconds``/``at_percent``."""

    notify: tuple[str, ...]
    before_seconds: int | None = None
    at_percent: float | None = None
    clock: ClockKind = "business"
    metrics: tuple[str, ...] | None = None  # None: every metric
    when: ConditionGroup | None = None
    urgent: bool = False  # True: never held for quiet hours (notifications.md)


@dataclass(frozen=True)
class Escalation:
    """One level of an escalation chain, ``after_seconds`` past ``due_at``."""

    after_seconds: int
    notify: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    clock: ClockKind = "business"
    metrics: tuple[str, ...] | None = None
    when: ConditionGroup | None = None
    urgent: bool = False  # True: never held for quiet hours (notifications.md)
    #: Does not fire for an instance acknowledged before its time (notifications.md).
    unless_acknowledged: bool = False
    #: An acknowledgement lapses after this much open time (None: never).
    ack_expires_seconds: int | None = None


@dataclass(frozen=True)
class Retarget:
    """How open instances follow a change of policy or target (policies.md)."""

    mode: Literal["retroactive", "keep_elapsed", "restart"] = "retroactive"
    grace_seconds: int = 0


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    calendar: CalendarRef
    targets: Mapping[str, Target]
    match: ConditionGroup | None = None  # None: matches every ticket
    reminders: tuple[Reminder, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    retarget: Retarget = Retarget()
    version: int = 1  # set by the service's configuration history; 1 for a bare file


@dataclass(frozen=True)
class Ola:
    """An internal team's agreement; computed for every ticket entering ``group``."""

    id: str
    group: str
    metric: str
    target: Target  # target.metric == metric
    calendar: CalendarRef
    supports: tuple[str, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    version: int = 1


# ---------------------------------------------------------------- people and delivery


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str | None = None
    locale: str = "en"
    groups: tuple[str, ...] = ()
    calendar: str | None = None  # quiet hours: messages wait for its open hours


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    lead: str | None = None
    calendar: str | None = None  # the quiet-hours calendar of members without their own


@dataclass(frozen=True)
class Webhook:
    id: str
    url: str
    secret_env: str | None = None
    format: Literal["json", "slack"] = "json"


@dataclass(frozen=True)
class Source:
    """An inbound helpdesk webhook source (an extension of the spec: key ``sources:``).

    ``POST /api/v1/webhooks/{id}`` verifies ``X-Slaclock-Signature`` (the same scheme
    as outbound deliveries) with the secret read from ``secret_env``, rejects
    timestamps older than ``tolerance_seconds``, and maps the JSON body to an event:
    ``mapping`` is event field -> JSON path into the body (``$.ticket.id``), e.g.
    ``{id: $.delivery_id, ticket: $.ticket.id, at: $.ticket.updated_at, type: $.kind}``;
    ``constants`` are event fields given literally (``{type: ticket.updated}``).
    ``preset`` (instead of ``mapping``): a built-in mapping of one helpdesk's own
    payloads (:mod:`slaclock.core.webhook_presets`).
    """

    id: str
    secret_env: str
    mapping: Mapping[str, str]
    constants: Mapping[str, Any] = field(default_factory=dict)
    tolerance_seconds: int = 300
    preset: str | None = None


# ------------------------------------------------------------- contracts and credits
#
# Percentages (``target``, ``below``, ``credit``, ``cap``) are written ``95%`` in the
# file and held here as exact Decimal *fractions*: ``95%`` is ``Decimal("0.95")``, the
# same unit as an attainment ``met / (met + breached)``. The arithmetic is in
# :mod:`slaclock.core.contracts`.


@dataclass(frozen=True)
class Fee:
    """What a customer pays per period: ``{amount: 5000, currency: EUR}``."""

    amount: Decimal  # exact, >= 0
    currency: str  # three capital letters (ISO 4217), e.g. "EUR"


@dataclass(frozen=True)
class CreditTier:
    """An attainment strictly below ``below`` earns ``credit`` of the fee (both fractions)."""

    below: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Contract:
    """A promised attainment per customer and period, and the service credits owed.

    ``credits`` are ordered as in the file: ``below`` strictly decreasing, ``credit``
    strictly increasing. ``cap`` is the most a period can earn (1: the whole fee).
    """

    id: str
    name: str
    customers: ConditionGroup  # which customers' tickets the contract covers
    period: Literal["month", "quarter"]
    tz: ZoneInfo  # where a period starts and ends
    fee: Fee
    metrics: tuple[str, ...]  # the SLA metrics that count
    target: Decimal  # the promised attainment, a fraction
    credits: tuple[CreditTier, ...]
    cap: Decimal = Decimal(1)
    exclude: ConditionGroup | None = None  # tickets left out of the attainment


# ------------------------------------------------------------------------- the whole


@dataclass(frozen=True)
class Config:
    """A whole, valid configuration.

    ``metrics`` holds every metric the engine knows: the four built-ins (or the file's
    overrides of them) and the custom ones. ``raw`` is the validated source mapping,
    kept so the service can store, diff and version it.
    """

    calendars: Mapping[str, Calendar]
    metrics: Mapping[str, MetricDef]
    policies: tuple[Policy, ...]
    olas: tuple[Ola, ...] = ()
    people: Mapping[str, Person] = field(default_factory=dict)
    groups: Mapping[str, Group] = field(default_factory=dict)
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    webhooks: Mapping[str, Webhook] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)
    contracts: tuple[Contract, ...] = ()


def quiet_calendar(config: Config, person_id: str) -> Calendar | None:
    """The calendar of a person's quiet hours (notifications.md, "Quiet hours"): their
    own ``calendar``, else that of the first of their groups that has one; None: none,
    and their messages are never held."""
    person = config.people.get(person_id)
    if person is None:
        return None
    candidates = [person.calendar] + [
        group.calendar for g in person.groups if (group := config.groups.get(g)) is not None
    ]
    calendar_id = next((c for c in candidates if c is not None), None)
    return None if calendar_id is None else config.calendars.get(calendar_id)
