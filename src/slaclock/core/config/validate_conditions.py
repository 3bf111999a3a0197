"""Condition groups (``match:``, ``when:``): ``{all: [...], any: [...]}`` with leaves
``{field, op, value}``; an entry of ``all``/``any`` may be a nested group.

Values are checked against their operator here so the engine never meets a condition
it cannot evaluate: ``in`` needs a list, ``matches`` a regular expression that
compiles in Python and that RE2 can run in linear time (no backreferences or
lookarounds: :mod:`slaclock.core.linear_regex`), ``gt`` a number or a string, and
conditions on ``priority`` and ``status`` only name values those fields can take.
Lists become tuples (the model is frozen).
"""

from __future__ import annotations

import re
from typing import Any

from slaclock.core.config.checks import check_keys, check_list, check_mapping, type_name
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.linear_regex import UnsupportedPattern, compile_search
from slaclock.core.model import (
    CONDITION_OPS,
    PRIORITIES,
    TICKET_STATUSES,
    Condition,
    ConditionGroup,
)

__all__ = ["parse_condition_group"]

_FIELD = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
_ENUM_FIELDS = {"priority": PRIORITIES, "status": TICKET_STATUSES}
_SCALAR = str | int | float | bool


def parse_condition_group(p: Problems, path: KeyPath, value: Any) -> ConditionGroup | None:
    """A group mapping with optional ``all`` and ``any`` lists."""
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    if not check_keys(p, path, mapping, optional=("all", "any")):
        return None
    all_entries = _parse_entries(p, (*path, "all"), mapping.get("all", []))
    any_entries = None
    if "any" in mapping:
        any_entries = _parse_entries(p, (*path, "any"), mapping["any"])
        if any_entries == ():
            p.add((*path, "any"), "expected at least one condition in 'any'", [])
            return None
    if all_entries is None or (any_entries is None and "any" in mapping):
        return None
    return ConditionGroup(all=all_entries, any=any_entries)


def _parse_entries(
    p: Problems, path: KeyPath, value: Any
) -> tuple[Condition | ConditionGroup, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    parsed = [_parse_entry(p, (*path, i), entry) for i, entry in enumerate(entries)]
    if any(item is None for item in parsed):
        return None
    return tuple(item for item in parsed if item is not None)


def _parse_entry(p: Problems, path: KeyPath, value: Any) -> Condition | ConditionGroup | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    if "field" not in mapping and ("all" in mapping or "any" in mapping):
        return parse_condition_group(p, path, mapping)
    return _parse_leaf(p, path, mapping)


def _parse_leaf(p: Problems, path: KeyPath, mapping: Any) -> Condition | None:
    if not check_keys(p, path, mapping, required=("field", "op"), optional=("value",)):
        return None
    field, op = mapping["field"], mapping["op"]
    ok = True
    if not isinstance(field, str) or not _FIELD.match(field):
        p.add((*path, "field"), "expected a dotted field path such as customer.plan", field)
        ok = False
    if not (isinstance(op, str) and op in CONDITION_OPS):
        p.add((*path, "op"), f"expected an operator, one of {', '.join(sorted(CONDITION_OPS))}", op)
        return None
    if not ok:
        return None
    value = _check_value(p, (*path, "value"), field, op, mapping)
    if value is _INVALID:
        return None
    return Condition(field=field, op=op, value=value)


_INVALID: Any = object()


def _check_value(p: Problems, path: KeyPath, field: str, op: str, mapping: Any) -> Any:
    """The condition's value, frozen, or _INVALID after recording why."""
    if op == "exists":
        value = mapping.get("value")
        if value is None or isinstance(value, bool):
            return value
        p.add(path, "expected true or false (or no value) for op exists", value)
        return _INVALID
    if "value" not in mapping or mapping["value"] is None:
        p.add(
            path,
            f"op {op} needs a value; a null field counts as missing, test it with op exists",
            mapping.get("value"),
        )
        return _INVALID
    value = mapping["value"]
    if op in ("in", "not_in"):
        return _check_list_value(p, path, field, op, value)
    if not isinstance(value, _SCALAR) and op not in ("eq", "ne"):
        p.add(path, f"expected a single value for op {op}, got {type_name(value)}", value)
        return _INVALID
    return _check_scalar_value(p, path, field, op, value)


def _check_list_value(p: Problems, path: KeyPath, field: str, op: str, value: Any) -> Any:
    if not isinstance(value, list | tuple) or not value:
        p.add(path, f"expected a non-empty list of values for op {op}", value)
        return _INVALID
    checked = [_check_enum(p, (*path, i), field, item) for i, item in enumerate(value)]
    return _INVALID if _INVALID in checked else tuple(checked)


def _check_scalar_value(p: Problems, path: KeyPath, field: str, op: str, value: Any) -> Any:
    if op == "matches":
        if not isinstance(value, str):
            p.add(path, "expected a regular expression (a string) for op matches", value)
            return _INVALID
        try:
            re.compile(value)
        except re.error as exc:
            p.add(path, f"expected a valid regular expression: {exc}", value)
            return _INVALID
        try:
            compile_search(value)
        except UnsupportedPattern as exc:
            p.add(path, f"expected a regular expression that runs in linear time: {exc}", value)
            return _INVALID
        return value
    if op in ("gt", "gte", "lt", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float | str)
    ):
        p.add(path, f"expected a number or a string to compare with op {op}", value)
        return _INVALID
    if op in ("contains", "not_contains"):
        return value
    if isinstance(value, list | tuple):
        return tuple(value)
    if isinstance(value, dict):
        p.add(path, f"expected a value to compare with op {op}, got a mapping", value)
        return _INVALID
    return _check_enum(p, path, field, value)


def _check_enum(p: Problems, path: KeyPath, field: str, value: Any) -> Any:
    """Conditions on ``priority``/``status`` may only name values those fields can take."""
    choices = _ENUM_FIELDS.get(field)
    if choices is not None and value not in choices:
        p.add(path, f"expected a {field}: one of {', '.join(choices)}", value)
        return _INVALID
    if choices is None and not isinstance(value, _SCALAR):
        p.add(path, f"expected a single value in the list, got {type_name(value)}", value)
        return _INVALID
    return value
