"""Acknowledging an instance: "I am on it" (notifications.md, "Acknowledgement").

An acknowledgement is an event, ``sla.acknowledged``, that changes no clock and shows
in the ticket's timeline. It comes from an agent's API call, or from the signed link
in a breach or escalation message: the link itself is the credential — it names the
instance and the person it was sent to, signed with ``SLACLOCK_ACK_SECRET`` — so a
manager can acknowledge from a phone without signing in, and nobody can forge a link
for another instance or person. A link is valid for :data:`LINK_DAYS` days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slaclock.core.events import format_instant
from slaclock.service.agent_actions import RESERVED_ID_PREFIX
from slaclock.service.signed_links import LinkDamaged, read_link, sign_link

__all__ = ["ACK_SECRET_ENV", "LINK_DAYS", "AckClaim", "ack_event", "ack_token", "read_ack_token"]

ACK_SECRET_ENV = "SLACLOCK_ACK_SECRET"
#: How long an acknowledgement link works.
LINK_DAYS = 14
_WHAT = "acknowledgement link"


@dataclass(frozen=True, slots=True)
class AckClaim:
    """Which instance a link acknowledges, for whom, until when."""

    ticket: str
    kind: str
    metric: str
    cycle: int
    person: str
    expires: datetime


def ack_token(secret: str, claim: AckClaim) -> str:
    """The link's token: the claim signed (:func:`slaclock.service.signed_links.sign_link`)."""
    values: list[str | int] = [claim.ticket, claim.kind, claim.metric, claim.cycle, claim.person]
    return sign_link(secret, values, claim.expires)


def read_ack_token(secret: str, token: str, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; ValueError (a
    :class:`~slaclock.service.signed_links.LinkError`) says what is wrong."""
    values, expires = read_link(secret, token, now, what=_WHAT)
    if len(values) != 5:
        raise LinkDamaged(f"this {_WHAT} is damaged")
    ticket, kind, metric, cycle, person = values
    if not isinstance(cycle, int):
        raise LinkDamaged(f"this {_WHAT} is damaged")
    return AckClaim(str(ticket), str(kind), str(metric), int(cycle), str(person), expires)


def link_claim(body: dict[str, Any], person: str, now: datetime) -> AckClaim:
    """The claim of a message about the instance of a delivery ``body``, for ``person``."""
    return AckClaim(str(body["ticket"]), str(body["kind"]), str(body["metric"]),
                    int(body["cycle"]), person, now + timedelta(days=LINK_DAYS))  # fmt: skip


def ack_event(
    ticket: str, kind: str, metric: str, cycle: int, person: str, now: datetime
) -> dict[str, Any]:
    """The ``sla.acknowledged`` event (an id of the service's own: every
    acknowledgement is recorded, a later one renews an expired one)."""
    return {
        "id": f"{RESERVED_ID_PREFIX}ack:{uuid.uuid4().hex}",
        "ticket": ticket,
        "at": format_instant(now),
        "type": "sla.acknowledged",
        "kind": kind,
        "metric": metric,
        "cycle": cycle,
        "by": person,
    }
