"""The ``olas:`` section: internal teams' agreements, computed for tickets entering
their group whatever the customer policy (policies.md, "OLAs")."""

from __future__ import annotations

from typing import Any

from slaclock.core.config.checks import (
    check_id,
    check_keys,
    check_list,
    check_mapping,
    parse_entries,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_notify import parse_escalations, parse_reminders
from slaclock.core.config.validate_targets import parse_calendar_ref, parse_target
from slaclock.core.model import Ola

__all__ = ["parse_olas"]

_REQUIRED = ("id", "group", "metric", "within", "calendar")
_OPTIONAL = ("goal", "pause", "supports", "reminders", "escalations")


def parse_olas(p: Problems, value: Any, known: Known) -> tuple[Ola, ...]:
    parsed = parse_entries(p, "olas", value, lambda path, entry: _parse_ola(p, path, entry, known))
    return tuple(parsed.values())


def _parse_ola(p: Problems, path: KeyPath, value: Any, known: Known) -> Ola | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, _REQUIRED, _OPTIONAL):
        return None
    ola_id = check_id(p, (*path, "id"), mapping["id"])
    group, metric = mapping["group"], mapping["metric"]
    ok = ola_id is not None
    if not (isinstance(group, str) and group in known.groups):
        p.add((*path, "group"), "unknown group: expected an id declared under groups:", group)
        ok = False
    if not (isinstance(metric, str) and metric in known.metrics):
        p.add(
            (*path, "metric"),
            "unknown metric: expected a built-in metric or one under metrics:",
            metric,
        )
        ok = False
    target_keys = ("within", "goal", "pause")
    target = parse_target(
        p,
        path,
        metric,
        {k: mapping[k] for k in target_keys if k in mapping},
        known,
        with_calendar=False,
    )
    calendar = parse_calendar_ref(p, (*path, "calendar"), mapping["calendar"], known)
    supports = _parse_supports(p, (*path, "supports"), mapping.get("supports", []), known)
    reminders = parse_reminders(p, (*path, "reminders"), mapping.get("reminders", []), known)
    escalations = parse_escalations(
        p, (*path, "escalations"), mapping.get("escalations", []), known
    )
    parts = (target, calendar, supports, reminders, escalations)
    if not ok or any(part is None for part in parts) or ola_id is None:
        return None
    assert target is not None and calendar is not None and supports is not None
    assert reminders is not None and escalations is not None
    return Ola(ola_id, group, metric, target, calendar, supports, reminders, escalations)


def _parse_supports(p: Problems, path: KeyPath, value: Any, known: Known) -> tuple[str, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    ok = True
    for index, name in enumerate(entries):
        if not (isinstance(name, str) and name in known.metrics):
            p.add((*path, index), "expected a built-in metric or one under metrics:", name)
            ok = False
    return tuple(entries) if ok else None
