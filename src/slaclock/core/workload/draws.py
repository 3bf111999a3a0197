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
    followup_rate: float = 1.0  # Poisson mean of customer follow-ups per ticket
    note_rate: float = 0.6  # Poisson mean of internal notes per ticket
    more_pending_share: float = 0.35  # chance of each further pending round
    delete_share: float = 0.004  # spam, deleted soon after creation


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
    agents: int,
    eng_agents: int,
) -> WindowDraws:
    n = len(outage)
    rates = params.RATES
    priority = rng.choice(
        len(PRIORITIES), n, p=_mix({k: params.PRIORITY_MIX[k] for k in PRIORITIES})
    )
    priority = np.where(outage, np.where(rng.random(n) < 0.4, 3, 2), priority)
    fr_scale = np.where(outage, knobs.outage_response_scale, 1.0)
    res_scale = np.where(outage, knobs.outage_resolution_scale, 1.0)
    return WindowDraws(
        priority=priority,
        channel=rng.choice(len(CHANNELS), n, p=_channel_p()),
        type_=rng.choice(len(TYPE_MIX), n, p=_mix(TYPE_MIX)),
        by=np.where(outage, 0, rng.choice(len(BY_MIX), n, p=_mix(BY_MIX))),
        topic=rng.integers(0, 1 << 30, n),
        subject=rng.integers(0, 1 << 30, n),
        requester=rng.integers(0, 1 << 30, n),
        agent=rng.integers(0, agents, n),
        eng_agent=rng.integers(0, max(1, eng_agents), n),
        first_response=laws["first_response"].draw(rng, n) * fr_scale,
        resolution=laws["resolution"].draw(rng, n) * res_scale,
        rounds=_rounds(rng, n, knobs),
        engineering=rng.random(n) < float(rates["engineering"]),
        priority_up=(rng.random(n) < float(rates["priority_change"])) & (priority < 3),
        reopen=rng.random(n) < float(rates["reopen"]),
        deleted=(rng.random(n) < knobs.delete_share) & ~outage,
    )


def _channel_p() -> np.ndarray:
    return np.asarray([CHANNEL_MIX[c] for c in CHANNELS], dtype=float)


def _rounds(rng: np.random.Generator, n: int, knobs: Knobs) -> list[list[int]]:
    """Round codes per ticket (lifecycle.ROUND_*), in a random order, 0-padded to 12."""
    rates = params.RATES
    pending = np.where(rng.random(n) < float(rates["pending"]),
                       rng.geometric(1.0 - knobs.more_pending_share, n), 0)  # fmt: skip
    on_hold = (rng.random(n) < float(rates["on_hold"])).astype(np.int64)
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
