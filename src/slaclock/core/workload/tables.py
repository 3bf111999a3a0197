"""The fixed tables of a generation run: vocabulary codes, zones, office hours, pools.

Built once per run (or per window for the random pools) so the per-ticket loop only
indexes lists and calls cheap methods.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from slaclock.core.model import PRIORITIES, TICKET_STATUSES
from slaclock.core.workload.hours import OfficeHours, office_hours
from slaclock.core.workload.laws import Law
from slaclock.core.workload.lifecycle import Codes, Pool, Pools
from slaclock.core.workload.population import Population
from slaclock.core.workload.world import World


def vocabulary(world: World) -> tuple[list[str], dict[str, int]]:
    """Every string a row refers to by code: statuses, priorities, groups, agents."""
    words: list[str] = [*TICKET_STATUSES, *PRIORITIES]
    for team in (world.frontline, *world.frontline_by_region.values()):
        words += [team.group, *team.agents]
    if world.engineering:
        words += [world.engineering.group, *world.engineering.agents]
    unique = list(dict.fromkeys(words))
    return unique, {w: i for i, w in enumerate(unique)}


def codes(world: World, code: dict[str, int]) -> Codes:
    eng = code[world.engineering.group] if world.engineering else -1
    return Codes(open=code["open"], pending=code["pending"], on_hold=code["on_hold"],
                 solved=code["solved"], closed=code["closed"], engineering=eng)  # fmt: skip


def hours_by_calendar(world: World, start: datetime, days: int) -> dict[str | None, OfficeHours]:
    """Office hours of every calendar a team works by, over the horizon plus margins."""
    first = start.date() - timedelta(days=2)
    last = start.date() + timedelta(days=days + 30)
    ids = {*world.frontline_calendar.values(), world.engineering_calendar}
    return {
        cid: office_hours(world.calendars[cid], first, last, world.holidays.get(cid))
        for cid in sorted(i for i in ids if i is not None)
        if cid in world.calendars
    }


def zones(population: Population) -> tuple[tuple[str, ...], list[Any], list[Any], Any]:
    """Customer zones; per zone its customers, their cumulative shares, the zone's share."""
    zones = tuple(sorted({c.tz for c in population.customers}))
    members, cdfs, shares = [], [], np.zeros(len(zones))
    for z, name in enumerate(zones):
        idx = np.asarray([i for i, c in enumerate(population.customers) if c.tz == name])
        w = population.weights[idx]
        members.append(idx)
        cdfs.append(np.cumsum(w) / w.sum())
        shares[z] = w.sum()
    return zones, members, cdfs, shares


def pools(rng: np.random.Generator, n: int, laws: dict[str, Law]) -> Pools:
    """A window's random pools, sized for ``n`` tickets (they refill if a window needs more)."""
    size = 4 * n + 64

    def law(name: str, scale: float = 1.0) -> Pool:
        return Pool(lambda m: laws[name].draw(rng, m, scale), size)

    return Pools(
        uniform=Pool(lambda m: rng.random(m), 8 * n + 64),
        pending=law("pending"),
        next_response=law("next_response"),
        resolution=law("resolution"),
        close=law("close_after_solve"),
    )
