"""The ``metrics:`` section: custom metrics and overrides of the four built-ins.

A metric is ``{start: [predicates], stop: [predicates], pause?, repeat?}``. An entry
named like a built-in replaces it entirely (policies.md), so it needs ``start`` and
``stop`` like any other, and the engine treats it as an ordinary metric.
"""

from __future__ import annotations

from typing import Any

from slaclock.core.builtins import BUILTIN_METRIC_DEFS
from slaclock.core.config.checks import (
    check_bool,
    check_choice,
    check_id,
    check_keys,
    check_list,
    check_mapping,
    type_name,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_conditions import parse_condition_group
from slaclock.core.model import PREDICATE_PARAMS, TICKET_STATUSES, MetricDef, PauseRule, Predicate

__all__ = ["parse_metrics", "parse_pause"]

_CREATED_BY = ("customer", "agent", "system")


def parse_metrics(p: Problems, value: Any, known: Known) -> dict[str, MetricDef]:
    """The built-ins, with the file's entries added or replacing them."""
    metrics: dict[str, MetricDef] = dict(BUILTIN_METRIC_DEFS)
    if value is None:
        return metrics
    mapping = check_mapping(p, ("metrics",), value)
    if mapping is None:
        return metrics
    for name, entry in mapping.items():
        path: KeyPath = ("metrics", name)
        if check_id(p, path, name) is None:
            continue
        metric = _parse_metric(p, path, name, entry, known)
        if metric is not None:
            metrics[name] = metric
    return metrics


def _parse_metric(
    p: Problems, path: KeyPath, name: str, value: Any, known: Known
) -> MetricDef | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(
        p, path, mapping, required=("start", "stop"), optional=("pause", "repeat")
    ):
        return None
    start = _parse_predicates(p, (*path, "start"), mapping["start"], known)
    stop = _parse_predicates(p, (*path, "stop"), mapping["stop"], known)
    pause = parse_pause(p, (*path, "pause"), mapping["pause"]) if "pause" in mapping else None
    repeat = check_bool(p, (*path, "repeat"), mapping.get("repeat", False))
    if start is None or stop is None or repeat is None:
        return None
    if "pause" in mapping and pause is None:
        return None
    return MetricDef(name=name, start=start, stop=stop, pause=pause, repeat=repeat)


def _parse_predicates(
    p: Problems, path: KeyPath, value: Any, known: Known
) -> tuple[Predicate, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    if not entries:
        p.add(path, "expected at least one event predicate", value)
        return None
    parsed = [_parse_predicate(p, (*path, i), entry, known) for i, entry in enumerate(entries)]
    if any(item is None for item in parsed):
        return None
    return tuple(item for item in parsed if item is not None)


def _parse_predicate(p: Problems, path: KeyPath, value: Any, known: Known) -> Predicate | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    event = check_choice(
        p, (*path, "event"), mapping.get("event"), sorted(PREDICATE_PARAMS), "an event predicate:"
    )
    if event is None:
        return None
    allowed = PREDICATE_PARAMS[event]
    if not check_keys(p, path, mapping, required=("event",), optional={*allowed, "when"}):
        return None
    params: dict[str, Any] = {}
    ok = True
    for key in sorted(allowed & set(mapping)):
        checked = _check_param(p, (*path, key), event, key, mapping[key], known)
        ok = ok and checked is not None
        params[key] = checked
    when = None
    if "when" in mapping:
        when = parse_condition_group(p, (*path, "when"), mapping["when"])
        ok = ok and when is not None
    return Predicate(event=event, params=params, when=when) if ok else None


def _check_param(p: Problems, path: KeyPath, event: str, key: str, value: Any, known: Known) -> Any:
    """A parameter is one value or a list of them (any matches); lists become tuples."""
    values = list(value) if isinstance(value, list | tuple) else [value]
    if not values:
        p.add(path, "expected a value or a non-empty list of values", value)
        return None
    for index, item in enumerate(values):
        where = (*path, index) if isinstance(value, list | tuple) else path
        if not _check_one_param(p, where, event, key, item, known):
            return None
    return tuple(values) if isinstance(value, list | tuple) else value


def _check_one_param(
    p: Problems, path: KeyPath, event: str, key: str, value: Any, known: Known
) -> bool:
    if key in ("group", "by_group"):
        if isinstance(value, str) and value in known.groups:
            return True
        p.add(path, "expected the id of a group declared under groups:", value)
        return False
    if event == "status_changed":
        return check_choice(p, path, value, TICKET_STATUSES, "a status:") is not None
    if event == "created":
        return check_choice(p, path, value, _CREATED_BY, "who created the ticket:") is not None
    if event == "assigned":
        if isinstance(value, str) and value in known.people:
            return True
        p.add(path, "expected the id of a person declared under people:", value)
        return False
    if key == "field":
        if isinstance(value, str) and value:
            return True
        p.add(path, "expected a dotted field path such as customer.plan", value)
        return False
    if isinstance(value, str | int | float | bool):
        return True
    p.add(path, f"expected a single value, got {type_name(value)}", value)
    return False


def parse_pause(p: Problems, path: KeyPath, value: Any) -> PauseRule | None:
    """``{status: [pending, on_hold], when?: {...}}``; ``status`` may be one status.

    ``{status: []}`` is a rule that never pauses: on a target it removes the metric's
    default pause (a target's pause replaces the default, it does not add to it).
    """
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, optional=("status", "when")):
        return None
    raw = mapping.get("status", [])
    statuses = raw if isinstance(raw, list | tuple) else [raw]
    ok = True
    for index, status in enumerate(statuses):
        where = (*path, "status", index) if isinstance(raw, list | tuple) else (*path, "status")
        ok = check_choice(p, where, status, TICKET_STATUSES, "a status:") is not None and ok
    when = None
    if "when" in mapping:
        when = parse_condition_group(p, (*path, "when"), mapping["when"])
        ok = ok and when is not None
    if not ok:
        return None
    return PauseRule(statuses=frozenset(statuses), when=when)
