"""The facts of a stored delivery, for whichever channel writes it as a message: the
email sender (:mod:`slaclock.service.email_sender`) and the Slack-format webhooks of
the worker (:mod:`slaclock.service.worker`).

A delivery's ``body`` (the webhook body of notifications.md, "Deliveries", with
``recipient`` and ``locale`` added) and the current configuration become
:class:`~slaclock.service.messages.MessageFacts` (:func:`message_facts`); the reader
sees its times in the zone :func:`reader_zone` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from slaclock.core.instants import parse_instant
from slaclock.core.model import Config, quiet_calendar
from slaclock.service.messages import MessageFacts

__all__ = ["message_facts", "reader_zone"]

_UTC = "UTC"


def message_facts(body: Mapping[str, Any], config: Config, base_url: str) -> MessageFacts:
    """The facts of a delivery ``body``, names taken from ``config``; ``remaining_seconds``
    is ``due_at - fire_at`` in real seconds (negative: overdue)."""
    fields = _mapping(body.get("ticket_fields"))
    customer = _mapping(fields.get("customer"))
    ticket_id = str(body["ticket"])
    fire_at = parse_instant(body["fire_at"], "fire_at")
    due_at = parse_instant(body["due_at"], "due_at") if body.get("due_at") else None
    if due_at is not None:
        remaining = int((due_at - fire_at).total_seconds())
    else:  # no due time (paused): the instance's own count, if any
        left = _mapping(body.get("instance")).get("remaining_seconds")
        remaining = left if isinstance(left, int) else 0
    group = config.groups.get(_text(fields.get("group")) or "")
    assignee = config.people.get(_text(fields.get("assignee")) or "")
    return MessageFacts(
        type=str(body["type"]),
        ticket_id=ticket_id,
        subject=_text(fields.get("subject")),
        kind=str(body["kind"]),
        metric=str(body["metric"]),
        cycle=int(body["cycle"]),
        policy_name=_policy_name(config, str(body["kind"]), str(body["policy"])),
        due_at=due_at,
        fire_at=fire_at,
        remaining_seconds=remaining,
        priority=_text(fields.get("priority")),
        group_name=group.name if group is not None else _text(fields.get("group")),
        assignee_name=assignee.name if assignee is not None else _text(fields.get("assignee")),
        customer_name=_text(customer.get("name")) or _text(customer.get("id")),
        ticket_url=_ticket_url(base_url, ticket_id, body.get("url")),
        ack_url=_text(body.get("ack_url")),  # signed, on breach and escalation messages
    )


def reader_zone(recipient: str, body: Mapping[str, Any], config: Config) -> str:
    """The IANA zone a reader sees times in: for ``person:<id>``, the person's
    quiet-hours calendar (their ``calendar:``, else that of their first group that has
    one: :func:`~slaclock.core.model.quiet_calendar`); otherwise — and for ``customer``
    and ``email:`` readers — the calendar of the instance; else UTC."""
    kind, _, value = recipient.partition(":")
    calendar = quiet_calendar(config, value) if kind == "person" else None
    if calendar is None:
        calendar_id = _mapping(body.get("instance")).get("calendar")
        calendar = config.calendars.get(calendar_id) if isinstance(calendar_id, str) else None
    return _UTC if calendar is None else str(calendar.tz.key)


def _policy_name(config: Config, kind: str, policy_id: str) -> str:
    if kind == "sla":
        policy = next((p for p in config.policies if p.id == policy_id), None)
        if policy is not None and policy.name:
            return policy.name
    return policy_id  # an OLA (no display name), or a policy since removed


def _ticket_url(base_url: str, ticket_id: str, stored: Any) -> str:
    if base_url:
        return f"{base_url.rstrip('/')}/tickets/{quote(ticket_id, safe='')}"
    if isinstance(stored, str) and stored:
        return stored
    raise ValueError("no ticket URL: the worker has no base URL and the delivery none stored")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
