"""The ``sources:`` extension: inbound helpdesk webhooks turned into ticket events.

``{id, secret_env, mapping: {event_field: "$.json.path"}, constants?: {event_field: value},
tolerance?: duration (default 5m)}``. Every event needs ``id``, ``ticket``, ``at`` and
``type``, so each of them must come from ``mapping`` or ``constants``. An event field
may be dotted (``fields.priority``, ``changes.status``) below one of the event's keys.
Or ``{id, secret_env, preset: zendesk|freshdesk|jira|zammad, tolerance?}``: a built-in
mapping of that helpdesk's own payloads (:mod:`slaclock.core.webhook_presets`), with
neither ``mapping`` nor ``constants``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slaclock.core.config.checks import (
    check_choice,
    check_duration,
    check_id,
    check_keys,
    check_mapping,
    parse_entries,
)
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_directory import check_env_name
from slaclock.core.model import Source
from slaclock.core.webhook_presets import PRESETS

__all__ = ["EVENT_FIELDS", "parse_sources"]

EVENT_FIELDS = frozenset(
    {
        "id", "ticket", "at", "type", "by", "fields", "changes", "tags_added",
        "tags_removed", "author", "author_id", "public", "channel",
    }
)  # fmt: skip
_REQUIRED_FIELDS = ("id", "ticket", "at", "type")
_EVENT_TYPES = ("ticket.created", "ticket.updated", "message", "ticket.deleted")
_JSON_PATH = re.compile(r"^\$(?:\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']+'\])*$")
_DEFAULT_TOLERANCE_SECONDS = 300


def parse_sources(p: Problems, value: Any) -> dict[str, Source]:
    return parse_entries(p, "sources", value, lambda path, entry: _parse_source(p, path, entry))


def _parse_source(p: Problems, path: KeyPath, value: Any) -> Source | None:
    mapping = check_mapping(p, path, value)
    if mapping is not None and "preset" in mapping:
        return _parse_preset(p, path, mapping)
    required = ("id", "secret_env", "mapping")
    if mapping is None or not check_keys(p, path, mapping, required, ("constants", "tolerance")):
        return None
    source_id = check_id(p, (*path, "id"), mapping["id"])
    secret_env = check_env_name(p, (*path, "secret_env"), mapping["secret_env"])
    paths = _parse_mapping(p, (*path, "mapping"), mapping["mapping"])
    constants = _parse_constants(p, (*path, "constants"), mapping.get("constants", {}))
    tolerance = check_duration(
        p, (*path, "tolerance"), mapping.get("tolerance", _DEFAULT_TOLERANCE_SECONDS), positive=True
    )
    if source_id is None or secret_env is None or paths is None or constants is None:
        return None
    if tolerance is None or not _covers_required(p, path, paths, constants):
        return None
    return Source(source_id, secret_env, paths, constants, tolerance)


def _parse_preset(p: Problems, path: KeyPath, mapping: Mapping[Any, Any]) -> Source | None:
    """A source by a built-in preset, which maps the payload itself."""
    ok = True
    for key in ("mapping", "constants"):
        if key in mapping:
            p.add((*path, key), f"a source with a preset takes no {key}", key)
            ok = False
    rest = {k: v for k, v in mapping.items() if k not in ("mapping", "constants")}
    ok = check_keys(p, path, rest, ("id", "secret_env", "preset"), ("tolerance",)) and ok
    if not ok:
        return None
    source_id = check_id(p, (*path, "id"), mapping["id"])
    secret_env = check_env_name(p, (*path, "secret_env"), mapping["secret_env"])
    preset = check_choice(p, (*path, "preset"), mapping["preset"], tuple(PRESETS))
    tolerance = check_duration(
        p, (*path, "tolerance"), mapping.get("tolerance", _DEFAULT_TOLERANCE_SECONDS), positive=True
    )
    if source_id is None or secret_env is None or preset is None or tolerance is None:
        return None
    return Source(source_id, secret_env, {}, {}, tolerance, preset)


def _event_field(p: Problems, path: KeyPath, name: Any) -> bool:
    if isinstance(name, str) and name.split(".")[0] in EVENT_FIELDS and all(name.split(".")):
        return True
    fields = ", ".join(sorted(EVENT_FIELDS))
    p.add(path, f"expected an event field (dotted paths allowed below): one of {fields}", name)
    return False


def _parse_mapping(p: Problems, path: KeyPath, value: Any) -> dict[str, str] | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    ok = True
    for name, json_path in mapping.items():
        ok = _event_field(p, (*path, name), name) and ok
        if not (isinstance(json_path, str) and _JSON_PATH.match(json_path)):
            p.add(
                (*path, name), "expected a JSON path into the body, such as $.ticket.id", json_path
            )
            ok = False
    return dict(mapping) if ok else None


def _parse_constants(p: Problems, path: KeyPath, value: Any) -> dict[str, Any] | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    ok = True
    for name, constant in mapping.items():
        ok = _event_field(p, (*path, name), name) and ok
        if name == "type" and constant not in _EVENT_TYPES:
            p.add(
                (*path, name), f"expected an event type: one of {', '.join(_EVENT_TYPES)}", constant
            )
            ok = False
    return dict(mapping) if ok else None


def _covers_required(
    p: Problems, path: KeyPath, paths: dict[str, str], constants: dict[str, Any]
) -> bool:
    ok = True
    for name in _REQUIRED_FIELDS:
        if name not in paths and name not in constants:
            p.add((*path, "mapping"), f"event field {name!r} must come from mapping or constants")
            ok = False
    for name in sorted(set(paths) & set(constants)):
        p.add((*path, "constants", name), "given both in mapping and constants; keep one", name)
        ok = False
    return ok
