"""Reminders, escalations, recipients and actions: what loads and each error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaclock.core.config import parse_config
from slaclock.core.model import Action, Escalation, Reminder

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any


def with_entries(reminders: str = "", escalations: str = "") -> str:
    text = BASE + POLICY
    if reminders:
        text += "    reminders:\n" + "".join(f"      - {r}\n" for r in reminders.split("\n"))
    if escalations:
        text += "    escalations:\n" + "".join(f"      - {e}\n" for e in escalations.split("\n"))
    return text


def test_reminders_and_escalations_load() -> None:
    text = with_entries(
        "{before: 15m, notify: [assignee]}\n"
        "{at_percent: 75, notify: [group_lead, 'email:boss@example.com'], "
        "metrics: [first_response], clock: real}",
        "{after: 0m, notify: [group_lead, 'role:manager', 'webhook:ops'], "
        "actions: [{set: {priority: urgent, tags: [late]}}]}\n"
        "{after: 2h, actions: [{add_tags: escalated}, {reassign: group_lead}, {webhook: ops}], "
        "when: {all: [{field: customer.contract, op: eq, value: true}]}}",
    )
    policy = parse_config(text).policies[0]
    assert policy.reminders == (
        Reminder(("assignee",), before_seconds=900),
        Reminder(
            ("group_lead", "email:boss@example.com"),
            at_percent=75.0,
            clock="real",
            metrics=("first_response",),
        ),
    )
    first, second = policy.escalations
    assert first == Escalation(
        0,
        ("group_lead", "role:manager", "webhook:ops"),
        (Action("set", {"priority": "urgent", "tags": ("late",)}),),
    )
    assert second.actions == (
        Action("add_tags", ("escalated",)),
        Action("reassign", "group_lead"),
        Action("webhook", "ops"),
    )
    assert second.when is not None


@pytest.mark.parametrize(
    "recipient",
    [
        "assignee",
        "group_lead",
        "customer",
        "group:support",
        "person:anna",
        "role:manager",
        "email:a@b.co",
        "webhook:ops",
    ],
)
def test_every_recipient_form_loads(recipient: str) -> None:
    text = with_entries(f"{{before: 5m, notify: ['{recipient}']}}")
    assert parse_config(text).policies[0].reminders[0].notify == (recipient,)


def test_reminder_with_both_before_and_at_percent(find: Finder) -> None:
    text = with_entries("{before: 5m, at_percent: 50, notify: [assignee]}")
    find.expect(text, "policies[0].reminders[0]", "before: 5m", None, "exactly one of 'before'")


def test_reminder_with_neither(find: Finder) -> None:
    text = with_entries("{notify: [assignee]}")
    find.expect(
        text, "policies[0].reminders[0]", "{notify: [assignee]}", None, "exactly one of 'before'"
    )


def test_reminder_percent_out_of_range(find: Finder) -> None:
    text = with_entries("{at_percent: 150, notify: [assignee]}")
    find.expect(text, "policies[0].reminders[0].at_percent", "150", 150, "above 0 and at most 100")


def test_reminder_bad_before(find: Finder) -> None:
    text = with_entries("{before: soon, notify: [assignee]}")
    find.expect(text, "policies[0].reminders[0].before", "soon", "soon", "expected a duration")


def test_reminder_needs_recipients(find: Finder) -> None:
    text = with_entries("{before: 5m, notify: []}")
    find.expect(text, "policies[0].reminders[0].notify", "notify: []", [], "at least one recipient")


def test_reminder_bad_clock(find: Finder) -> None:
    text = with_entries("{before: 5m, notify: [assignee], clock: wall}")
    find.expect(
        text, "policies[0].reminders[0].clock", "wall", "wall", "expected one of business, real"
    )


def test_reminder_unknown_metric(find: Finder) -> None:
    text = with_entries("{before: 5m, notify: [assignee], metrics: [resolutoin]}")
    find.expect(
        text, "policies[0].reminders[0].metrics[0]", "resolutoin", "resolutoin", "built-in metric"
    )


def test_recipient_bad_form(find: Finder) -> None:
    text = with_entries("{before: 5m, notify: [boss]}")
    find.expect(text, "policies[0].reminders[0].notify[0]", "boss", "boss", "expected a recipient")


@pytest.mark.parametrize(
    ("recipient", "says"),
    [
        ("role:legal", "unknown role 'legal'"),
        ("person:zoe", "unknown person 'zoe'"),
        ("group:billing", "unknown group 'billing'"),
        ("webhook:slack", "unknown webhook 'slack'"),
        ("email:not-an-address", "expected an email address"),
    ],
)
def test_recipient_unknown_reference(find: Finder, recipient: str, says: str) -> None:
    text = with_entries(f"{{before: 5m, notify: ['{recipient}']}}")
    find.expect(text, "policies[0].reminders[0].notify[0]", recipient, recipient, says)


def test_escalation_missing_after(find: Finder) -> None:
    text = with_entries(escalations="{notify: [group_lead]}")
    find.expect(
        text,
        "policies[0].escalations[0]",
        "{notify: [group_lead]}",
        None,
        "missing required key 'after'",
    )


def test_escalation_that_does_nothing(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h}")
    find.expect(text, "policies[0].escalations[0]", "{after: 1h}", None, "must do something")


def test_unknown_action(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{close: true}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].close",
        "close",
        "close",
        "unknown action 'close'",
    )


def test_action_with_two_keys(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{reassign: group_lead, webhook: ops}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0]",
        "reassign",
        {"reassign": "group_lead", "webhook": "ops"},
        "expected one action",
    )


def test_set_unknown_field(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{set: {status: solved}}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].set.status",
        "status",
        "status",
        "unknown key 'status'",
    )


def test_set_bad_priority(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{set: {priority: asap}}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].set.priority",
        "asap",
        "asap",
        "expected a priority",
    )


def test_set_unknown_group(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{set: {group: billing}}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].set.group",
        "billing",
        "billing",
        "declared under groups:",
    )


def test_set_unknown_assignee(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{set: {assignee: zoe}}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].set.assignee",
        "zoe",
        "zoe",
        "declared under people:",
    )


def test_reassign_to_something_else(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{reassign: boss}]}")
    find.expect(
        text, "policies[0].escalations[0].actions[0].reassign", "boss", "boss", "group_lead"
    )


def test_action_webhook_unknown(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{webhook: pager}]}")
    find.expect(
        text,
        "policies[0].escalations[0].actions[0].webhook",
        "pager",
        "pager",
        "declared under webhooks:",
    )


def test_add_tags_must_be_strings(find: Finder) -> None:
    text = with_entries(escalations="{after: 1h, actions: [{add_tags: [1, 2]}]}")
    find.expect(
        text, "policies[0].escalations[0].actions[0].add_tags", "add_tags", [1, 2], "list of tags"
    )
