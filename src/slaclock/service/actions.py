"""What an escalation's ``actions`` do (notifications.md, "Actions").

Each action runs once per fire, as a ticket event written by the service itself
(``author: system``) in the fire's transaction, with an id derived from the fire's
key: the same fire always makes the same ids, so a repeated run is a duplicate and
changes nothing. The event is stored and projected like any other, so it can
re-target the ticket, which re-plans its entries. A ``webhook`` action is a delivery,
not an event: it is returned as a recipient for the fire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slaclock.core.events import format_instant
from slaclock.core.model import Action, Config
from slaclock.service.agent_actions import RESERVED_ID_PREFIX
from slaclock.store.schedule import Planned

__all__ = ["action_events", "action_webhooks"]


def action_events(
    planned: Planned,
    actions: Sequence[Action],
    fields: Mapping[str, Any],
    config: Config,
    now: datetime,
) -> list[dict[str, Any]]:
    """The ``ticket.updated`` events of the entry's ``set``, ``add_tags`` and
    ``reassign`` actions (none when the action would change nothing: a group without
    a lead has no one to reassign to)."""
    events = []
    for index, action in enumerate(actions):
        changes = _changes(action, fields, config)
        if changes:
            events.append(
                {
                    "id": _event_id(planned, index),
                    "ticket": planned.ticket_id,
                    "at": format_instant(now),
                    "type": "ticket.updated",
                    "author": "system",
                    "changes": changes,
                    "cause": _cause(planned),
                }
            )
    return events


def _cause(planned: Planned) -> dict[str, Any]:
    """Which fire ran the action, for the timeline and the explanation."""
    return {"entry": planned.entry, "policy": planned.policy, "metric": planned.metric,
            "cycle": planned.cycle}  # fmt: skip


def action_webhooks(actions: Sequence[Action]) -> list[str]:
    """The recipients (``webhook:<id>``) of the entry's ``webhook`` actions."""
    return [f"webhook:{action.value}" for action in actions if action.kind == "webhook"]


def _changes(action: Action, fields: Mapping[str, Any], config: Config) -> dict[str, Any]:
    if action.kind == "set":
        return dict(action.value)
    if action.kind == "add_tags":
        return {"tags_added": list(action.value)}
    if action.kind == "reassign":
        group = config.groups.get(str(fields.get("group") or ""))
        if group is None or not group.lead or group.lead == fields.get("assignee"):
            return {}
        return {"assignee": group.lead}
    return {}


def _event_id(planned: Planned, index: int) -> str:
    key = "\x1f".join(map(str, planned.key))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"{RESERVED_ID_PREFIX}action:{digest}:{index}"
