"""The workload generator: ticket events over a period, one day-window at a time.

Each UTC day is one window: its tickets arrive (seasonal, per customer time zone), each is
planned whole (lifecycle.py), and the rows go into a buffer. Every row at or after the
window's end stays buffered; the rest is emitted sorted by time. No ticket created later
can have a row before its creation, so the output is globally in time order while memory
holds only the open tickets' future rows. Randomness comes from one generator per window,
seeded by (seed, day), so the output is a pure function of the arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from slaclock.core.model import CHANNELS, PRIORITIES
from slaclock.core.workload.arrivals import (
    DAY_SECONDS,
    ArrivalPlan,
    day_arrivals,
    day_start_epoch,
    plan_arrivals,
)
from slaclock.core.workload.draws import BY_MIX, TYPE_MIX, Knobs, draw_window
from slaclock.core.workload.emit import ORD_BITS, Batch, Created, Emitter, concat, deliver
from slaclock.core.workload.hours import ALWAYS_OPEN
from slaclock.core.workload.laws import fitted_laws
from slaclock.core.workload.lifecycle import CREATED, Planner, TicketDraw
from slaclock.core.workload.names import OUTAGE_SUBJECTS, TOPICS
from slaclock.core.workload.population import build_population, customer_count
from slaclock.core.workload.tables import codes, hours_by_calendar, pools, vocabulary, zones
from slaclock.core.workload.world import World, world_from_config

if TYPE_CHECKING:
    from slaclock.core.model import Config

BY = tuple(BY_MIX)
TYPES = tuple(TYPE_MIX)
T = TypeVar("T")
_LIST_COLUMNS = ("priority", "channel", "type_", "by", "topic", "subject", "requester", "agent",
                 "eng_agent", "first_response", "resolution", "pending",
                 "on_hold", "stint", "rounds", "engineering",
                 "priority_up", "reopen", "deleted")  # fmt: skip


@dataclass(frozen=True)
class WorkloadOptions:
    """Delivery options. ``shuffle``: share of events delivered late (out of time order);
    ``duplicates``: share delivered twice (same id). ``sorted=False`` emits each window's
    events ticket by ticket instead of in time order (cheaper, for tests of grouping)."""

    sorted: bool = True
    shuffle: float = 0.0
    duplicates: float = 0.0
    shuffle_mean_seconds: float = 3600.0
    knobs: Knobs = field(default_factory=Knobs)


def generate_events(
    config: Config,
    tickets: int,
    days: int,
    seed: int,
    start: datetime,
    options: WorkloadOptions | None = None,
) -> Iterator[dict[str, Any]]:
    """Events of ``tickets`` tickets created over ``days`` days from ``start`` (aware).

    No event lies after ``start + days``; tickets created near the end are still open.
    """
    run = _Run(world_from_config(config), tickets, days, seed, start, options)
    return run.events(run.emitter.dicts)


def generate_lines(
    config: Config,
    tickets: int,
    days: int,
    seed: int,
    start: datetime,
    options: WorkloadOptions | None = None,
) -> Iterator[str]:
    """The same events as :func:`generate_events`, as compact JSON lines (no newline)."""
    run = _Run(world_from_config(config), tickets, days, seed, start, options)
    return run.events(run.emitter.lines)


def generate_from_world(
    world: World,
    tickets: int,
    days: int,
    seed: int,
    start: datetime,
    options: WorkloadOptions | None = None,
) -> Iterator[dict[str, Any]]:
    """:func:`generate_events` for a :class:`World` built by hand (tests, other configs)."""
    run = _Run(world, tickets, days, seed, start, options)
    return run.events(run.emitter.dicts)


class _Run:
    """One generation run: the fixed parts (population, hours, arrivals) and the windows."""

    def __init__(
        self, world: World, tickets: int, days: int, seed: int, start: datetime,
        options: WorkloadOptions | None,
    ) -> None:  # fmt: skip
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be an aware datetime")
        if tickets < 0 or days < 1:
            raise ValueError("tickets must be >= 0 and days >= 1")
        start = start.astimezone(UTC)
        options = options or WorkloadOptions()
        self.world, self.days, self.seed, self.options = world, days, seed, options
        self.start = start.replace(microsecond=0)
        self.end_epoch = day_start_epoch(self.start, days)
        self.width = max(6, len(str(tickets)))
        self.population = build_population(
            world, customer_count(tickets), np.random.default_rng([seed, 1])
        )
        self.words, self.code = vocabulary(world)
        self.codes = codes(world, self.code)
        hours = hours_by_calendar(world, self.start, days)
        self.front_hours = {
            r: hours.get(c, ALWAYS_OPEN) for r, c in world.frontline_calendar.items()
        }
        self.eng_hours = hours.get(world.engineering_calendar, ALWAYS_OPEN)
        self.laws = fitted_laws()
        self.zones, self.zone_members, self.zone_cdf, shares = zones(self.population)
        self.plan: ArrivalPlan = plan_arrivals(
            tickets, days, int(self.start.timestamp()), self.zones, shares,
            np.random.default_rng([seed, 2]),
        )  # fmt: skip
        self.next_ticket = 0
        self.emitter = Emitter(self.words, self.population, self.width)

    def events(self, render: Callable[[Batch], Iterator[T]]) -> Iterator[T]:
        buffer = Batch.empty()
        for day in range(self.days):
            window = self._window(day)
            if not self.options.sorted and not self.options.shuffle:
                yield from render(window.take(np.argsort(window.ord, kind="stable")))
                continue
            buffer = concat(buffer, window)
            buffer = buffer.take(np.lexsort((buffer.ord, buffer.deliver)))
            last = day == self.days - 1
            cut = len(buffer) if last else int(
                np.searchsorted(buffer.deliver, day_start_epoch(self.start, day + 1))
            )  # fmt: skip
            yield from render(buffer.take(np.arange(cut)))
            buffer = buffer.take(np.arange(cut, len(buffer)))

    def _window(self, day: int) -> Batch:
        rng = np.random.default_rng([self.seed, 3, day])
        day_start = day_start_epoch(self.start, day)
        at, zone = day_arrivals(self.plan, day, day_start, rng)
        outage = self._outage(rng, day, day_start, at)
        order = np.argsort(at, kind="stable")
        at, zone, outage = at[order], zone[order], outage[order]
        customers = self._customers(rng, zone)
        draws = draw_window(rng, outage, self.laws, self.options.knobs)
        planner = Planner(pools(rng, len(at), self.laws), self.codes,
                          self.options.knobs.business_hours_share)  # fmt: skip
        rows: list[tuple[int, int, int, int, int]] = []
        created: list[Created] = []
        columns = [getattr(draws, name) for name in _LIST_COLUMNS]
        records = zip(*(c if isinstance(c, list) else c.tolist() for c in columns), strict=True)
        for t0, cidx, is_outage, record in zip(at.tolist(), customers, outage.tolist(), records,
                                               strict=True):  # fmt: skip
            self._ticket(planner, record, t0, cidx, is_outage, rows, created)
        return self._batch(rng, rows, created)

    def _outage(self, rng: np.random.Generator, day: int, day_start: int, at: np.ndarray) -> Any:
        """Some days have an outage: a burst of tickets from many customers within hours."""
        knobs, n = self.options.knobs, len(at)
        outage = np.zeros(n, dtype=bool)
        if n < 3 or rng.random() >= knobs.outage_day_share:
            return outage
        k = max(3, round(n * knobs.outage_ticket_share))
        chosen = rng.choice(n, size=k, replace=False)
        hourly = self.plan.hour_weights[day].sum(axis=1)
        hour = int(rng.choice(24, p=hourly / hourly.sum()))
        begin = day_start + hour * 3600 + int(rng.integers(0, 3600))
        delays = np.minimum(rng.exponential(900.0, k), 10800.0).astype(np.int64)
        at[chosen] = np.minimum(begin + delays, day_start + DAY_SECONDS - 1)
        outage[chosen] = True
        return outage

    def _customers(self, rng: np.random.Generator, zone: np.ndarray) -> list[int]:
        """A customer per ticket, by Zipf-like weight among the customers of its zone."""
        out = np.zeros(len(zone), dtype=np.int64)
        u = rng.random(len(zone))
        for z in np.unique(zone).tolist():
            mask = zone == z
            pick = np.searchsorted(self.zone_cdf[z], u[mask], side="right")
            members = self.zone_members[z]
            out[mask] = members[np.minimum(pick, len(members) - 1)]
        return [int(c) for c in out.tolist()]

    def _ticket(
        self, planner: Planner, record: tuple[Any, ...], t0: int, cidx: int, outage: bool,
        rows: list[tuple[int, int, int, int, int]], created: list[Created],
    ) -> None:  # fmt: skip
        (priority, channel, type_, by_code, topic, subject, requester, agent_i, eng_i, fr, res,
         pending, on_hold, stint, rounds, engineering, up, reopen, deleted) = record  # fmt: skip
        customer = self.population.customers[cidx]
        world, code = self.world, self.code
        by = "customer" if outage else BY[by_code]
        team = world.frontline_by_region.get(customer.region, world.frontline)
        agent = team.agents[int(agent_i * len(team.agents))]
        eng = world.engineering
        draw = TicketDraw(
            t0, by == "agent", outage, deleted, code[agent],
            code[eng.agents[int(eng_i * len(eng.agents))]] if eng else -1, code[team.group],
            fr, res, pending, on_hold, stint, rounds,
            engineering,
            code[PRIORITIES[priority + 1]] if up else -1, reopen,
            self.front_hours[customer.region], self.eng_hours,
        )  # fmt: skip
        base = self.next_ticket << ORD_BITS
        self.next_ticket += 1
        end = self.end_epoch
        planned = planner.plan(draw)
        rows.extend([(at, base + k, kind, a, b)
                     for k, (at, _, kind, a, b) in enumerate(planned) if at <= end])  # fmt: skip
        topic_tag, subjects = TOPICS[topic % len(TOPICS)]
        created.append(Created(
            by=by,
            status="open" if by == "agent" else "new",
            priority=PRIORITIES[priority],
            channel="api" if by == "system" else CHANNELS[channel],
            type="incident" if outage else TYPES[type_],
            group=team.group,
            assignee=agent if by == "agent" else None,
            tag="outage" if outage else topic_tag,
            subject=OUTAGE_SUBJECTS[subject % len(OUTAGE_SUBJECTS)] if outage
            else subjects[subject % len(subjects)],
            customer=cidx,
            requester=requester % len(customer.requesters),
        ))  # fmt: skip

    def _batch(
        self, rng: np.random.Generator, rows: list[tuple[int, int, int, int, int]],
        created: list[Created],
    ) -> Batch:  # fmt: skip
        table = np.asarray(rows, dtype=np.int64).reshape(-1, 5)
        obj = np.empty(len(table), dtype=object)
        starts = np.flatnonzero(table[:, 2] == CREATED)
        for row, spec in zip(starts.tolist(), created, strict=True):
            obj[row] = spec
        at = table[:, 0].copy()
        batch = Batch(at, at.copy(), table[:, 1].copy(), table[:, 2].copy(), table[:, 3].copy(),
                      table[:, 4].copy(), obj)  # fmt: skip
        o = self.options
        return deliver(batch, rng, o.shuffle, o.duplicates, o.shuffle_mean_seconds)
