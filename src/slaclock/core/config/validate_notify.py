"""Reminders, escalations, their recipients and actions (policies.md, "Reminders and
escalations"); shared by policies and OLAs.

Recipients are strings: ``assignee``, ``group_lead``, ``customer``, or ``kind:<ref>`` with
kind ``group``, ``person``, ``role``, ``webhook`` (checked against the declared ids) or
``email`` (checked for the shape of an address).
"""

from __future__ import annotations

import re
from typing import Any

from slaclock.core.config.checks import (
    check_bool,
    check_choice,
    check_duration,
    check_keys,
    check_list,
    check_mapping,
    check_number,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_conditions import parse_condition_group
from slaclock.core.model import PRIORITIES, Action, ClockKind, ConditionGroup, Escalation, Reminder

__all__ = ["parse_escalations", "parse_recipient", "parse_reminders"]

_PLAIN_RECIPIENTS = ("assignee", "group_lead", "customer")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_RECIPIENT_HELP = (
    "expected a recipient: assignee, group_lead, customer, group:<id>, person:<id>, "
    "role:<name>, email:<address> or webhook:<id>"
)


def parse_recipient(p: Problems, path: KeyPath, value: Any, known: Known) -> str | None:
    if not isinstance(value, str):
        p.add(path, _RECIPIENT_HELP, value)
        return None
    if value in _PLAIN_RECIPIENTS:
        return value
    kind, sep, ref = value.partition(":")
    declared = {
        "group": (known.groups, "groups:"),
        "person": (known.people, "people:"),
        "role": (known.roles, "roles:"),
        "webhook": (known.webhooks, "webhooks:"),
    }
    if sep and kind in declared:
        ids, section = declared[kind]
        if ref in ids:
            return value
        p.add(path, f"unknown {kind} {ref!r}: expected an id declared under {section}", value)
        return None
    if sep and kind == "email":
        if _EMAIL.match(ref):
            return value
        p.add(path, "expected an email address after 'email:'", value)
        return None
    p.add(path, _RECIPIENT_HELP, value)
    return None


def _parse_recipients(
    p: Problems, path: KeyPath, value: Any, known: Known, required: bool
) -> tuple[str, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    if required and not entries:
        p.add(path, "expected at least one recipient", value)
        return None
    parsed = [parse_recipient(p, (*path, i), item, known) for i, item in enumerate(entries)]
    return None if None in parsed else tuple(r for r in parsed if r is not None)


def _parse_common(
    p: Problems, path: KeyPath, mapping: Any, known: Known
) -> tuple[ClockKind, tuple[str, ...] | None, ConditionGroup | None, bool] | None:
    """The keys reminders and escalations share: clock, metrics, when, urgent."""
    clock = check_choice(
        p, (*path, "clock"), mapping.get("clock", "business"), ("business", "real")
    )
    metrics: tuple[str, ...] | None = None
    ok = clock is not None
    if "metrics" in mapping:
        entries = check_list(p, (*path, "metrics"), mapping["metrics"])
        ok = ok and entries is not None
        for i, name in enumerate(entries or []):
            if not (isinstance(name, str) and name in known.metrics):
                p.add(
                    (*path, "metrics", i), "expected a built-in metric or one under metrics:", name
                )
                ok = False
        metrics = tuple(entries or ())
    when = None
    if "when" in mapping:
        when = parse_condition_group(p, (*path, "when"), mapping["when"])
        ok = ok and when is not None
    urgent = check_bool(p, (*path, "urgent"), mapping.get("urgent", False))
    if not ok or urgent is None:
        return None
    return ("real" if clock == "real" else "business"), metrics, when, urgent


def parse_reminders(
    p: Problems, path: KeyPath, value: Any, known: Known
) -> tuple[Reminder, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    parsed = [_parse_reminder(p, (*path, i), e, known) for i, e in enumerate(entries)]
    return None if None in parsed else tuple(r for r in parsed if r is not None)


def _parse_reminder(p: Problems, path: KeyPath, value: Any, known: Known) -> Reminder | None:
    mapping = check_mapping(p, path, value)
    optional = ("before", "at_percent", "clock", "metrics", "when", "urgent")
    if mapping is None or not check_keys(p, path, mapping, ("notify",), optional):
        return None
    if ("before" in mapping) == ("at_percent" in mapping):
        p.add(path, "expected exactly one of 'before' (a duration) or 'at_percent' (1-100)")
        return None
    before = at_percent = None
    if "before" in mapping:
        before = check_duration(p, (*path, "before"), mapping["before"])
    else:
        at_percent = check_number(p, (*path, "at_percent"), mapping["at_percent"])
        if at_percent is not None and not 0 < at_percent <= 100:
            p.add(
                (*path, "at_percent"),
                "expected a percentage above 0 and at most 100",
                mapping["at_percent"],
            )
            at_percent = None
    notify = _parse_recipients(p, (*path, "notify"), mapping["notify"], known, required=True)
    common = _parse_common(p, path, mapping, known)
    if notify is None or common is None or (before is None and at_percent is None):
        return None
    clock, metrics, when, urgent = common
    return Reminder(notify, before, at_percent, clock, metrics, when, urgent)


def parse_escalations(
    p: Problems, path: KeyPath, value: Any, known: Known
) -> tuple[Escalation, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    parsed = [_parse_escalation(p, (*path, i), e, known) for i, e in enumerate(entries)]
    return None if None in parsed else tuple(e for e in parsed if e is not None)


def _parse_escalation(p: Problems, path: KeyPath, value: Any, known: Known) -> Escalation | None:
    mapping = check_mapping(p, path, value)
    optional = (
        "notify", "actions", "clock", "metrics", "when", "urgent", "unless_acknowledged",
        "ack_expires",
    )  # fmt: skip
    if mapping is None or not check_keys(p, path, mapping, ("after",), optional):
        return None
    after = check_duration(p, (*path, "after"), mapping["after"])
    unless = check_bool(
        p, (*path, "unless_acknowledged"), mapping.get("unless_acknowledged", False)
    )
    expires = None
    if "ack_expires" in mapping:
        expires = check_duration(p, (*path, "ack_expires"), mapping["ack_expires"])
        if expires is None:
            return None
    notify = _parse_recipients(
        p, (*path, "notify"), mapping.get("notify", []), known, required=False
    )
    actions = _parse_actions(p, (*path, "actions"), mapping.get("actions", []), known)
    common = _parse_common(p, path, mapping, known)
    if after is None or notify is None or actions is None or common is None:
        return None
    if not notify and not actions:
        p.add(path, "expected 'notify' or 'actions': an escalation must do something")
        return None
    if unless is None:
        return None
    if expires is not None and not unless:
        p.add((*path, "ack_expires"), "needs unless_acknowledged: true", mapping["ack_expires"])
        return None
    clock, metrics, when, urgent = common
    return Escalation(after, notify, actions, clock, metrics, when, urgent, unless, expires)


def _parse_actions(
    p: Problems, path: KeyPath, value: Any, known: Known
) -> tuple[Action, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    parsed = [_parse_action(p, (*path, i), e, known) for i, e in enumerate(entries)]
    return None if None in parsed else tuple(a for a in parsed if a is not None)


_ACTION_HELP = (
    "expected one action: {set: {...}}, {add_tags: [...]}, {reassign: group_lead} "
    "or {webhook: <id>}"
)


def _parse_action(p: Problems, path: KeyPath, value: Any, known: Known) -> Action | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    if len(mapping) != 1:
        p.add(path, _ACTION_HELP, dict(mapping))
        return None
    kind, arg = next(iter(mapping.items()))
    where = (*path, kind)
    if kind == "set":
        fields = _parse_set(p, where, arg, known)
        return None if fields is None else Action("set", fields)
    if kind == "add_tags":
        tags = _parse_tags(p, where, arg)
        return None if tags is None else Action("add_tags", tags)
    if kind == "reassign":
        target = check_choice(p, where, arg, ("group_lead",), "a reassignment target:")
        return None if target is None else Action("reassign", target)
    if kind == "webhook":
        if isinstance(arg, str) and arg in known.webhooks:
            return Action("webhook", arg)
        p.add(where, "expected the id of a webhook declared under webhooks:", arg)
        return None
    p.add(where, f"unknown action {kind!r}; {_ACTION_HELP}", kind)
    return None


def _parse_set(p: Problems, path: KeyPath, value: Any, known: Known) -> dict[str, Any] | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(
        p, path, mapping, optional=("priority", "group", "assignee", "tags")
    ):
        return None
    if not mapping:
        p.add(path, "expected at least one of priority, group, assignee, tags", {})
        return None
    ok = True
    if "priority" in mapping:
        ok = (
            check_choice(p, (*path, "priority"), mapping["priority"], PRIORITIES, "a priority:")
            is not None
        )
    if "group" in mapping and not _declared(known.groups, mapping["group"]):
        p.add(
            (*path, "group"), "expected the id of a group declared under groups:", mapping["group"]
        )
        ok = False
    assignee = mapping.get("assignee")
    if assignee is not None and not _declared(known.people, assignee):
        p.add(
            (*path, "assignee"),
            "expected the id of a person declared under people: (or null)",
            assignee,
        )
        ok = False
    fields = dict(mapping)
    if "tags" in mapping:
        tags = _parse_tags(p, (*path, "tags"), mapping["tags"])
        ok = ok and tags is not None
        fields["tags"] = tags
    return fields if ok else None


def _parse_tags(p: Problems, path: KeyPath, value: Any) -> tuple[str, ...] | None:
    tags = [value] if isinstance(value, str) else value
    if isinstance(tags, list | tuple) and tags and all(isinstance(t, str) and t for t in tags):
        return tuple(tags)
    p.add(path, "expected a tag or a non-empty list of tags (strings)", value)
    return None


def _declared(ids: frozenset[str], value: Any) -> bool:
    return isinstance(value, str) and value in ids
