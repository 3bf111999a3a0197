"""What the generator takes from a configuration: plans, regions, teams and their hours.

The generator must produce tickets that the configuration's policies actually tell apart,
so plans are the values policy conditions test on ``customer.plan`` and regions are the
keys of calendar maps ``by: customer.region``. Only these parts of
:class:`~slaclock.core.model.Config` are read: people, groups, calendars, policies' match
conditions and calendar references, OLAs' groups and calendars.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slaclock.core.workload.names import REGION_ZONES

if TYPE_CHECKING:
    from slaclock.core.model import Config

#: Default ticket shares of plans (assumed; the real logs have no plans). Unknown: 0.15.
PLAN_WEIGHTS: dict[str, float] = {
    "enterprise": 0.15, "premium": 0.10, "business": 0.30, "pro": 0.20, "team": 0.20,
    "free": 0.33, "trial": 0.12,
}  # fmt: skip
#: Default customer shares of regions (assumed). Unknown regions: 0.2.
REGION_WEIGHTS: dict[str, float] = {"EU": 0.50, "US": 0.38, "APAC": 0.12, "UK": 0.15}
#: Share of customers with a contract, by plan.
CONTRACT_SHARE: dict[str, float] = {"enterprise": 0.7, "premium": 0.5, "business": 0.3}
ENGINEERING_WORDS = ("eng", "dev", "tier2", "tier-2", "l2", "second", "product")


@dataclass(frozen=True)
class Team:
    """A group and the people who answer for it (ids only)."""

    group: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class World:
    """The configuration, as the generator sees it; ``calendars`` are calendar.md mappings."""

    plans: tuple[str, ...]
    plan_weights: tuple[float, ...]
    regions: tuple[str, ...]
    region_weights: tuple[float, ...]
    region_zones: Mapping[str, tuple[str, ...]]
    frontline: Team
    engineering: Team | None
    frontline_by_region: Mapping[str, Team]  # regional support teams; others: frontline
    frontline_calendar: Mapping[str, str | None]  # region -> calendar id (None: any time)
    engineering_calendar: str | None
    calendars: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    holidays: Mapping[str, Any] = field(default_factory=dict)  # id -> holidays_between


def world_from_config(config: Config) -> World:
    """Read plans, regions, teams and hours from a validated configuration."""
    calendars = {cid: dict(cal.to_dict()) for cid, cal in config.calendars.items()}
    holidays = {
        cid: getattr(cal, "holidays_between", None) for cid, cal in config.calendars.items()
    }
    plans = _plans(config)
    region_map, default_calendar = _region_map(config)
    regions = list(region_map) or ["EU", "US"]
    if default_calendar is not None or not region_map:
        regions += [r for r in ("APAC",) if r not in regions]
    frontline, engineering, members = _teams(config)
    office = _office_calendar(config, calendars)
    return World(
        plans=tuple(plans),
        plan_weights=tuple(PLAN_WEIGHTS.get(p, 0.15) for p in plans),
        regions=tuple(regions),
        region_weights=tuple(REGION_WEIGHTS.get(r, 0.2) for r in regions),
        region_zones=_zones(regions, region_map, calendars),
        frontline=frontline,
        engineering=engineering,
        frontline_by_region=_regional(regions, members, frontline, engineering),
        frontline_calendar={r: _staffed(region_map.get(r), calendars) or office for r in regions},
        engineering_calendar=_staffed(_engineering_calendar(config, engineering), calendars)
        or office,
        calendars=calendars,
        holidays={k: v for k, v in holidays.items() if v is not None},
    )


def _conditions(group: Any) -> Iterator[Any]:
    """Every leaf condition of a (possibly nested) condition group."""
    if group is None:
        return
    for entry in (*group.all, *(group.any or ())):
        if hasattr(entry, "field"):
            yield entry
        else:
            yield from _conditions(entry)


def _values(condition: Any) -> Iterable[str]:
    if condition.op == "eq":
        return [str(condition.value)]
    if condition.op == "in" and isinstance(condition.value, list | tuple):
        return [str(v) for v in condition.value]
    return []


def _plans(config: Config) -> list[str]:
    """Plans tested by policies, then free and trial (the catch-all customers)."""
    found: list[str] = []
    for policy in config.policies:
        for condition in _conditions(policy.match):
            if condition.field == "customer.plan":
                found += [v for v in _values(condition) if v not in found]
    return found + [p for p in ("free", "trial") if p not in found]


def _region_map(config: Config) -> tuple[dict[str, str], str | None]:
    """Region -> calendar id from the first ``by: customer.region`` maps, and a default."""
    mapping: dict[str, str] = {}
    default: str | None = None
    refs = [p.calendar for p in config.policies]
    refs += [t.calendar for p in config.policies for t in p.targets.values() if t.calendar]
    for ref in refs:
        if ref.by == "customer.region":
            for region, cid in ref.map.items():
                mapping.setdefault(region, cid)
            default = default or ref.default
    return mapping, default


def _zones(
    regions: list[str], region_map: Mapping[str, str], calendars: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[str, ...]]:
    """Known regions get several zones; others the zone of their mapped calendar, or UTC."""
    zones: dict[str, tuple[str, ...]] = {}
    for region in regions:
        if region in REGION_ZONES:
            zones[region] = REGION_ZONES[region]
        else:
            tz = calendars.get(region_map.get(region, ""), {}).get("tz", "UTC")
            zones[region] = (str(tz),)
    return zones


def _teams(config: Config) -> tuple[Team, Team | None, dict[str, list[str]]]:
    """The front line (most people) and the team tickets escalate to (OLA group first)."""
    members: dict[str, list[str]] = {gid: [] for gid in config.groups}
    for person in config.people.values():
        for gid in person.groups:
            members.setdefault(gid, []).append(person.id)
    if not members:
        members = {"support": [], "engineering": []}
    ola_groups = [o.group for o in config.olas if o.group in members]
    named = [g for g in members if any(w in g.lower() for w in ENGINEERING_WORDS)]
    candidates: list[str | None] = [*ola_groups, *named, None]
    escalation = candidates[0]
    others = [g for g in members if g != escalation]
    if not others:
        others, escalation = [escalation or "support"], None
    front = max(others, key=lambda g: (len(members.get(g, [])), -others.index(g)))
    if escalation is None and len(others) > 1:
        escalation = next(g for g in others if g != front)
    frontline = Team(front, tuple(members.get(front, [])) or (f"{front}-agent",))
    if escalation is None:
        return frontline, None, members
    agents = tuple(members[escalation]) or (f"{escalation}-agent",)
    return frontline, Team(escalation, agents), members


def _regional(
    regions: list[str], members: Mapping[str, list[str]], frontline: Team, escalation: Team | None
) -> dict[str, Team]:
    """A region's own support team: a staffed group whose id names the region
    (``support-eu`` for EU), else the front line."""
    taken = {escalation.group} if escalation else set()
    teams: dict[str, Team] = {}
    for region in regions:
        named = [g for g, people in members.items() if people and g not in taken
                 and region.lower() in re.split(r"[^a-z0-9]+", g.lower())]  # fmt: skip
        teams[region] = Team(named[0], tuple(members[named[0]])) if named else frontline
    return teams


def _staffed(cid: str | None, calendars: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The calendar id when it has office hours (a 24x7 calendar says nothing of staffing)."""
    if cid is None or cid not in calendars or calendars[cid].get("always_open"):
        return None
    return cid


def _office_calendar(config: Config, calendars: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The first calendar with office hours that a policy or OLA uses, else any such."""
    used = [p.calendar.id for p in config.policies] + [o.calendar.id for o in config.olas]
    used += [cid for p in config.policies for cid in p.calendar.map.values()]
    for cid in [*used, *calendars]:
        if _staffed(cid, calendars):
            return cid
    return None


def _engineering_calendar(config: Config, engineering: Team | None) -> str | None:
    if engineering is None:
        return None
    ids = [o.calendar.id for o in config.olas if o.group == engineering.group and o.calendar.id]
    return ids[0] if ids else None
