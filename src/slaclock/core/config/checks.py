"""Small typed checks shared by every section's validation.

Each check takes the :class:`Problems` to record into, the key path and the value, and
returns the checked value, or None after recording what was expected. Callers build a
model value only from non-None results and leave the rest to the collected problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol, TypeVar

from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.durations import parse_duration

__all__ = [
    "ID_PATTERN",
    "check_bool",
    "check_choice",
    "check_duration",
    "check_id",
    "check_keys",
    "check_list",
    "check_mapping",
    "check_name",
    "check_number",
    "check_str",
    "parse_entries",
    "type_name",
]

ID_PATTERN = re.compile(r"^[a-z0-9_-]+$")


def type_name(value: object) -> str:
    """The YAML/JSON word for a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def check_mapping(p: Problems, path: KeyPath, value: Any) -> Mapping[Any, Any] | None:
    if isinstance(value, Mapping):
        return value
    p.add(path, f"expected a mapping of keys to values, got {type_name(value)}", value)
    return None


def check_list(p: Problems, path: KeyPath, value: Any) -> list[Any] | None:
    if isinstance(value, list | tuple):
        return list(value)
    p.add(path, f"expected a list, got {type_name(value)}", value)
    return None


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=_Identified)


def parse_entries(
    p: Problems, key: str, value: Any, parse_one: Callable[[KeyPath, Any], Item | None]
) -> dict[str, Item]:
    """The list under ``key`` (absent: empty), each entry parsed by ``parse_one`` with
    its path; an entry that does not parse is left out (``parse_one`` recorded why), and
    an id given twice is a problem. By id, in the order written."""
    entries = check_list(p, (key,), value if value is not None else [])
    parsed: dict[str, Item] = {}
    for index, entry in enumerate(entries or []):
        item = parse_one((key, index), entry)
        if item is None:
            continue
        if item.id in parsed:
            p.add((key, index, "id"), f"duplicate id in {key}", item.id)
        parsed[item.id] = item
    return parsed


def check_keys(
    p: Problems,
    path: KeyPath,
    mapping: Mapping[Any, Any],
    required: Collection[str] = (),
    optional: Collection[str] = (),
) -> bool:
    """Flag unknown and missing keys; True when the keys are exactly right."""
    allowed = set(required) | set(optional)
    good = True
    for key in mapping:
        if key not in allowed:
            choices = ", ".join(sorted(allowed)) or "none"
            p.add((*path, key), f"unknown key {key!r}; expected one of: {choices}", key)
            good = False
    for key in required:
        if key not in mapping:
            p.add(path, f"missing required key {key!r}")
            good = False
    return good


def check_str(p: Problems, path: KeyPath, value: Any, what: str = "a string") -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    p.add(path, f"expected {what}, got {type_name(value)}", value)
    return None


def check_name(p: Problems, path: KeyPath, mapping: Mapping[Any, Any]) -> str | None:
    """An entry's display ``name``; without one, its id (when that is a string)."""
    if "name" not in mapping:
        entry_id = mapping.get("id")
        return entry_id if isinstance(entry_id, str) else None
    return check_str(p, (*path, "name"), mapping["name"], "a name (a string)")


def check_id(p: Problems, path: KeyPath, value: Any) -> str | None:
    if isinstance(value, str) and ID_PATTERN.match(value):
        return value
    p.add(path, "expected an id of lowercase letters, digits, '_' and '-' ([a-z0-9_-]+)", value)
    return None


def check_bool(p: Problems, path: KeyPath, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    p.add(path, f"expected true or false, got {type_name(value)}", value)
    return None


def check_number(p: Problems, path: KeyPath, value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    p.add(path, f"expected a number, got {type_name(value)}", value)
    return None


def check_choice(
    p: Problems, path: KeyPath, value: Any, choices: Collection[str], what: str = "one of"
) -> str | None:
    if isinstance(value, str) and value in choices:
        return value
    p.add(path, f"expected {what} {', '.join(choices)}", value)
    return None


def check_duration(p: Problems, path: KeyPath, value: Any, positive: bool = False) -> int | None:
    """A duration in whole seconds; ``positive`` rejects zero (a target of no time)."""
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        p.add(path, str(exc), value)
        return None
    if positive and seconds == 0:
        p.add(path, "expected a duration greater than zero", value)
        return None
    return seconds
