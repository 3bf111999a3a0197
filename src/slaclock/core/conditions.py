"""Conditions on ticket fields: evaluate them, explain why one failed, say them in words.

The rules (policies.md, "Conditions"), plus the choices this project made where the
spec is silent (docs/configuration.md repeats them for users):

- A field is a dotted path into the ticket (``customer.plan``). A field that is absent,
  or whose value is ``null``, is *missing*. A condition on a missing field is false,
  except ``ne``, ``not_in``, ``not_contains`` (true) and ``exists`` (false).
- Values compare strictly by type: a boolean equals only a boolean, a number only a
  number (``1 == 1.0``), a string only a string. Comparing values of types that do not
  compare (``gt`` between a string and a number) is false, never an exception; the
  negated operators (``ne``, ``not_in``, ``not_contains``) are the exact negation of
  their positive twin.
- ``in``/``not_in``: the value is a list; a list field (``tags``) is "in" when any of
  its elements is. ``contains``: on a list, membership; on a string, a substring.
  ``matches``: ``re.search`` on a string, or on any string element of a list, run in
  linear time on RE2 (:mod:`slaclock.core.linear_regex`; the loader refuses patterns
  RE2 cannot run).
- ``gt``/``gte``/``lt``/``lte``: numbers with numbers, strings with strings (so ISO
  dates compare in time order), and for the field ``priority`` by rank
  ``low < normal < high < urgent``.
- ``exists`` takes an optional boolean value; ``{op: exists, value: false}`` holds when
  the field is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slaclock.core.linear_regex import UnsupportedPattern, compile_search
from slaclock.core.model import PRIORITIES, Condition, ConditionGroup

__all__ = ["describe", "evaluate", "explain_failure", "get_path", "priority_rank"]

Node = Condition | ConditionGroup

_MISSING_RESULT: Mapping[str, bool] = {"ne": True, "not_in": True, "not_contains": True}
_NEGATIONS: Mapping[str, str] = {"ne": "eq", "not_in": "in", "not_contains": "contains"}


def get_path(ticket: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """Follow a dotted path into nested mappings: ``(found, value)``.

    ``found`` is False when a step is absent or is taken into something that is not a
    mapping; an explicit ``null`` is found with value None (conditions treat it as
    missing, but callers such as the explainer can tell the two apart).
    """
    current: Any = ticket
    for step in path.split("."):
        # ``type() is dict`` first: an isinstance test against the Mapping ABC is slow.
        if (type(current) is not dict and not isinstance(current, Mapping)) or (
            step not in current
        ):
            return False, None
        current = current[step]
    return True, current


def priority_rank(name: object) -> int | None:
    """The rank of a priority name (low=0 … urgent=3), None for anything else."""
    return PRIORITIES.index(name) if isinstance(name, str) and name in PRIORITIES else None


def evaluate(node: Node, ticket: Mapping[str, Any]) -> bool:
    """Whether a condition or a condition group holds for ``ticket``."""
    if isinstance(node, Condition):
        return _evaluate_leaf(node, ticket)
    if not all(evaluate(child, ticket) for child in node.all):
        return False
    return node.any is None or any(evaluate(child, ticket) for child in node.any)


def explain_failure(node: Node, ticket: Mapping[str, Any]) -> str | None:
    """None when ``node`` holds; otherwise words naming the condition that rejected.

    For ``all`` the first failing entry is named; for ``any`` every entry (none held).
    """
    if isinstance(node, Condition):
        return None if _evaluate_leaf(node, ticket) else _leaf_failure(node, ticket)
    for child in node.all:
        reason = explain_failure(child, ticket)
        if reason is not None:
            return reason
    if node.any is None or any(evaluate(child, ticket) for child in node.any):
        return None
    reasons = [explain_failure(child, ticket) or "" for child in node.any]
    if len(reasons) == 1:
        return reasons[0]
    return "none of the 'any' conditions held: " + "; ".join(reasons)


def describe(node: Node) -> str:
    """The condition in words: ``customer.plan is 'enterprise' and (tags contains …)``."""
    if isinstance(node, Condition):
        return _describe_leaf(node)
    parts = [_describe_nested(child) for child in node.all]
    if node.any is not None:
        alternatives = " or ".join(_describe_nested(child) for child in node.any)
        if len(node.any) > 1 and parts:
            alternatives = f"({alternatives})"
        parts.append(alternatives)
    return " and ".join(parts) if parts else "always"


# ------------------------------------------------------------------------- evaluation


def _evaluate_leaf(cond: Condition, ticket: Mapping[str, Any]) -> bool:
    found, actual = get_path(ticket, cond.field)
    if cond.op == "exists":
        present = found and actual is not None
        return present if cond.value is None or cond.value is True else not present
    if not found or actual is None:
        return _MISSING_RESULT.get(cond.op, False)
    positive = _NEGATIONS.get(cond.op)
    if positive is not None:
        return not _OPS[positive](actual, cond.value, cond.field)
    return _OPS[cond.op](actual, cond.value, cond.field)


def _same(a: Any, b: Any) -> bool:
    """Equality that never lets ``True == 1`` or ``"1" == 1`` through."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if _is_list(a) and _is_list(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _op_eq(actual: Any, value: Any, _field: str) -> bool:
    return _same(actual, value)


def _op_in(actual: Any, value: Any, _field: str) -> bool:
    if not _is_list(value):
        return False
    if _is_list(actual):
        return any(_member(item, value) for item in actual)
    return _member(actual, value)


def _member(item: Any, values: Sequence[Any]) -> bool:
    return any(_same(item, candidate) for candidate in values)


def _op_contains(actual: Any, value: Any, _field: str) -> bool:
    if isinstance(actual, str):
        return isinstance(value, str) and value in actual
    if _is_list(actual):
        return _member(value, actual)
    return False


def _op_matches(actual: Any, value: Any, _field: str) -> bool:
    if not isinstance(value, str):
        return False
    try:
        found = compile_search(value)  # cached; the loader has checked the pattern
    except (re.error, UnsupportedPattern):
        return False
    if isinstance(actual, str):
        return found(actual)
    if _is_list(actual):
        return any(isinstance(item, str) and found(item) for item in actual)
    return False


def _ordered(actual: Any, value: Any, field: str) -> tuple[Any, Any] | None:
    """The two sides as mutually comparable values, or None when they do not compare."""
    if field == "priority":
        a_rank, v_rank = priority_rank(actual), priority_rank(value)
        if a_rank is not None and v_rank is not None:
            return a_rank, v_rank
    if _is_number(actual) and _is_number(value):
        return actual, value
    if isinstance(actual, str) and isinstance(value, str):
        return actual, value
    return None


def _comparison(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any, str], bool]:
    def compare(actual: Any, value: Any, field: str) -> bool:
        pair = _ordered(actual, value, field)
        return pair is not None and test(*pair)

    return compare


_OPS: Mapping[str, Callable[[Any, Any, str], bool]] = {
    "eq": _op_eq,
    "in": _op_in,
    "contains": _op_contains,
    "matches": _op_matches,
    "gt": _comparison(lambda a, b: bool(a > b)),
    "gte": _comparison(lambda a, b: bool(a >= b)),
    "lt": _comparison(lambda a, b: bool(a < b)),
    "lte": _comparison(lambda a, b: bool(a <= b)),
}


# ----------------------------------------------------------------------------- words


def _leaf_failure(cond: Condition, ticket: Mapping[str, Any]) -> str:
    found, actual = get_path(ticket, cond.field)
    shown = repr(actual) if found and actual is not None else "missing"
    if cond.op == "exists":
        wanted = "set" if cond.value is None or cond.value is True else "missing"
        return f"{cond.field} is {shown}, not {wanted}"
    return f"{cond.field} is {shown}, not {cond.op} {cond.value!r}"


_WORDS: Mapping[str, str] = {
    "eq": "is",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
}
_PRIORITY_WORDS: Mapping[str, str] = {
    "gt": "is higher than",
    "gte": "is at least",
    "lt": "is lower than",
    "lte": "is at most",
}


def _describe_leaf(cond: Condition) -> str:
    if cond.op == "exists":
        negated = cond.value is False
        return f"{cond.field} is {'not set' if negated else 'set'}"
    words = _WORDS[cond.op]
    if cond.field == "priority" and cond.op in _PRIORITY_WORDS:
        words = _PRIORITY_WORDS[cond.op]
    if cond.op == "matches":
        return f"{cond.field} matches /{cond.value}/"
    return f"{cond.field} {words} {_literal(cond.value)}"


def _literal(value: Any) -> str:
    """A value as written in the configuration: ``'text'``, ``true``, ``[a, b]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if _is_list(value):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


def _describe_nested(node: Node) -> str:
    text = describe(node)
    if isinstance(node, ConditionGroup) and (len(node.all) + len(node.any or ())) > 1:
        return f"({text})"
    return text
