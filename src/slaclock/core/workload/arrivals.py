"""When tickets arrive: weekday and hour seasonality in the customers' own time zones.

The fitted weekly profile (168 shares, params.ARRIVALS_WEEK_HOUR, local wall clock) is
applied per customer time zone: the weight of one UTC hour for one zone is the profile at
that hour's local weekday and hour, times the zone's share of tickets. The requested
number of tickets is split over all (day, hour, zone) cells by one multinomial draw, so the
total is exact and every window knows its count up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from slaclock.core.workload import params

HOUR_SECONDS = 3600
DAY_SECONDS = 86400


@dataclass(frozen=True)
class ArrivalPlan:
    """Ticket counts per (day, UTC hour, zone): ``counts[d, h, z]``."""

    zones: tuple[str, ...]
    counts: np.ndarray
    hour_weights: np.ndarray  # same shape, the expected shares (for outage timing)


def plan_arrivals(
    tickets: int,
    days: int,
    start_epoch: int,
    zones: tuple[str, ...],
    zone_shares: np.ndarray,
    rng: np.random.Generator,
) -> ArrivalPlan:
    profile = np.asarray(params.ARRIVALS_WEEK_HOUR, dtype=float)
    weights = np.zeros((days * 24, len(zones)))
    for z, name in enumerate(zones):
        tz = ZoneInfo(name)
        for h in range(days * 24):
            mid = datetime.fromtimestamp(start_epoch + h * HOUR_SECONDS + 1800, tz)
            weights[h, z] = profile[mid.weekday() * 24 + mid.hour] * zone_shares[z]
    shares = weights.reshape(days, 24, len(zones)) / weights.sum()
    counts = rng.multinomial(tickets, shares.ravel()).reshape(shares.shape)
    return ArrivalPlan(zones, counts, shares)


def day_arrivals(
    plan: ArrivalPlan, day: int, day_start: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival instants (epoch s) and zone indexes of one day's tickets, in cell order."""
    counts = plan.counts[day]
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    hours, zones = np.divmod(cells, len(plan.zones))
    at = day_start + hours * HOUR_SECONDS + rng.integers(0, HOUR_SECONDS, size=len(cells))
    return at.astype(np.int64), zones.astype(np.int64)


def day_start_epoch(start: datetime, day: int) -> int:
    return int(start.astimezone(UTC).timestamp()) + day * DAY_SECONDS
