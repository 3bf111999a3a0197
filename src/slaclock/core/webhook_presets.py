"""Built-in webhook presets: a helpdesk's own webhook payload as ticket events.

A ``sources:`` entry with ``preset: zendesk`` (``freshdesk``, ``jira``, ``zammad``)
needs no ``mapping``: :func:`preset_events` reads the helpdesk's payload as that
helpdesk documents it and returns the events it means (none, one, or a change and a
message). Statuses, priorities and channels go through the importers' vocabularies
(:mod:`slaclock.core.helpdesk_vocabularies`), and the ids follow the importers' where
the payload names the same thing (a ticket's creation is ``SOURCE:TICKET:created``,
a Jira change ``jira:KEY:hID``, a comment ``jira:KEY:cID:reply``), so a history
imported and a stream synced live meet without doubles. A payload that names no ticket
or a value outside a vocabulary is a :class:`PresetError` (the webhook answers 422);
one about something slaclock does not follow (a brand change) gives no event.

- ``zendesk``: Zendesk's ticket event webhooks (``zen:event-type:ticket.*``, version
  2022-11-06): ``{"type", "id", "time", "detail": {ticket}, "event": {...}}``.
- ``freshdesk``: an automation rule's webhook with the JSON body documented in
  docs/importers.md, ``{"freshdesk_webhook": {"ticket_id", "ticket_status", …,
  "triggered_event"}}`` (Freshdesk's placeholders; no time: the time received).
- ``jira``: Jira's issue and comment webhooks: ``{"webhookEvent", "timestamp",
  "issue", "changelog"?, "comment"?}``.
- ``zammad``: a Zammad trigger's webhook with its default payload ``{"ticket": {...},
  "article": {...}?}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from slaclock.core.helpdesk_vocabularies import (
    FRESHDESK_PRIORITY_NAMES,
    FRESHDESK_STATUS_NAMES,
    JIRA_PRIORITIES,
    JIRA_STATUSES,
    ZAMMAD_CHANNELS,
    ZAMMAD_PRIORITIES,
    ZAMMAD_STATES,
    ZENDESK_CHANNELS,
    ZENDESK_PRIORITIES,
    ZENDESK_STATUSES,
)
from slaclock.core.instants import format_instant

__all__ = ["PRESETS", "PresetError", "preset_events"]

Events = list[dict[str, Any]]


class PresetError(ValueError):
    """The payload does not say what the preset needs (its ticket, a known status)."""


def preset_events(preset: str, body: Any, received_at: datetime) -> Events:
    """The events of ``body``, a webhook payload of ``preset``'s helpdesk; ``received_at``
    dates a payload that carries no time of its own."""
    if not isinstance(body, dict):
        raise PresetError("the body is not a JSON object")
    return PRESETS[preset](body, received_at)


# ---------------------------------------------------------------------- zendesk

_ZENDESK_FIELDS = {
    "status_changed": ("status", ZENDESK_STATUSES),
    "priority_changed": ("priority", ZENDESK_PRIORITIES),
    "agent_assignment_changed": ("assignee", None),
    "group_assignment_changed": ("group", None),
    "type_changed": ("type", None),
    "subject_changed": ("subject", None),
    "organization_changed": ("customer.id", None),
    "requester_changed": ("requester.id", None),
}


def _zendesk(body: dict[str, Any], received_at: datetime) -> Events:
    kind = _text(body.get("type")).removeprefix("zen:event-type:ticket.")
    detail = _obj(body.get("detail"))
    ticket = _required(detail.get("id"), "detail.id")
    at = _instant(body.get("time"), received_at)
    delivery = f"zendesk:webhook:{_required(body.get('id'), 'id')}"
    event = _obj(body.get("event"))
    if kind == "created":
        by = (
            "customer"
            if _text(detail.get("actor_id")) in ("", _text(detail.get("requester_id")))
            else "agent"
        )
        fields = {
            "status": _word(detail.get("status"), ZENDESK_STATUSES, "detail.status", lower=True),
            "priority": _word(
                detail.get("priority"), ZENDESK_PRIORITIES, "detail.priority", lower=True
            ),
            "type": _lower(detail.get("type")),
            "group": _id(detail.get("group_id")),
            "assignee": _id(detail.get("assignee_id")),
            "subject": detail.get("subject"),
            "channel": ZENDESK_CHANNELS.get(_text(_obj(detail.get("via")).get("channel"))),
            "tags": detail.get("tags") if isinstance(detail.get("tags"), list) else None,
            "requester": {"id": _id(detail.get("requester_id"))},
            "customer": {"id": _id(detail.get("organization_id"))},
        }
        return [_created(f"zendesk:{ticket}:created", ticket, at, by, fields)]
    if kind in _ZENDESK_FIELDS:
        field, vocabulary = _ZENDESK_FIELDS[kind]
        current = event.get("current")
        if vocabulary is not None:
            value = _word(current, vocabulary, "event.current", lower=True)
        else:
            value = _lower(current) if field == "type" else _id(current)
        return [_updated(delivery, ticket, at, {field: value})]
    if kind == "tags_changed":
        changes = {
            k: v
            for k in ("tags_added", "tags_removed")
            if isinstance(v := event.get(k), list) and v
        }
        return [_updated(delivery, ticket, at, changes)] if changes else []
    if kind == "comment_added":
        comment = _obj(event.get("comment"))
        author = _obj(comment.get("author"))
        staff = author.get("is_staff") is True
        public = comment.get("is_public") is not False
        return [_message(delivery, ticket, at, staff, public, _id(author.get("id")))]
    if kind in ("soft_deleted", "permanently_deleted"):
        return [_deleted(delivery, ticket, at)]
    return []


# -------------------------------------------------------------------- freshdesk

_FRESHDESK_CREATED = re.compile(r"ticket_action\s*:\s*created")
_FRESHDESK_REPLY = re.compile(r"reply_sent|agent_reply")
_FRESHDESK_NOTE = re.compile(r"note_(?:type|added)\s*:\s*(\w+)")
_FRESHDESK_CUSTOMER = re.compile(r"customer_reply|requester_repl")


def _freshdesk(body: dict[str, Any], received_at: datetime) -> Events:
    hook = _obj(body.get("freshdesk_webhook"))
    ticket = _required(hook.get("ticket_id"), "freshdesk_webhook.ticket_id")
    triggered = _text(hook.get("triggered_event"))
    fields: dict[str, Any] = {
        "status": _word(hook.get("ticket_status"), FRESHDESK_STATUS_NAMES, "ticket_status"),
        "priority": _word(hook.get("ticket_priority"), FRESHDESK_PRIORITY_NAMES, "ticket_priority"),
        "group": _id(hook.get("ticket_group_name")),
        "assignee": _id(hook.get("ticket_agent_email")),
    }
    at = _instant(hook.get("ticket_updated_at"), received_at)
    if _FRESHDESK_CREATED.search(triggered):
        fields["requester"] = {"id": _id(hook.get("ticket_requester_email"))}
        fields["customer"] = {"id": _id(hook.get("ticket_company_name"))}
        return [_created(f"freshdesk:{ticket}:created", ticket, at, "customer", fields)]
    if _FRESHDESK_CUSTOMER.search(triggered):
        return [_message(None, ticket, at, False, True, None)]
    if _FRESHDESK_REPLY.search(triggered):
        return [_message(None, ticket, at, True, True, fields["assignee"])]
    note = _FRESHDESK_NOTE.search(triggered)
    if note is not None:
        return [_message(None, ticket, at, True, note.group(1) == "public", fields["assignee"])]
    return [_updated(None, ticket, at, {k: v for k, v in fields.items() if v is not None})]


# ------------------------------------------------------------------------- jira


def _jira(body: dict[str, Any], received_at: datetime) -> Events:
    kind = _text(body.get("webhookEvent"))
    issue = _obj(body.get("issue"))
    key = _required(issue.get("key"), "issue.key")
    fields = _obj(issue.get("fields"))
    at = _epoch_millis(body.get("timestamp"), received_at)
    reporter = _account(fields.get("reporter"))
    if kind == "jira:issue_created":
        creator = fields.get("creator")
        by = "customer" if _account(creator) in ("", reporter) or _customer(creator) else "agent"
        created = {
            "status": _word(_obj(fields.get("status")).get("name"), JIRA_STATUSES, "status"),
            "priority": _word(
                _obj(fields.get("priority")).get("name"), JIRA_PRIORITIES, "priority"
            ),
            "type": _obj(fields.get("issuetype")).get("name"),
            "assignee": _account(fields.get("assignee")) or None,
            "subject": fields.get("summary"),
            "tags": fields.get("labels") if isinstance(fields.get("labels"), list) else None,
            "requester": {"id": reporter or None},
        }
        return [_created(f"jira:{key}:created", key, at, by, created)]
    if kind == "jira:issue_updated":
        changelog = _obj(body.get("changelog"))
        changes = _jira_changes(changelog.get("items"))
        events = []
        if changes:
            events.append(_updated(f"jira:{key}:h{_text(changelog.get('id'))}", key, at, changes))
        if body.get("comment") is not None:
            events.append(_jira_comment(key, _obj(body.get("comment")), reporter, at))
        return events
    if kind in ("comment_created", "jira:issue_commented"):
        return [_jira_comment(key, _obj(body.get("comment")), reporter, at)]
    if kind == "jira:issue_deleted":
        return [_deleted(f"jira:{key}:deleted", key, at)]
    return []


def _jira_changes(items: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for item in items if isinstance(items, list) else []:
        change = _obj(item)
        field = change.get("fieldId") or change.get("field")
        if field == "status":
            changes["status"] = _word(change.get("toString"), JIRA_STATUSES, "status")
        elif field == "priority":
            changes["priority"] = _word(change.get("toString"), JIRA_PRIORITIES, "priority")
        elif field == "assignee":
            changes["assignee"] = _id(change.get("to"))
        elif field == "issuetype":
            changes["type"] = change.get("toString")
        elif field == "labels":
            before = set(_text(change.get("fromString")).split())
            after = set(_text(change.get("toString")).split())
            if after - before:
                changes["tags_added"] = sorted(after - before)
            if before - after:
                changes["tags_removed"] = sorted(before - after)
    return changes


def _jira_comment(key: str, comment: dict[str, Any], reporter: str, at: str) -> dict[str, Any]:
    author = comment.get("author")
    customer = _account(author) == reporter or _customer(author)
    public = comment.get("jsdPublic") is not False
    suffix = "message" if customer else ("reply" if public else "note")
    when = _instant(comment.get("created"), None) if comment.get("created") else at
    comment_id = _required(comment.get("id"), "comment.id")
    event_id = f"jira:{key}:c{comment_id}:{suffix}"
    return _message(event_id, key, when, not customer, public, _account(author) or None)


# ----------------------------------------------------------------------- zammad


def _zammad(body: dict[str, Any], received_at: datetime) -> Events:
    ticket = _obj(body.get("ticket"))
    number = _required(ticket.get("id"), "ticket.id")
    at = _instant(ticket.get("updated_at"), received_at)
    article = _obj(body.get("article"))
    fields = {
        "status": _word(_named(ticket.get("state")), ZAMMAD_STATES, "ticket.state"),
        "priority": _word(_named(ticket.get("priority")), ZAMMAD_PRIORITIES, "ticket.priority"),
        "group": _named(ticket.get("group")) or None,
        "assignee": _zammad_owner(ticket),
        "subject": ticket.get("title"),
    }
    if fields["status"] is None and _named(ticket.get("state")) == "removed":
        return [_deleted(None, number, at)]
    if _text(ticket.get("created_at")) and ticket.get("created_at") == ticket.get("updated_at"):
        sender = _text(ticket.get("create_article_sender") or article.get("sender"))
        fields["channel"] = ZAMMAD_CHANNELS.get(_text(ticket.get("create_article_type")))
        fields["requester"] = {"id": _id(ticket.get("customer_id"))}
        by = "agent" if sender == "Agent" else "customer"
        return [_created(f"zammad:{number}:created", number, at, by, fields)]
    events = [_updated(None, number, at, {k: v for k, v in fields.items() if k != "subject"})]
    sender = _text(article.get("sender"))
    if article.get("id") is not None and sender in ("Customer", "Agent"):
        agent = sender == "Agent"
        public = article.get("internal") is not True
        suffix = "reply" if agent and public else ("note" if agent else "message")
        event_id = f"zammad:{number}:a{_text(article['id'])}:{suffix}"
        when = _instant(article.get("created_at"), received_at)
        events.append(
            _message(event_id, number, when, agent, public, _id(article.get("created_by_id")))
        )
    return events


def _zammad_owner(ticket: dict[str, Any]) -> str | None:
    owner = ticket.get("owner_id")
    if owner is None and isinstance(ticket.get("owner"), dict):
        owner = ticket["owner"].get("id")
    return None if _text(owner) in ("", "1") else _text(owner)


def _named(value: Any) -> str:
    """A Zammad value given as its name, or as an object with a ``name``."""
    return _text(value.get("name")) if isinstance(value, dict) else _text(value)


PRESETS: Mapping[str, Callable[[dict[str, Any], datetime], Events]] = {
    "zendesk": _zendesk,
    "freshdesk": _freshdesk,
    "jira": _jira,
    "zammad": _zammad,
}


# ---------------------------------------------------------------------- events


def _created(
    event_id: str, ticket: str, at: str, by: str, fields: dict[str, Any]
) -> dict[str, Any]:
    kept = {k: v for k, v in fields.items() if v is not None and v != {"id": None}}
    return {
        "id": event_id,
        "ticket": ticket,
        "at": at,
        "type": "ticket.created",
        "by": by,
        "fields": kept,
    }


def _updated(event_id: str | None, ticket: str, at: str, changes: dict[str, Any]) -> dict[str, Any]:
    return _with_id(
        {"ticket": ticket, "at": at, "type": "ticket.updated", "changes": changes}, event_id
    )


def _message(
    event_id: str | None, ticket: str, at: str, agent: bool, public: bool, author: str | None
) -> dict[str, Any]:
    event = {
        "ticket": ticket,
        "at": at,
        "type": "message",
        "author": "agent" if agent else "customer",
        "public": public if agent else True,
    }
    if author:
        event["author_id"] = author
    return _with_id(event, event_id)


def _deleted(event_id: str | None, ticket: str, at: str) -> dict[str, Any]:
    return _with_id({"ticket": ticket, "at": at, "type": "ticket.deleted"}, event_id)


def _with_id(event: dict[str, Any], event_id: str | None) -> dict[str, Any]:
    """``event`` with its id first; without one, the webhook route makes one of the
    body's hash (a redelivery is then a duplicate)."""
    return {"id": event_id, **event} if event_id is not None else event


# ---------------------------------------------------------------------- values


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, str | int) else ""


def _id(value: Any) -> str | None:
    return _text(value) or None


def _lower(value: Any) -> str | None:
    return _text(value).lower() or None


def _required(value: Any, path: str) -> str:
    text = _text(value)
    if not text:
        raise PresetError(f"the payload has no {path}")
    return text


def _word(
    value: Any,
    vocabulary: Mapping[str, str],
    path: str,
    *,
    lower: bool = False,
) -> str | None:
    """``value`` through ``vocabulary`` (lower-cased first with ``lower``); None when
    the payload leaves it out; an unknown value is a :class:`PresetError`."""
    text = _text(value).strip()
    if not text:
        return None
    found = vocabulary.get(text.lower() if lower else text)
    if found is None:
        known = ", ".join(sorted(vocabulary))
        raise PresetError(f"{path}: {text!r} is not one of {known}")
    return found


def _instant(value: Any, default: datetime | None) -> str:
    """An instant of the payload, as events carry it (a fraction of a second past
    microseconds is cut: Zendesk writes nanoseconds)."""
    if isinstance(value, str) and value:
        text = re.sub(r"(\.\d{6})\d+", r"\1", value)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise PresetError(f"not an ISO 8601 time: {value!r}") from None
        if parsed.tzinfo is None:
            raise PresetError(f"a time without an offset: {value!r}")
        return _stamp(parsed)
    if default is None:
        raise PresetError("the payload has no time")
    return _stamp(default)


def _epoch_millis(value: Any, default: datetime) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _stamp(datetime.fromtimestamp(value / 1000, UTC))
    return _stamp(default)


def _stamp(value: datetime) -> str:
    text = format_instant(value.astimezone(UTC).replace(microsecond=0))
    assert text is not None
    return text


def _account(user: Any) -> str:
    return _text(_obj(user).get("accountId"))


def _customer(user: Any) -> bool:
    return _obj(user).get("accountType") == "customer"
