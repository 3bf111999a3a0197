"""What an agent may write: a reply, a note or an update, stamped by the server.

The agent is the person the SLA measures, so an agent's action is evidence, and the
agent must not be able to shape it: the server sets when it happened (``at`` = now),
who did it (``author`` ``agent``, ``author_id`` = the agent the token speaks for) and
its id (in the ``slaclock:`` namespace no client may use, so an agent can never take
an id a helpdesk feed will send later). Of a ticket's fields an agent changes only
those of :data:`AGENT_FIELDS` — the work of handling a ticket — never the customer,
plan, channel or anything else that decides which promise applies.

Helpdesk feeds and imports (the ``ingest`` role) send the helpdesk's own record,
with its instants, through ``POST /api/v1/events`` instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slaclock.core.errors import EventError
from slaclock.core.events import format_instant

__all__ = [
    "ACTION_TYPES",
    "AGENT_FIELDS",
    "RESERVED_ID_PREFIX",
    "agent_event",
    "is_reserved_id",
]

ACTION_TYPES = ("message", "ticket.updated")
#: Ids the service makes start with this; an event from a client with such an id is
#: refused, so nobody can take an id the service will give.
RESERVED_ID_PREFIX = "slaclock:"
#: The ticket fields an agent's update may change.
AGENT_FIELDS = ("status", "priority", "type", "group", "assignee", "tags_added", "tags_removed")
#: What an agent may say of a message; the rest of it is the server's.
MESSAGE_KEYS = ("public", "channel")
#: Keys the server sets; a client that sends one is told so, not silently overruled.
SERVER_KEYS = ("id", "at", "author", "author_id", "by", "seq", "source")


def is_reserved_id(event_id: Any) -> bool:
    return isinstance(event_id, str) and event_id.startswith(RESERVED_ID_PREFIX)


def agent_event(ticket_id: str, body: Any, agent: str, now: datetime) -> dict[str, Any]:
    """The event an agent's request stands for; :class:`EventError` names what is wrong.

    ``body`` holds ``type`` and what the agent decides: ``public`` and ``channel`` of a
    message, ``changes`` of an update; ``ticket``, if given, must be the path's.
    """
    if not isinstance(body, Mapping):
        raise EventError("expected an event object")
    kind = body.get("type")
    if kind not in ACTION_TYPES:
        raise EventError(f"type: expected {' or '.join(ACTION_TYPES)}, not {kind!r}")
    if "ticket" in body and body["ticket"] != ticket_id:
        raise EventError(f"ticket: {body['ticket']!r} is not {ticket_id!r} of the path")
    for key in body:
        if key in SERVER_KEYS:
            raise EventError(f"{key}: set by the server for an agent's action; leave it out")
    allowed = {"type", "ticket", *(MESSAGE_KEYS if kind == "message" else ("changes",))}
    for key in body:
        if key not in allowed:
            raise EventError(f"{key}: not something an agent's {kind} may carry")
    event: dict[str, Any] = {
        "id": f"{RESERVED_ID_PREFIX}agent:{uuid.uuid4().hex}",
        "ticket": ticket_id,
        "at": format_instant(now),
        "type": kind,
    }
    if kind == "message":
        event.update(author="agent", author_id=agent, public=body.get("public", True))
        if "channel" in body:
            event["channel"] = body["channel"]
    else:
        event.update(author_id=agent, changes=_changes(body.get("changes")))
    return event


def _changes(changes: Any) -> dict[str, Any]:
    if not isinstance(changes, Mapping) or not changes:
        raise EventError("changes: expected an object of the fields to change")
    for name in changes:
        if name not in AGENT_FIELDS:
            raise EventError(f"changes.{name}: an agent may change only {', '.join(AGENT_FIELDS)}")
    return dict(changes)
