"""The ``policies:`` section: an ordered list; the first policy whose match holds applies."""

from __future__ import annotations

from typing import Any

from slaclock.core.config.checks import (
    check_choice,
    check_duration,
    check_id,
    check_keys,
    check_list,
    check_mapping,
    check_name,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_conditions import parse_condition_group
from slaclock.core.config.validate_notify import parse_escalations, parse_reminders
from slaclock.core.config.validate_targets import parse_calendar_ref, parse_target
from slaclock.core.model import Policy, Retarget, Target

__all__ = ["parse_policies", "parse_retarget"]

_REQUIRED = ("id", "calendar", "targets")
_OPTIONAL = ("name", "match", "reminders", "escalations", "retarget")
_MODES = ("retroactive", "keep_elapsed", "restart")


def parse_policies(p: Problems, value: Any, known: Known) -> tuple[Policy, ...]:
    entries = check_list(p, ("policies",), value)
    if entries is None:
        return ()
    policies: list[Policy] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        policy = _parse_policy(p, ("policies", index), entry, known)
        if policy is None:
            continue
        if policy.id in seen:
            p.add(("policies", index, "id"), "duplicate policy id", policy.id)
        seen.add(policy.id)
        policies.append(policy)
    return tuple(policies)


def _parse_policy(p: Problems, path: KeyPath, value: Any, known: Known) -> Policy | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, _REQUIRED, _OPTIONAL):
        return None
    policy_id = check_id(p, (*path, "id"), mapping["id"])
    name = check_name(p, path, mapping)
    calendar = parse_calendar_ref(p, (*path, "calendar"), mapping["calendar"], known)
    targets = parse_targets(p, (*path, "targets"), mapping["targets"], known)
    match = None
    if "match" in mapping:
        match = parse_condition_group(p, (*path, "match"), mapping["match"])
    reminders = parse_reminders(p, (*path, "reminders"), mapping.get("reminders", []), known)
    escalations = parse_escalations(
        p, (*path, "escalations"), mapping.get("escalations", []), known
    )
    retarget = parse_retarget(p, (*path, "retarget"), mapping.get("retarget", "retroactive"))
    parts = (policy_id, name, calendar, targets, reminders, escalations, retarget)
    if any(part is None for part in parts) or ("match" in mapping and match is None):
        return None
    assert policy_id is not None and name is not None and calendar is not None
    assert targets is not None and reminders is not None and escalations is not None
    assert retarget is not None
    return Policy(policy_id, name, calendar, targets, match, reminders, escalations, retarget)


def parse_targets(p: Problems, path: KeyPath, value: Any, known: Known) -> dict[str, Target] | None:
    mapping = check_mapping(p, path, value)
    if mapping is None:
        return None
    targets: dict[str, Target] = {}
    for metric, entry in mapping.items():
        if not (isinstance(metric, str) and metric in known.metrics):
            p.add(
                (*path, metric),
                "unknown metric: expected a built-in metric (first_response, next_response, "
                "periodic_update, resolution) or one defined under metrics:",
                metric,
            )
            continue
        target = parse_target(p, (*path, metric), metric, entry, known)
        if target is not None:
            targets[metric] = target
    return targets if len(targets) == len(mapping) else None


def parse_retarget(p: Problems, path: KeyPath, value: Any) -> Retarget | None:
    """``retroactive`` | ``restart`` | ``keep_elapsed`` | ``{mode, grace?}``."""
    if isinstance(value, str):
        mode = check_choice(p, path, value, _MODES, "a retarget mode:")
        return None if mode is None else Retarget(mode=mode)  # type: ignore[arg-type]
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, ("mode",), ("grace",)):
        return None
    mode = check_choice(p, (*path, "mode"), mapping["mode"], _MODES, "a retarget mode:")
    grace = check_duration(p, (*path, "grace"), mapping.get("grace", 0))
    if mode is not None and mode != "keep_elapsed" and "grace" in mapping:
        p.add((*path, "grace"), "grace applies only to mode keep_elapsed", mapping["grace"])
        return None
    if mode is None or grace is None:
        return None
    return Retarget(mode=mode, grace_seconds=grace)  # type: ignore[arg-type]
