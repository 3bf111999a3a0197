"""Acknowledging an instance: "I am on it" (notifications.md, "Acknowledgement").

An acknowledgement is an event, ``sla.acknowledged``, that changes no clock and shows
in the ticket's timeline. It comes from an agent's API call, or from the signed link
in a breach or escalation message: the link itself is the credential — it names the
instance and the person it was sent to, signed with ``SLACLOCK_ACK_SECRET`` — so a
manager can acknowledge from a phone without signing in, and nobody can forge a link
for another instance or person. A link is valid for :data:`LINK_DAYS` days.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slaclock.core.events import format_instant
from slaclock.service.agent_actions import RESERVED_ID_PREFIX

__all__ = ["ACK_SECRET_ENV", "LINK_DAYS", "AckClaim", "ack_event", "ack_token", "read_ack_token"]

ACK_SECRET_ENV = "SLACLOCK_ACK_SECRET"
#: How long an acknowledgement link works.
LINK_DAYS = 14


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
    """The link's token: the claim (URL-safe base64 JSON) and its HMAC-SHA256."""
    payload = json.dumps(
        [claim.ticket, claim.kind, claim.metric, claim.cycle, claim.person,
         int(claim.expires.timestamp())],
        separators=(",", ":"), ensure_ascii=False,
    ).encode()  # fmt: skip
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{encoded}.{_mac(secret, encoded)}"


def read_ack_token(secret: str, token: str, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; ValueError says what is wrong."""
    encoded, _, mac = token.partition(".")
    if not encoded or not hmac.compare_digest(_mac(secret, encoded), mac):
        raise ValueError("this acknowledgement link is not genuine")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        ticket, kind, metric, cycle, person, expires = json.loads(raw)
        claim = AckClaim(str(ticket), str(kind), str(metric), int(cycle), str(person),
                         datetime.fromtimestamp(int(expires), now.tzinfo))  # fmt: skip
    except (ValueError, TypeError) as exc:
        raise ValueError("this acknowledgement link is damaged") from exc
    if claim.expires < now:
        raise ValueError("this acknowledgement link has expired")
    return claim


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


def _mac(secret: str, encoded: str) -> str:
    return hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).hexdigest()[:32]
