"""One ticket's life as timed rows: the replies, waits, transfers and solves it goes through.

The shape follows what the real logs show: the first agent action after a fitted delay,
a resolution after a fitted total time (``resolution`` is drawn whole, so its distribution
is the fitted one unless the conversation runs past it), and in between rounds of waiting
on the customer (``pending``), third parties (``on_hold``), customer follow-ups and
internal notes, each wait drawn from its own fitted law. A wait still running when the
resolution time comes is cut short by the solve (tickets are solved while pending).
Agent actions are moved into the handling team's office hours most of the time.

Rows are ``(at, order, kind, a, b)`` tuples: ``a``/``b`` are vocabulary codes (agent,
group, status, priority) so that rows stay small until they are emitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from slaclock.core.workload.hours import OfficeHours

CREATED, REPLY, NOTE, CUSTOMER, STATUS, ASSIGN, TRANSFER, PRIORITY, DELETED = range(9)
MAX_ROUNDS = 12
ROUND_END, ROUND_PENDING, ROUND_ON_HOLD, ROUND_FOLLOW_UP, ROUND_NOTE = range(5)

Row = tuple[int, int, int, int, int]


class Pool:
    """Pre-drawn random values handed out one at a time (vectorised draws, scalar use).

    Refills from the same generator when empty, so the sequence depends only on the seed.
    """

    __slots__ = ("_draw", "_i", "_size", "_values")

    def __init__(self, draw: Callable[[int], np.ndarray], size: int) -> None:
        self._draw, self._size = draw, max(64, size)
        self._values: list[float] = []
        self._i = 0

    def __call__(self) -> float:
        if self._i >= len(self._values):
            self._values = self._draw(self._size).tolist()
            self._i = 0
        value = self._values[self._i]
        self._i += 1
        return value


@dataclass(frozen=True)
class Codes:
    """Vocabulary codes of the statuses and groups the rows refer to."""

    open: int
    pending: int
    on_hold: int
    solved: int
    closed: int
    engineering: int  # -1 when the configuration has no second team


class TicketDraw(NamedTuple):
    """Everything drawn up front (vectorised) for one ticket; a tuple for speed."""

    t0: int
    by_agent: bool
    on_call: bool  # outages are worked around the clock
    deleted: bool
    agent: int
    eng_agent: int
    front_group: int  # vocabulary code of the team the ticket starts with
    first_response_seconds: float
    resolution_seconds: float
    pending_seconds: float  # the first pending wait; later ones come from the pool
    on_hold_seconds: float
    stint_seconds: float
    rounds: list[int]  # ROUND_* codes in order; a 0 ends the list
    engineering: bool
    priority_code_up: int  # vocabulary code of the raised priority, -1: no change
    reopen: bool
    front_hours: OfficeHours
    eng_hours: OfficeHours


@dataclass
class Pools:
    uniform: Pool
    pending: Pool
    next_response: Pool
    resolution: Pool
    close: Pool


class Planner:
    """Turns a :class:`TicketDraw` into rows; stateless apart from its random pools."""

    def __init__(self, pools: Pools, codes: Codes, business_hours_share: float) -> None:
        self.p, self.codes, self.share = pools, codes, business_hours_share

    def work(self, t: int, seconds: float, hours: OfficeHours, on_call: bool) -> int:
        """When an agent acts ``seconds`` of working time after ``t``.

        The laws of agent work were fitted in business time, so the time is added on the
        team's office hours (the action lands inside them), except for outages (on call)
        and a share of actions done out of hours (``1 - business_hours_share``).
        """
        if on_call or hours.always_open or self.p.uniform() >= self.share:
            return t + int(seconds)
        return hours.add(t, int(seconds))

    def plan(self, d: TicketDraw) -> list[Row]:
        (
            t0,
            by_agent,
            on_call,
            deleted,
            agent,
            _,
            _,
            fr,
            res,
            _,
            _,
            _,
            _,
            eng,
            up,
            reopen,
            front,
            _,
        ) = d
        rows: list[Row] = [(t0, 0, CREATED, -1, -1)]
        if deleted:
            rows.append((t0 + 300 + int(self.p.uniform() * 10800), 1, DELETED, -1, -1))
            return rows
        t = t0
        if not by_agent:
            t = self.work(t0, fr, front, on_call)
            rows.append((t, 1, ASSIGN, agent, -1))
            rows.append((t, 2, REPLY, agent, -1))
        solve = self.work(t0, res, front, on_call)
        if solve <= t:
            solve = t + 60 + int(self.p.uniform() * 540)
        stint = (0, 0)
        if eng and self.codes.engineering >= 0:
            stint = self._engineering(d, t, solve, rows)
        solve = self._rounds(d, t, solve, stint, rows)
        if up >= 0:
            rows.append((t0 + int(self.p.uniform() * (solve - t0)), len(rows), PRIORITY, up, -1))
        rows.append((solve, len(rows), STATUS, self.codes.solved, -1))
        if reopen:
            solve = self._reopen(d, solve, rows)
        rows.append((solve + int(self.p.close()), len(rows), STATUS, self.codes.closed, -1))
        rows.sort()
        return rows

    def _rounds(
        self, d: TicketDraw, t: int, solve: int, stint: tuple[int, int], rows: list[Row]
    ) -> int:
        """Conversation rounds after the first reply; returns the (maybe later) solve time.

        While the ticket sits with engineering (``stint``), its agent writes the replies.
        """
        p, codes = self.p, self.codes
        enter, back = stint
        pending_wait = d.pending_seconds
        for kind in d.rounds:
            if kind == ROUND_END:
                break
            if kind == ROUND_NOTE:
                at = t + int(p.uniform() * 7200)
                if at < solve:
                    author = d.eng_agent if enter <= at < back else d.agent
                    rows.append((at, len(rows), NOTE, author, -1))
                continue
            if kind == ROUND_ON_HOLD:
                at = t + int(p.uniform() * 600)
                rows.append((at, len(rows), STATUS, codes.on_hold, -1))
                answer = at + int(d.on_hold_seconds)
                if answer >= solve:
                    break
                rows.append((answer, len(rows), STATUS, codes.open, -1))
            else:
                if kind == ROUND_PENDING:
                    rows.append((t, len(rows), STATUS, codes.pending, -1))
                    answer = t + int(pending_wait)
                    pending_wait = p.pending()
                    if answer >= solve:
                        break
                else:  # a customer chasing an open ticket: some time before the solve
                    answer = t + int(p.uniform() * (solve - t))
                rows.append((answer, len(rows), CUSTOMER, -1, -1))
            t = min(solve, self.work(answer, p.next_response(), d.front_hours, d.on_call))
            rows.append((t, len(rows), REPLY, d.eng_agent if enter <= t < back else d.agent, -1))
            if t >= solve:  # the answer came with the solve
                break
        return solve

    def _engineering(self, d: TicketDraw, t: int, solve: int, rows: list[Row]) -> tuple[int, int]:
        """To engineering and back, with an engineering note in between: (enter, back)."""
        p, codes = self.p, self.codes
        enter = t + int(p.uniform() * max(0, solve - t) * 0.5)
        stint = d.stint_seconds
        back = min(solve, self.work(enter, stint, d.eng_hours, d.on_call))
        note = min(back, self.work(enter, stint * (0.1 + 0.5 * p.uniform()), d.eng_hours,
                                   d.on_call))  # fmt: skip
        rows.append((enter, len(rows), TRANSFER, codes.engineering, d.eng_agent))
        rows.append((note, len(rows), NOTE, d.eng_agent, -1))
        rows.append((back, len(rows), TRANSFER, d.front_group, d.agent))
        return enter, back

    def _reopen(self, d: TicketDraw, solve: int, rows: list[Row]) -> int:
        """The customer writes again after the solve; it is answered and solved again."""
        p = self.p
        at = solve + 60 + int(p.pending())
        rows.append((at, len(rows), CUSTOMER, -1, -1))
        reply = self.work(at, p.next_response(), d.front_hours, d.on_call)
        rows.append((reply, len(rows), REPLY, d.agent, -1))
        again = max(reply + 60, self.work(at, p.resolution() * 0.3, d.front_hours, d.on_call))
        rows.append((again, len(rows), STATUS, self.codes.solved, -1))
        return again
