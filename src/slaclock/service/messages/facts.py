"""What a message says (:class:`MessageFacts`) and what it is rendered as
(:class:`RenderedMessage`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["KINDS", "MESSAGE_TYPES", "MessageFacts", "RenderedMessage"]

#: ``sla.reminder`` before a due time, ``sla.breached`` the ``after: 0m`` level, and
#: ``sla.escalation`` the later levels (``../shared/spec/notifications.md``).
MESSAGE_TYPES: frozenset[str] = frozenset({"sla.reminder", "sla.breached", "sla.escalation"})
KINDS: frozenset[str] = frozenset({"sla", "ola"})


def _utc(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {value!r}")
    return value.astimezone(UTC)


def _web_url(name: str, value: str | None) -> None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError(f"{name} must be an absolute http(s) URL, not {value!r}")


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """Everything one message about one instance says, in no language yet.

    ``remaining_seconds`` is the time from ``fire_at`` to the due time as the reader
    lives it (negative: overdue by that much); ``ack_url`` is the signed "I am on it"
    link, present on breach and escalation messages. Instants are aware; they are kept
    in UTC. The URLs are absolute http(s) URLs.
    """

    type: str
    ticket_id: str
    subject: str | None
    kind: str
    metric: str
    cycle: int
    policy_name: str
    due_at: datetime | None
    fire_at: datetime
    remaining_seconds: int
    priority: str | None
    group_name: str | None
    assignee_name: str | None
    customer_name: str | None
    ticket_url: str
    ack_url: str | None = None

    def __post_init__(self) -> None:
        if self.type not in MESSAGE_TYPES:
            raise ValueError(f"type must be one of {sorted(MESSAGE_TYPES)}, not {self.type!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {self.kind!r}")
        object.__setattr__(self, "fire_at", _utc("fire_at", self.fire_at))
        if self.due_at is not None:
            object.__setattr__(self, "due_at", _utc("due_at", self.due_at))
        _web_url("ticket_url", self.ticket_url)
        _web_url("ack_url", self.ack_url)


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One message ready for a channel: a one-line ``subject``, a plain ``text`` body and
    an ``html`` body (a complete document) saying the same."""

    subject: str
    text: str
    html: str
