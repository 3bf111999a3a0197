"""Per-window vectorised draws: one array per ticket attribute, then one draw per ticket.

The mixes not present in the real logs (channel, ticket type, who creates) are stated
assumptions, named here; everything with a real counterpart comes from params.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slaclock.core.model import CHANNELS, PRIORITIES
from slaclock.core.workload import params
from slaclock.core.workload.laws import Law
from slaclock.core.workload.lifecycle import (
    MAX_ROUNDS,
    ROUND_END,
    ROUND_FOLLOW_UP,
    ROUND_NOTE,
    ROUND_ON_HOLD,
    ROUND_PENDING,
)

#: Channel mix of a SaaS support desk (assumed: the logs are 99% phone or unlabelled).
CHANNEL_MIX = {"email": 0.42, "web": 0.25, "chat": 0.16, "phone": 0.09, "api": 0.05,
               "social": 0.03}  # fmt: skip
TYPE_MIX = {"question": 0.55, "problem": 0.30, "task": 0.15}
#: Who opens tickets: customers, agents (logging a call), systems (monitoring).
BY_MIX = {"customer": 0.93, "agent": 0.06, "system": 0.01}


@dataclass(frozen=True)
class Knobs:
    """Tuning assumptions of the generator (not fitted; docs/workload.md explains each)."""

    business_hours_share: float = 0.9  # agent work counted on office hours, not wall time
    outage_response_scale: float = 0.1  # outages are answered ten times faster
    outage_resolution_scale: float = 0.25
    outage_day_share: float = 0.05  # days with an outage burst
    outage_ticket_share: float = 0.10  # share of that day's tickets in the burst
    followup_rate: float = 0.8  # Poisson mean of customer follow-ups per ticket
    note_rate: float = 0.6  # Poisson mean of internal notes per ticket
    more_pending_share: float = 0.35  # chance of each further pending round
    delete_share: float = 0.004  # spam, deleted soon after creation
    resolution_noise: float = 1.0  # how loosely resolution follows a ticket's waits


@dataclass(frozen=True)
class WindowDraws:
    """Columns for ``n`` tickets; ``rounds`` holds round codes per ticket."""

    priority: np.ndarray
    channel: np.ndarray
    type_: np.ndarray
    by: np.ndarray
    topic: np.ndarray
    subject: np.ndarray
    requester: np.ndarray
    agent: np.ndarray
    eng_agent: np.ndarray
    first_response: np.ndarray
    resolution: np.ndarray
    pending: np.ndarray  # the first pending wait (wall seconds; 0 without one)
    on_hold: np.ndarray  # the on-hold wait (wall seconds; 0 without one)
    stint: np.ndarray  # time with engineering (business seconds; 0 without one)
    rounds: list[list[int]]
    engineering: np.ndarray
    priority_up: np.ndarray
    reopen: np.ndarray
    deleted: np.ndarray


def _mix(mix: dict[str, float]) -> np.ndarray:
    p = np.asarray(list(mix.values()), dtype=float)
    return np.asarray(p / p.sum(), dtype=float)


def draw_window(
    rng: np.random.Generator,
    outage: np.ndarray,
    laws: dict[str, Law],
    knobs: Knobs,
) -> WindowDraws:
    n = len(outage)
    rates = params.RATES
    priority = rng.choice(
        len(PRIORITIES), n, p=_mix({k: params.PRIORITY_MIX[k] for k in PRIORITIES})
    )
    priority = np.where(outage, np.where(rng.random(n) < 0.4, 3, 2), priority)
    fr_scale = np.where(outage, knobs.outage_response_scale, 1.0)
    res_scale = np.where(outage, knobs.outage_resolution_scale, 1.0)
    pendings = np.where(rng.random(n) < float(rates["pending"]),
                        rng.geometric(1.0 - knobs.more_pending_share, n), 0)  # fmt: skip
    on_holds = (rng.random(n) < float(rates["on_hold"])).astype(np.int64)
    engineering = rng.random(n) < float(rates["engineering"])
    pending = np.where(pendings > 0, laws["pending"].draw(rng, n), 0.0)
    on_hold = np.where(on_holds > 0, laws["on_hold"].draw(rng, n), 0.0)
    stint = np.where(engineering, laws["engineering_stint"].draw(rng, n), 0.0)
    resolution = laws["resolution"].draw(rng, n)
    first_response = laws["first_response"].draw(rng, n)
    return WindowDraws(
        priority=priority,
        channel=rng.choice(len(CHANNELS), n, p=_channel_p()),
        type_=rng.choice(len(TYPE_MIX), n, p=_mix(TYPE_MIX)),
        by=np.where(outage, 0, rng.choice(len(BY_MIX), n, p=_mix(BY_MIX))),
        topic=rng.integers(0, 1 << 30, n),
        subject=rng.integers(0, 1 << 30, n),
        requester=rng.integers(0, 1 << 30, n),
        agent=rng.random(n),  # a uniform, scaled to the size of the ticket's team
        eng_agent=rng.random(n),
        first_response=first_response * fr_scale,
        resolution=_longest_to_the_neediest(
            rng, resolution, first_response + pending + on_hold + stint, knobs
        )
        * res_scale,
        pending=pending,
        on_hold=on_hold,
        stint=stint,
        rounds=_rounds(rng, pendings, on_holds, knobs),
        engineering=engineering,
        priority_up=(rng.random(n) < float(rates["priority_change"])) & (priority < 3),
        reopen=rng.random(n) < float(rates["reopen"]),
        deleted=(rng.random(n) < knobs.delete_share) & ~outage,
    )


def _longest_to_the_neediest(
    rng: np.random.Generator, resolution: np.ndarray, waits: np.ndarray, knobs: Knobs
) -> np.ndarray:
    """Hand the window's drawn resolution times out by rank: the longer a ticket's waits
    (first response, pending, on hold, engineering), the longer its resolution, with noise.

    A permutation, so the resolution times are still exactly the fitted law's draws; but
    a ticket waiting days on its customer is not also solved in minutes (the logs show the
    same: tickets with waits are the long ones), and the waits keep their fitted lengths.
    """
    key = np.log1p(waits / 3600.0) + rng.normal(0.0, knobs.resolution_noise, len(waits))
    out = np.empty_like(resolution)
    out[np.argsort(key, kind="stable")] = np.sort(resolution, kind="stable")
    return out


def _channel_p() -> np.ndarray:
    return np.asarray([CHANNEL_MIX[c] for c in CHANNELS], dtype=float)


def _rounds(
    rng: np.random.Generator, pending: np.ndarray, on_hold: np.ndarray, knobs: Knobs
) -> list[list[int]]:
    """Round codes per ticket (lifecycle.ROUND_*), in a random order, 0-padded to 12."""
    n = len(pending)
    follow = rng.poisson(knobs.followup_rate, n)
    notes = rng.poisson(knobs.note_rate, n)
    slot = np.arange(MAX_ROUNDS)[None, :]
    ends = np.cumsum(np.stack([pending, on_hold, follow, notes], axis=1), axis=1)
    codes = np.where(
        slot < ends[:, :1], ROUND_PENDING,
        np.where(slot < ends[:, 1:2], ROUND_ON_HOLD,
                 np.where(slot < ends[:, 2:3], ROUND_FOLLOW_UP,
                          np.where(slot < ends[:, 3:4], ROUND_NOTE, ROUND_END))),
    )  # fmt: skip
    keys = rng.random((n, MAX_ROUNDS)) + (codes == ROUND_END)
    shuffled = np.take_along_axis(codes, np.argsort(keys, axis=1), axis=1)
    rounds: list[list[int]] = shuffled.tolist()
    return rounds
