"""Quiet hours (issue 22): people's and groups' ``calendar:``, entries' ``urgent:``; what
loads, whose calendar holds a person's messages, and each error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.core.config import parse_config
from slaclock.core.model import quiet_calendar

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
ANNA = "{id: anna, name: Anna, email: anna@example.com, locale: nl, groups: [support]}"
MARK = "{id: mark, name: Mark, email: mark@example.com}"
SUPPORT = "{id: support, name: Support, lead: mark}"
Finder = Any


def replaced(*pairs: tuple[str, str], policy: str = POLICY) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    return text + policy


def test_people_and_groups_carry_a_calendar() -> None:
    text = replaced(
        (ANNA, ANNA[:-1] + ", calendar: 24x7}"),
        (SUPPORT, SUPPORT[:-1] + ", calendar: office}"),
    )
    config = parse_config(text)
    assert config.people["anna"].calendar == "24x7"
    assert config.people["mark"].calendar is None
    assert config.groups["support"].calendar == "office"
    # her own first, else the first of her groups that has one, else none
    own = quiet_calendar(config, "anna")
    assert own is not None and own.id == "24x7"
    assert quiet_calendar(config, "mark") is None  # in no group
    assert quiet_calendar(config, "nobody") is None


def test_a_person_without_a_calendar_takes_their_first_group_that_has_one() -> None:
    groups = f"  - {SUPPORT}\n  - {{id: night, name: Night, calendar: office}}\n"
    text = replaced(
        (ANNA, ANNA.replace("groups: [support]", "groups: [support, night]")),
        (f"  - {SUPPORT}\n", groups),
    )
    config = parse_config(text)
    found = quiet_calendar(config, "anna")
    assert found is not None and found.id == "office"  # support has none, night has


def test_a_person_with_an_unknown_calendar(find: Finder) -> None:
    text = replaced((ANNA, ANNA[:-1] + ", calendar: nights}"))
    find.expect(text, "people[0].calendar", "nights", "nights", "unknown calendar")


def test_a_person_with_a_calendar_that_is_not_an_id(find: Finder) -> None:
    text = replaced((MARK, MARK[:-1] + ", calendar: [office]}"))
    problem = find.expect(text, "people[1].calendar", "[office]", ["office"], "unknown calendar")
    assert "declared under calendars:" in problem.message


def test_a_group_with_an_unknown_calendar(find: Finder) -> None:
    text = replaced((SUPPORT, SUPPORT[:-1] + ", calendar: office-nl}"))
    find.expect(text, "groups[0].calendar", "office-nl", "office-nl", "unknown calendar")


def with_entries(reminders: str, escalations: str) -> str:
    return (
        BASE + POLICY + f"    reminders:\n      - {reminders}\n"
        f"    escalations:\n      - {escalations}\n"
    )


def test_urgent_entries_load() -> None:
    text = with_entries(
        "{before: 15m, notify: [assignee], urgent: true}",
        "{after: 0m, notify: [group_lead]}",
    )
    policy = parse_config(text).policies[0]
    assert policy.reminders[0].urgent is True
    assert policy.escalations[0].urgent is False  # the default: held in quiet hours


def test_urgent_must_be_a_boolean(find: Finder) -> None:
    text = with_entries(
        "{before: 15m, notify: [assignee]}",
        "{after: 0m, notify: [group_lead], urgent: 'yes'}",
    )
    find.expect(text, "policies[0].escalations[0].urgent", "'yes'", "yes", "expected true or false")
