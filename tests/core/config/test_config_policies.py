"""Policies, targets, calendar references, retarget and match conditions: each error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaclock.core.config import parse_config
from slaclock.core.model import Condition, ConditionGroup, Retarget

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any


def policy(
    targets: str = "{first_response: {within: 8h}}", extra: str = "", calendar: str = "office"
) -> str:
    return BASE + (
        f"policies:\n  - id: default\n    calendar: {calendar}\n    targets: {targets}\n{extra}"
    )


def test_minimal_policy_loads_with_defaults() -> None:
    config = parse_config(BASE + POLICY)
    (only,) = config.policies
    assert only.name == "default"
    assert only.match is None
    assert only.retarget == Retarget("retroactive", 0)
    assert only.targets["first_response"].within == 8 * 3600


def test_bad_policy_id(find: Finder) -> None:
    text = policy().replace("id: default", "id: Default Policy")
    find.expect(text, "policies[0].id", "Default Policy", "Default Policy", "[a-z0-9_-]+")


def test_duplicate_policy_id(find: Finder) -> None:
    text = BASE + POLICY + "  - {id: default, calendar: office, targets: {}}\n"
    find.expect(text, "policies[1].id", "- {id: default", "default", "duplicate policy id")


def test_unknown_policy_key(find: Finder) -> None:
    text = policy(extra="    priorty: high\n")
    find.expect(text, "policies[0].priorty", "priorty", "priorty", "unknown key 'priorty'")


def test_missing_policy_calendar(find: Finder) -> None:
    text = BASE + "policies:\n  - {id: p, targets: {}}\n"
    find.expect(text, "policies[0]", "- {id: p", None, "missing required key 'calendar'")


def test_unknown_calendar(find: Finder) -> None:
    text = policy(calendar="paris-office")
    find.expect(text, "policies[0].calendar", "paris-office", "paris-office", "unknown calendar")


def test_unknown_calendar_in_calendar_map(find: Finder) -> None:
    text = policy(calendar="{by: customer.region, map: {EU: office, US: ny}, default: 24x7}")
    find.expect(text, "policies[0].calendar.map.US", "map:", "ny", "unknown calendar")


def test_calendar_choice_needs_a_default(find: Finder) -> None:
    text = policy(calendar="{by: customer.region, map: {EU: office}}")
    find.expect(text, "policies[0].calendar", "map:", None, "missing required key 'default'")


def test_calendar_choice_loads() -> None:
    config = parse_config(
        policy(calendar="{by: customer.region, map: {EU: office}, default: 24x7}")
    )
    ref = config.policies[0].calendar
    assert (ref.id, ref.by, dict(ref.map), ref.default) == (
        None,
        "customer.region",
        {"EU": "office"},
        "24x7",
    )


def test_unknown_metric_in_targets(find: Finder) -> None:
    text = policy(targets="{first_respons: {within: 1h}}")
    find.expect(
        text,
        "policies[0].targets.first_respons",
        "first_respons",
        "first_respons",
        "unknown metric",
    )


def test_bad_duration(find: Finder) -> None:
    text = policy(targets="{first_response: {within: 8 hours}}")
    find.expect(
        text,
        "policies[0].targets.first_response.within",
        "8 hours",
        "8 hours",
        "expected a duration",
    )


def test_zero_duration_target(find: Finder) -> None:
    text = policy(targets="{first_response: {within: 0m}}")
    find.expect(text, "policies[0].targets.first_response.within", "0m", "0m", "greater than zero")


def test_unknown_priority_in_within(find: Finder) -> None:
    text = policy(targets="{resolution: {within: {urgent: 4h, critical: 2h}}}")
    find.expect(
        text,
        "policies[0].targets.resolution.within.critical",
        "critical",
        "critical",
        "expected a priority",
    )


def test_goal_for_priority_without_within(find: Finder) -> None:
    text = policy(targets="{resolution: {within: {urgent: 4h}, goal: {urgent: 2h, low: 8h}}}")
    find.expect(text, "policies[0].targets.resolution.goal", "goal:", ["low"], "without a 'within'")


def test_target_missing_within(find: Finder) -> None:
    text = policy(targets="{resolution: {goal: 4h}}")
    find.expect(
        text, "policies[0].targets.resolution", "goal: 4h", None, "missing required key 'within'"
    )


def test_target_by_priority_pause_and_calendar_load() -> None:
    text = policy(
        targets="{resolution: {within: {urgent: 4h, low: 2d}, goal: 1h, "
        "pause: {status: on_hold}, calendar: 24x7}}"
    )
    target = parse_config(text).policies[0].targets["resolution"]
    assert target.within_seconds("urgent") == 4 * 3600
    assert target.within_seconds("low") == 2 * 86400
    assert target.within_seconds("normal") is None
    assert target.goal_seconds("low") == 3600
    assert target.pause is not None and target.pause.statuses == frozenset({"on_hold"})
    assert target.calendar is not None and target.calendar.id == "24x7"


def test_empty_pause_removes_the_default_pause() -> None:
    target = (
        parse_config(policy(targets="{resolution: {within: 8h, pause: {status: []}}}"))
        .policies[0]
        .targets["resolution"]
    )
    assert target.pause is not None and target.pause.statuses == frozenset()


def test_bad_pause_status(find: Finder) -> None:
    text = policy(targets="{resolution: {within: 8h, pause: {status: [pending, waiting]}}}")
    find.expect(
        text,
        "policies[0].targets.resolution.pause.status[1]",
        "waiting",
        "waiting",
        "expected a status",
    )


def test_retarget_modes_load() -> None:
    assert parse_config(policy(extra="    retarget: restart\n")).policies[0].retarget == Retarget(
        "restart"
    )
    keep = parse_config(policy(extra="    retarget: {mode: keep_elapsed, grace: 15m}\n"))
    assert keep.policies[0].retarget == Retarget("keep_elapsed", 900)


def test_bad_retarget_mode(find: Finder) -> None:
    text = policy(extra="    retarget: sometimes\n")
    find.expect(text, "policies[0].retarget", "sometimes", "sometimes", "expected a retarget mode")


def test_grace_only_with_keep_elapsed(find: Finder) -> None:
    text = policy(extra="    retarget: {mode: restart, grace: 15m}\n")
    find.expect(text, "policies[0].retarget.grace", "grace", "15m", "only to mode keep_elapsed")


def test_bad_grace(find: Finder) -> None:
    text = policy(extra="    retarget: {mode: keep_elapsed, grace: soon}\n")
    find.expect(text, "policies[0].retarget.grace", "grace", "soon", "expected a duration")


# --------------------------------------------------------------------- match conditions


def match(body: str) -> str:
    return policy(extra=f"    match: {body}\n")


def test_match_loads_nested_groups_as_frozen_values() -> None:
    text = match(
        "{all: [{field: customer.plan, op: in, value: [enterprise, premium]}], "
        "any: [{field: priority, op: gte, value: high}, "
        "{any: [{field: tags, op: contains, value: outage}]}]}"
    )
    group = parse_config(text).policies[0].match
    assert group == ConditionGroup(
        all=(Condition("customer.plan", "in", ("enterprise", "premium")),),
        any=(
            Condition("priority", "gte", "high"),
            ConditionGroup(any=(Condition("tags", "contains", "outage"),)),
        ),
    )
    hash(group)  # frozen all the way down


def test_unknown_condition_op(find: Finder) -> None:
    text = match("{all: [{field: customer.plan, op: equals, value: x}]}")
    find.expect(text, "policies[0].match.all[0].op", "equals", "equals", "expected an operator")


def test_bad_condition_field(find: Finder) -> None:
    text = match("{all: [{field: 'customer..plan', op: eq, value: x}]}")
    find.expect(
        text,
        "policies[0].match.all[0].field",
        "customer..plan",
        "customer..plan",
        "dotted field path",
    )


def test_in_needs_a_list(find: Finder) -> None:
    text = match("{all: [{field: customer.plan, op: in, value: enterprise}]}")
    find.expect(text, "policies[0].match.all[0].value", "op: in", "enterprise", "non-empty list")


def test_bad_regular_expression(find: Finder) -> None:
    text = match("{all: [{field: subject, op: matches, value: 'down[('}]}")
    find.expect(
        text, "policies[0].match.all[0].value", "matches", "down[(", "valid regular expression"
    )


def test_python_syntax_error_keeps_python_message(find: Finder) -> None:
    text = match("{all: [{field: subject, op: matches, value: 'a)'}]}")
    problem = find.expect(
        text, "policies[0].match.all[0].value", "matches", "a)", "unbalanced parenthesis"
    )
    assert "at position 1" in problem.message


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?P<w>a)(?P=w)", "backreferences"),
        (r"down(?=time)", "lookahead"),
        (r"(?<!not )down", "lookbehind"),
        (r"a*+", "possessive quantifiers"),
        (r"(?>a|ab)c", "atomic groups"),
        (r"(a)?(?(1)b|c)", "conditional groups"),
        (r"a{2000}", "invalid repetition size"),
    ],
)
def test_pattern_re2_cannot_run_is_refused_at_its_place(
    find: Finder, pattern: str, says: str
) -> None:
    text = match(f"{{all: [{{field: subject, op: matches, value: '{pattern}'}}]}}")
    problem = find.expect(text, "policies[0].match.all[0].value", "matches", pattern, says)
    assert "expected a regular expression that runs in linear time" in problem.message
    assert "not supported" in problem.message or "RE2 cannot run it" in problem.message


def test_a_catastrophic_backtracking_pattern_is_accepted() -> None:
    text = match("{all: [{field: subject, op: matches, value: '^(a+)+$'}]}")
    group = parse_config(text).policies[0].match
    assert group == ConditionGroup(all=(Condition("subject", "matches", "^(a+)+$"),))


def test_misspelt_priority_value(find: Finder) -> None:
    text = match("{all: [{field: priority, op: gte, value: hihg}]}")
    find.expect(text, "policies[0].match.all[0].value", "hihg", "hihg", "expected a priority")


def test_misspelt_status_in_list(find: Finder) -> None:
    text = match("{all: [{field: status, op: in, value: [open, opne]}]}")
    find.expect(text, "policies[0].match.all[0].value[1]", "opne", "opne", "expected a status")


def test_null_value_is_rejected_with_a_hint(find: Finder) -> None:
    text = match("{all: [{field: assignee, op: eq, value: null}]}")
    find.expect(text, "policies[0].match.all[0].value", "assignee", None, "test it with op exists")


def test_comparison_needs_a_number_or_string(find: Finder) -> None:
    text = match("{all: [{field: customer.seats, op: gt, value: true}]}")
    find.expect(text, "policies[0].match.all[0].value", "seats", True, "number or a string")


def test_comparison_needs_a_single_value(find: Finder) -> None:
    text = match("{all: [{field: customer.seats, op: lt, value: [1]}]}")
    find.expect(text, "policies[0].match.all[0].value", "seats", [1], "expected a single value")


def test_unknown_key_in_condition(find: Finder) -> None:
    text = match("{all: [{field: customer.plan, op: eq, valeu: x}]}")
    find.expect(text, "policies[0].match.all[0].valeu", "valeu", "valeu", "unknown key 'valeu'")


def test_unknown_key_in_group(find: Finder) -> None:
    text = match("{none: []}")
    find.expect(text, "policies[0].match.none", "none", "none", "expected one of: all, any")


def test_empty_any(find: Finder) -> None:
    text = match("{any: []}")
    find.expect(text, "policies[0].match.any", "any", [], "at least one condition")


def test_conditions_must_be_a_list(find: Finder) -> None:
    text = match("{all: {field: priority, op: eq, value: high}}")
    find.expect(
        text,
        "policies[0].match.all",
        "match:",
        {"field": "priority", "op": "eq", "value": "high"},
        "expected a list",
    )


def test_exists_takes_only_a_boolean(find: Finder) -> None:
    text = match("{all: [{field: assignee, op: exists, value: yes}]}")
    find.expect(text, "policies[0].match.all[0].value", "exists", "yes", "expected true or false")


def test_bad_id_without_name_reports_only_the_id(find: Finder) -> None:
    text = BASE + "policies:\n  - {id: 42, calendar: office, targets: {}}\n"
    find.expect(text, "policies[0].id", "id: 42", 42, "[a-z0-9_-]+")


def test_name_must_be_a_string(find: Finder) -> None:
    text = BASE + "policies:\n  - {id: p, name: [x], calendar: office, targets: {}}\n"
    find.expect(text, "policies[0].name", "name: [x]", ["x"], "expected a name")
