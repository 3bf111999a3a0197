"""Calendar references and targets, shared by policies and OLAs.

``within``/``goal`` are one duration or a map by priority (a priority without an entry
has no instance of the metric). A goal by priority may only name priorities that have a
``within``: a goal without a promise would never be tracked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slaclock.core.config.checks import check_duration, check_keys, check_mapping, check_str
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_metrics import parse_pause
from slaclock.core.model import PRIORITIES, ByPriority, CalendarRef, Target

__all__ = ["check_calendar_id", "parse_by_priority", "parse_calendar_ref", "parse_target"]


def parse_calendar_ref(p: Problems, path: KeyPath, value: Any, known: Known) -> CalendarRef | None:
    """A calendar id, or ``{by: field.path, map: {value: id}, default: id}``."""
    if isinstance(value, str):
        return CalendarRef(id=value) if check_calendar_id(p, path, value, known) else None
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, ("by", "map", "default")):
        return None
    by = check_str(
        p, (*path, "by"), mapping["by"], "a dotted ticket field path such as customer.region"
    )
    choices = check_mapping(p, (*path, "map"), mapping["map"])
    ok = by is not None and choices is not None
    ok = check_calendar_id(p, (*path, "default"), mapping["default"], known) and ok
    for key, cal in (choices or {}).items():
        if not isinstance(key, str):
            p.add((*path, "map", key), "expected field values as strings (quote them)", key)
            ok = False
        ok = check_calendar_id(p, (*path, "map", key), cal, known) and ok
    if not ok or by is None or choices is None:
        return None
    return CalendarRef(by=by, map=dict(choices), default=mapping["default"])


def check_calendar_id(p: Problems, path: KeyPath, value: Any, known: Known) -> bool:
    """``value`` is the id of a declared calendar (also people's and groups' quiet hours)."""
    if isinstance(value, str) and value in known.calendars:
        return True
    p.add(path, "unknown calendar: expected the id of a calendar declared under calendars:", value)
    return False


def parse_by_priority(p: Problems, path: KeyPath, value: Any) -> ByPriority | None:
    """One positive duration, or a map from priority to positive duration."""
    if not isinstance(value, Mapping):
        return check_duration(p, path, value, positive=True)
    if not value:
        p.add(path, "expected a duration or a map of priorities to durations", {})
        return None
    result: dict[str, int] = {}
    for priority, duration in value.items():
        if priority not in PRIORITIES:
            p.add(
                (*path, priority), f"expected a priority: one of {', '.join(PRIORITIES)}", priority
            )
            continue
        seconds = check_duration(p, (*path, priority), duration, positive=True)
        if seconds is not None:
            result[priority] = seconds
    return result if len(result) == len(value) else None


def parse_target(
    p: Problems, path: KeyPath, metric: str, value: Any, known: Known, with_calendar: bool = True
) -> Target | None:
    """``{within, goal?, pause?, calendar?}`` for ``metric``."""
    mapping = check_mapping(p, path, value)
    optional = ("goal", "pause", "calendar") if with_calendar else ("goal", "pause")
    if mapping is None or not check_keys(p, path, mapping, ("within",), optional):
        return None
    within = parse_by_priority(p, (*path, "within"), mapping["within"])
    goal = parse_by_priority(p, (*path, "goal"), mapping["goal"]) if "goal" in mapping else None
    pause = parse_pause(p, (*path, "pause"), mapping["pause"]) if "pause" in mapping else None
    calendar = None
    if "calendar" in mapping:
        calendar = parse_calendar_ref(p, (*path, "calendar"), mapping["calendar"], known)
    failed = within is None or any(
        key in mapping and result is None
        for key, result in (("goal", goal), ("pause", pause), ("calendar", calendar))
    )
    if failed or within is None or not _goal_fits(p, path, within, goal):
        return None
    return Target(metric=metric, within=within, goal=goal, pause=pause, calendar=calendar)


def _goal_fits(p: Problems, path: KeyPath, within: ByPriority, goal: ByPriority | None) -> bool:
    if goal is None or isinstance(goal, int) or isinstance(within, int):
        return True
    extra = sorted(set(goal) - set(within))
    if extra:
        p.add((*path, "goal"), f"goal for priorities without a 'within': {', '.join(extra)}", extra)
    return not extra
