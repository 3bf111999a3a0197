"""``csv``: any CSV of ticket events, described by a YAML (or JSON) mapping file.

The mapping says which column holds the ticket id and the instant of a row, which
columns hold ticket fields (through vocabularies for status, priority and channel),
and, for activity logs, what each value of an activity column means::

    source: acme                      # begins every event id (default: the file's name)
    ticket: Case ID                   # required
    at: Complete Timestamp            # required
    time_format: "%Y/%m/%d %H:%M:%S.%f"   # strptime; default ISO 8601
    zone: Europe/Rome                 # of times without an offset; --tz overrides
    missing: ["", "?"]                # cells that mean "no value"
    fields:
      priority: {column: Prio, values: {P1: urgent, P2: high, "P3*": normal}}
      group: Team
      custom.product: Product
    action:
      column: Activity
      hold: [pending]                 # lasts until the ticket's next row
      values:
        Take in charge: {status: open, message: agent_reply}
        Wait: {status: pending}
        Solved: {status: solved}
        Noise: skip

Every problem of the file is reported at once, each with the file, line, key path
and value (``mapping.yaml:9: fields.priority.values.P1: … (got 'crit')``), as the
configuration's are. The full key list is in docs/importers.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.core.config.checks import (
    check_bool,
    check_choice,
    check_keys,
    check_list,
    check_mapping,
    check_str,
)
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.source_text import read_text
from slaclock.core.errors import SlaclockError
from slaclock.core.event_checks import CREATORS
from slaclock.core.model import CHANNELS, PRIORITIES, TICKET_STATUSES
from slaclock.service.importers.plan import MESSAGE_KINDS, Action, Column, Plan, Vocabulary

__all__ = ["load_mapping", "parse_mapping"]

_TOP_REQUIRED = ("ticket", "at")
_TOP_OPTIONAL = (
    "source", "time_format", "zone", "missing", "fields", "constants", "action",
    "created_at", "created_by", "order", "row_id", "delimiter", "encoding",
)  # fmt: skip
#: Ticket fields a column may fill; ``customer``, ``requester`` and ``custom`` take a
#: dotted path below them (``customer.id``).
_PLAIN_FIELDS = ("status", "priority", "channel", "type", "group", "assignee", "subject")
_OBJECT_FIELDS = ("customer", "requester", "custom")
_ENUMS: Mapping[str, tuple[str, ...]] = {
    "status": TICKET_STATUSES,
    "priority": PRIORITIES,
    "channel": CHANNELS,
}
_SOURCE = re.compile(r"^[A-Za-z0-9_.-]+$")


def load_mapping(path: Path) -> Plan:
    """The plan of the mapping file at ``path``; SlaclockError when it cannot be read,
    ConfigError (every problem, with its line) when it is not valid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SlaclockError(f"{path}: no such mapping file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SlaclockError(f"{path}: cannot read this mapping file ({exc})") from None
    return parse_mapping(text, str(path), default_source=path.stem)


def parse_mapping(text: str, filename: str, default_source: str = "csv") -> Plan:
    """A mapping file's text as a :class:`Plan` (see the module's docstring)."""
    p = Problems(filename)
    data = read_text(text, filename, p)
    top = check_mapping(p, (), data) if not p.found else None
    if top is None:
        p.raise_if_any()
        raise AssertionError("unreachable: no mapping and no problem")
    check_keys(p, (), top, _TOP_REQUIRED, _TOP_OPTIONAL)
    columns = {key: _column_name(p, (key,), top.get(key)) for key in _TOP_REQUIRED}
    optional = {
        key: _column_name(p, (key,), top[key])
        for key in ("created_at", "order", "row_id")
        if key in top
    }
    source = top.get("source", _plain_source(default_source))
    if not (isinstance(source, str) and _SOURCE.match(source)):
        p.add(("source",), "expected letters, digits, '_', '-' or '.'", source)
    plan = Plan(
        source=str(source),
        ticket=columns["ticket"] or "",
        at=columns["at"] or "",
        time_format=_optional_str(p, top, "time_format"),
        zone=_zone(p, top.get("zone")),
        fields=_fields(p, top.get("fields", {})),
        constants=_constants(p, top.get("constants", {})),
        **_action(p, top.get("action")),
        created_at=optional.get("created_at"),
        created_by=check_choice(p, ("created_by",), top.get("created_by", "customer"), CREATORS)
        or "customer",
        order=optional.get("order"),
        row_id=optional.get("row_id"),
        missing=frozenset(_strings(p, ("missing",), top.get("missing", [""]))),
        delimiter=_delimiter(p, top.get("delimiter", ",")),
        encoding=_optional_str(p, top, "encoding") or "utf-8",
    )
    p.raise_if_any()
    return plan


def _plain_source(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name) or "csv"


def _column_name(p: Problems, path: KeyPath, value: Any) -> str | None:
    return check_str(p, path, value, "a column name (a string)")


def _optional_str(p: Problems, top: Mapping[str, Any], key: str) -> str | None:
    return check_str(p, (key,), top[key]) if key in top else None


def _zone(p: Problems, value: Any) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        p.add(("zone",), "expected an IANA time zone such as Europe/Rome or UTC", value)
        return None
    return str(value)


def _delimiter(p: Problems, value: Any) -> str:
    if isinstance(value, str) and len(value) == 1:
        return value
    p.add(("delimiter",), "expected one character", value)
    return ","


def _strings(p: Problems, path: KeyPath, value: Any) -> list[str]:
    items = check_list(p, path, value) or []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            p.add((*path, index), "expected a string", item)
    return [item for item in items if isinstance(item, str)]


def _field_path(p: Problems, path: KeyPath, name: Any) -> bool:
    parts = name.split(".") if isinstance(name, str) else []
    plain = len(parts) == 1 and parts[0] in _PLAIN_FIELDS
    below = len(parts) >= 2 and parts[0] in _OBJECT_FIELDS and all(parts)
    if plain or below:
        return True
    expected = ", ".join(_PLAIN_FIELDS) + ", or customer.…, requester.…, custom.…"
    p.add(path, f"expected a ticket field: {expected}", name)
    return False


def _entries(p: Problems, key: str, value: Any) -> Iterator[tuple[str, KeyPath, Any]]:
    """The entries of ``fields`` or ``constants`` whose key is a ticket field."""
    entries = check_mapping(p, (key,), value) or {}
    for name, entry in entries.items():
        path: KeyPath = (key, name)
        if _field_path(p, path, name):
            yield name, path, entry


def _fields(p: Problems, value: Any) -> dict[str, Column]:
    fields = {}
    for name, path, entry in _entries(p, "fields", value):
        spec = check_mapping(p, path, {"column": entry} if isinstance(entry, str) else entry)
        if spec is None or not check_keys(p, path, spec, ("column",), ("values",)):
            continue
        column = _column_name(p, (*path, "column"), spec["column"])
        values = None
        if "values" in spec:
            values = _vocabulary(p, (*path, "values"), spec["values"], _ENUMS.get(name))
        if column is not None:
            fields[name] = Column(column, values)
    return fields


def _vocabulary(
    p: Problems, path: KeyPath, value: Any, allowed: tuple[str, ...] | None
) -> Vocabulary[str]:
    entries = check_mapping(p, path, value) or {}
    good = {}
    for source, target in entries.items():
        if allowed is not None:
            ok = check_choice(p, (*path, str(source)), target, allowed)
        else:
            ok = check_str(p, (*path, str(source)), target)
        if ok is not None:
            good[str(source)] = ok
    return Vocabulary.of(good)


def _constants(p: Problems, value: Any) -> dict[str, Any]:
    constants = {}
    for name, path, constant in _entries(p, "constants", value):
        allowed = _ENUMS.get(name)
        if allowed is None or check_choice(p, path, constant, allowed) is not None:
            constants[name] = constant
    return constants


def _action(p: Problems, value: Any) -> dict[str, Any]:
    """The plan's ``action``, ``actions`` and ``hold`` from the mapping's ``action``."""
    if value is None:
        return {}
    spec = check_mapping(p, ("action",), value)
    if spec is None or not check_keys(p, ("action",), spec, ("column", "values"), ("hold",)):
        return {}
    hold = _strings(p, ("action", "hold"), spec.get("hold", []))
    for index, status in enumerate(hold):
        check_choice(p, ("action", "hold", index), status, TICKET_STATUSES)
    entries = check_mapping(p, ("action", "values"), spec["values"]) or {}
    actions = {}
    for source, entry in entries.items():
        action = _one_action(p, ("action", "values", str(source)), entry)
        if action is not None:
            actions[str(source)] = action
    return {
        "action": _column_name(p, ("action", "column"), spec["column"]),
        "actions": Vocabulary.of(actions),
        "hold": frozenset(hold),
    }


def _one_action(p: Problems, path: KeyPath, entry: Any) -> Action | None:
    if entry == "skip":
        return Action(skip=True)
    if entry is None:
        entry = {}
    spec = check_mapping(p, path, entry)
    if spec is None or not check_keys(p, path, spec, (), ("status", "message", "deleted")):
        return None
    status = None
    if "status" in spec:
        status = check_choice(p, (*path, "status"), spec["status"], TICKET_STATUSES)
    message = None
    if "message" in spec:
        message = check_choice(p, (*path, "message"), spec["message"], MESSAGE_KINDS)
    deleted = check_bool(p, (*path, "deleted"), spec["deleted"]) if "deleted" in spec else False
    return Action(status=status, message=message, deleted=bool(deleted))
