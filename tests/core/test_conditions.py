"""Conditions: every operator, the missing-field rules, nesting, words and a reference."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.conditions import describe, evaluate, explain_failure, get_path
from slaclock.core.model import Condition, ConditionGroup

TICKET: dict[str, Any] = {
    "id": "T-1",
    "status": "open",
    "priority": "high",
    "type": "incident",
    "assignee": None,
    "tags": ["outage", "vip"],
    "subject": "Login page down for everyone",
    "customer": {"plan": "enterprise", "region": "EU", "contract": True, "seats": 250},
    "custom": {"score": 7.5, "since": "2026-03-02"},
}


def holds(field: str, op: str, value: Any = None) -> bool:
    return evaluate(Condition(field, op, value), TICKET)


def test_get_path_follows_dots_and_tells_missing_from_null() -> None:
    assert get_path(TICKET, "customer.plan") == (True, "enterprise")
    assert get_path(TICKET, "assignee") == (True, None)
    assert get_path(TICKET, "customer.nothing") == (False, None)
    assert get_path(TICKET, "subject.length") == (False, None)  # into a string
    assert get_path(TICKET, "nothing.at.all") == (False, None)


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("customer.plan", "eq", "enterprise", True),
        ("customer.plan", "eq", "free", False),
        ("customer.contract", "eq", True, True),
        ("customer.contract", "eq", 1, False),  # a boolean equals only a boolean
        ("customer.seats", "eq", 250.0, True),
        ("customer.seats", "eq", "250", False),
        ("tags", "eq", ["outage", "vip"], True),
        ("customer.plan", "ne", "free", True),
        ("customer.plan", "ne", "enterprise", False),
        ("customer.region", "in", ("EU", "US"), True),
        ("customer.region", "in", ("US",), False),
        ("tags", "in", ("vip", "x"), True),  # a list field: any element
        ("tags", "in", ("x",), False),
        ("customer.region", "not_in", ("US",), True),
        ("customer.region", "not_in", ("EU",), False),
        ("tags", "contains", "outage", True),
        ("tags", "contains", "out", False),  # membership, not substring, on lists
        ("subject", "contains", "page down", True),
        ("subject", "contains", "Page Down", False),
        ("customer.seats", "contains", 2, False),  # numbers contain nothing
        ("tags", "not_contains", "billing", True),
        ("tags", "not_contains", "vip", False),
        ("subject", "matches", r"^Login\b", True),
        ("subject", "matches", r"down$", False),
        ("subject", "matches", r"down", True),  # re.search: anywhere
        ("tags", "matches", r"^out", True),
        ("customer.seats", "matches", r"2", False),
        ("customer.plan", "exists", None, True),
        ("customer.plan", "exists", False, False),
        ("customer.seats", "gt", 100, True),
        ("customer.seats", "gt", 250, False),
        ("customer.seats", "gte", 250, True),
        ("customer.seats", "lt", 250.5, True),
        ("customer.seats", "lte", 249, False),
        ("custom.score", "gte", 7.5, True),
        ("custom.since", "lt", "2026-04-01", True),  # ISO dates compare as strings
        ("custom.since", "gt", "2026-04-01", False),
        ("priority", "gt", "normal", True),  # by rank, not alphabetically
        ("priority", "gte", "high", True),
        ("priority", "lt", "urgent", True),
        ("priority", "lte", "low", False),
        ("customer.plan", "gt", "basic", True),  # other strings: alphabetical
    ],
)
def test_operator(field: str, op: str, value: Any, expected: bool) -> None:
    assert holds(field, op, value) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "x", False),
        ("ne", "x", True),
        ("in", ("x",), False),
        ("not_in", ("x",), True),
        ("contains", "x", False),
        ("not_contains", "x", True),
        ("matches", ".*", False),
        ("exists", None, False),
        ("exists", False, True),
        ("gt", 0, False),
        ("gte", 0, False),
        ("lt", 0, False),
        ("lte", 0, False),
    ],
)
@pytest.mark.parametrize("field", ["customer.missing", "assignee", "subject.deeper"])
def test_missing_or_null_field(field: str, op: str, value: Any, expected: bool) -> None:
    assert holds(field, op, value) is expected


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("customer.seats", "gt", "100"),
        ("customer.plan", "lt", 5),
        ("customer.contract", "gt", 0),
        ("tags", "gte", "a"),
        ("customer", "lt", "x"),
        ("priority", "gt", 2),
    ],
)
def test_incomparable_types_are_false_not_errors(field: str, op: str, value: Any) -> None:
    assert holds(field, op, value) is False


def test_priority_compares_alphabetically_only_off_the_priority_field() -> None:
    ticket = {"custom": {"level": "high"}, "priority": "high"}
    assert evaluate(Condition("custom.level", "gt", "normal"), ticket) is False  # "h" < "n"
    assert evaluate(Condition("priority", "gt", "normal"), ticket) is True


def test_group_all_and_any() -> None:
    plan = Condition("customer.plan", "eq", "enterprise")
    urgent = Condition("priority", "eq", "urgent")
    outage = Condition("tags", "contains", "outage")
    assert evaluate(ConditionGroup(), TICKET)
    assert evaluate(ConditionGroup(all=(plan,)), TICKET)
    assert evaluate(ConditionGroup(all=(plan,), any=(urgent, outage)), TICKET)
    assert not evaluate(ConditionGroup(all=(plan,), any=(urgent,)), TICKET)
    assert not evaluate(ConditionGroup(all=(plan, urgent)), TICKET)
    assert not evaluate(ConditionGroup(any=()), TICKET)


def test_nested_groups() -> None:
    inner = ConditionGroup(
        any=(Condition("priority", "eq", "urgent"), Condition("tags", "contains", "vip"))
    )
    outer = ConditionGroup(all=(Condition("customer.region", "eq", "EU"), inner))
    assert evaluate(outer, TICKET)
    deeper = ConditionGroup(any=(ConditionGroup(all=(outer, Condition("status", "eq", "solved"))),))
    assert not evaluate(deeper, TICKET)


def test_explain_failure_names_the_rejecting_condition() -> None:
    group = ConditionGroup(all=(Condition("customer.plan", "eq", "enterprise"),))
    assert explain_failure(group, TICKET) is None
    free = {**TICKET, "customer": {"plan": "free"}}
    assert explain_failure(group, free) == "customer.plan is 'free', not eq 'enterprise'"
    assert explain_failure(group, {}) == "customer.plan is missing, not eq 'enterprise'"


def test_explain_failure_of_any_names_every_alternative() -> None:
    group = ConditionGroup(
        any=(Condition("priority", "eq", "urgent"), Condition("type", "eq", "problem"))
    )
    reason = explain_failure(group, TICKET)
    assert reason is not None
    assert "priority is 'high', not eq 'urgent'" in reason
    assert "type is 'incident', not eq 'problem'" in reason


def test_explain_failure_of_exists() -> None:
    assert (
        explain_failure(Condition("assignee", "exists"), TICKET) == "assignee is missing, not set"
    )
    expected = "customer.plan is 'enterprise', not missing"
    assert explain_failure(Condition("customer.plan", "exists", False), TICKET) == expected


def test_describe_in_words() -> None:
    group = ConditionGroup(
        all=(Condition("customer.plan", "in", ("enterprise", "premium")),),
        any=(Condition("priority", "gte", "high"), Condition("tags", "contains", "outage")),
    )
    assert describe(group) == (
        "customer.plan is one of ['enterprise', 'premium'] and "
        "(priority is at least 'high' or tags contains 'outage')"
    )
    assert describe(ConditionGroup()) == "always"
    either = ConditionGroup(any=(Condition("type", "eq", "incident"), Condition("x", "eq", True)))
    assert describe(either) == "type is 'incident' or x is true"
    nested = ConditionGroup(all=(Condition("a", "eq", 1), either))
    assert describe(nested) == "a is 1 and (type is 'incident' or x is true)"
    assert describe(Condition("subject", "matches", "^x")) == "subject matches /^x/"
    assert describe(Condition("assignee", "exists")) == "assignee is set"
    assert describe(Condition("priority", "lt", "high")) == "priority is lower than 'high'"


# ------------------------------------------------------------ property: a reference


def reference(op: str, present: bool, actual: int | None, value: Any) -> bool:
    """The spec's rules written out longhand for integer fields."""
    if op == "exists":
        return present
    if not present:
        return op in ("ne", "not_in", "not_contains")
    assert actual is not None
    table = {
        "eq": lambda: actual == value,
        "ne": lambda: actual != value,
        "in": lambda: actual in value,
        "not_in": lambda: actual not in value,
        "gt": lambda: actual > value,
        "gte": lambda: actual >= value,
        "lt": lambda: actual < value,
        "lte": lambda: actual <= value,
    }
    return bool(table[op]())


INT_OPS = ["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists"]


@st.composite
def leaves(draw: st.DrawFn) -> tuple[Condition, Any]:
    op = draw(st.sampled_from(INT_OPS))
    field = draw(st.sampled_from(["a", "b", "c.d"]))
    if op in ("in", "not_in"):
        value: Any = tuple(draw(st.lists(st.integers(-3, 3), min_size=1, max_size=4)))
    elif op == "exists":
        value = None
    else:
        value = draw(st.integers(-3, 3))
    return Condition(field, op, value), (field, op, value)


def groups(depth: int = 2) -> st.SearchStrategy[ConditionGroup]:
    node = leaves().map(lambda pair: pair[0])
    if depth > 0:
        node = st.one_of(node, st.deferred(lambda: groups(depth - 1)))
    return st.builds(
        ConditionGroup,
        all=st.lists(node, max_size=3).map(tuple),
        any=st.none() | st.lists(node, min_size=1, max_size=3).map(tuple),
    )


def reference_group(node: Condition | ConditionGroup, ticket: dict[str, Any]) -> bool:
    if isinstance(node, Condition):
        present, actual = True, ticket
        for step in node.field.split("."):
            if not isinstance(actual, dict) or step not in actual:
                present, actual = False, None
                break
            actual = actual[step]
        return reference(node.op, present, actual, node.value)
    all_hold = all(reference_group(child, ticket) for child in node.all)
    return all_hold and (node.any is None or any(reference_group(c, ticket) for c in node.any))


tickets = st.fixed_dictionaries(
    {},
    optional={
        "a": st.integers(-3, 3),
        "b": st.integers(-3, 3),
        "c": st.fixed_dictionaries({}, optional={"d": st.integers(-3, 3)}),
    },
)


@settings(max_examples=300, deadline=None)
@given(groups(), tickets)
def test_evaluate_agrees_with_a_reference(group: ConditionGroup, ticket: dict[str, Any]) -> None:
    assert evaluate(group, ticket) is reference_group(group, ticket)
    assert (explain_failure(group, ticket) is None) is evaluate(group, ticket)


# ------------------------------------------------- property: strings and list fields

WORDS = st.sampled_from(["a", "b", "ab", "ba", ""])


def reference_text(op: str, ticket: dict[str, Any], field: str, value: Any) -> bool:
    """Longhand rules for a string field ``s`` and a list field ``tags``."""
    if field not in ticket:
        return op in ("ne", "not_in", "not_contains")
    actual = ticket[field]
    positive = {"ne": "eq", "not_in": "in", "not_contains": "contains"}
    if op in positive:
        return not reference_text(positive[op], ticket, field, value)
    if op == "eq":
        return bool(actual == value)
    if op == "in":
        return any(x in value for x in actual) if isinstance(actual, list) else actual in value
    if op == "contains":
        return value in actual  # list: membership; str: substring
    assert op == "matches"
    texts = actual if isinstance(actual, list) else [actual]
    return any(value in text for text in texts)  # a literal pattern: search == substring


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["eq", "ne", "in", "not_in", "contains", "not_contains", "matches"]),
    st.sampled_from(["s", "tags"]),
    st.fixed_dictionaries({}, optional={"s": WORDS, "tags": st.lists(WORDS, max_size=3)}),
    WORDS,
    st.lists(WORDS, min_size=1, max_size=3),
)
def test_string_and_list_operators_agree_with_a_reference(
    op: str, field: str, ticket: dict[str, Any], word: str, words: list[str]
) -> None:
    value: Any = tuple(words) if op in ("in", "not_in") else word
    if op == "eq" and field == "tags":
        value = tuple(words)  # a list field equals a list, element by element
        expected = field in ticket and ticket[field] == words
    else:
        expected = reference_text(op, ticket, field, value)
    assert evaluate(Condition(field, op, value), ticket) is expected
