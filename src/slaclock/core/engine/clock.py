"""One running clock (an instance in the making) kept as real-time segments.

A clock stores *what happened in real time*: when it ran, when it was paused, when it
stopped. Calendar arithmetic happens only when the clock is read (:meth:`Clock.render`).
That makes every re-targeting rule a small edit of the segments:

- ``retroactive``: swap the binding; the same segments are measured on the new calendar;
- ``keep_elapsed``: measure what was consumed on the old calendar, keep it as a base,
  and start a new segment list at the change instant;
- ``restart``: drop the segments and start again at the change instant.

``due_at`` is where the running segments' open time first reaches the target:
``calendar.add(start of that segment, target - open time before it)``.
"""

from __future__ import annotations

from datetime import datetime

from slaclock.core.engine.compiled import Binding
from slaclock.core.engine.instance import Instance
from slaclock.core.engine.track import Track

__all__ = ["Clock", "Measure"]

#: A clock's closed segments of real time: (start, end, paused).
Segment = tuple[datetime, datetime, bool]


class Measure:
    """A clock read on its calendar as of an instant (internal to the engine)."""

    __slots__ = ("due_at", "elapsed", "goal_due_at", "paused")

    def __init__(
        self, elapsed: float, paused: float, due_at: datetime | None, goal_due_at: datetime | None
    ) -> None:
        self.elapsed = elapsed
        self.paused = paused
        self.due_at = due_at
        self.goal_due_at = goal_due_at


class Clock:
    """Mutable state of one clock; ``binding`` None means no target applies (not shown)."""

    __slots__ = (
        "base_elapsed", "base_paused", "binding", "cycle", "ended", "open_at", "open_paused",
        "previous", "rendered", "segments", "started_at", "stopped_at", "target_seconds",
        "trace", "track",
    )  # fmt: skip

    def __init__(self, track: Track, at: datetime, paused: bool, binding: Binding | None) -> None:
        """A clock started ``at``, paused or not, with its target (None: no target)."""
        self.track = track
        self.cycle = -1  # numbered when it first becomes visible
        self.started_at = at
        self.binding = binding
        self.target_seconds = binding.target_seconds if binding else 0
        self.segments: list[Segment] = []
        self.open_at: datetime | None = at
        self.open_paused = paused
        self.base_elapsed = 0.0
        self.base_paused = 0.0
        self.stopped_at: datetime | None = None
        self.ended: str | None = None  # None (active), "stopped", "cancelled"
        self.trace: list[tuple[datetime, str, str, str]] | None = None
        #: The same track's clock before this one (an earlier cycle), if any.
        self.previous: Clock | None = None
        #: An ended clock's instance: it no longer changes with time (see ``render``).
        self.rendered: Instance | None = None

    # ------------------------------------------------------------------ transitions

    def set_paused(self, at: datetime, paused: bool) -> bool:
        """Pause or resume at ``at``; True when that changed anything."""
        if self.open_at is None or paused == self.open_paused:
            return False
        self._close(at)
        self.open_at = at
        self.open_paused = paused
        return True

    def stop(self, at: datetime, ended: str = "stopped") -> None:
        self._close(at)
        self.stopped_at = at
        self.ended = ended

    def resume(self, at: datetime, paused: bool) -> None:
        """A reopen: the same clock runs again; the stopped time counts for nothing."""
        self.open_at = at
        self.open_paused = paused
        self.stopped_at = None
        self.ended = None
        self.rendered = None

    def retarget(self, at: datetime, new: Binding) -> None:
        """Follow a change of target, calendar or policy by the new policy's rule."""
        old = self.binding
        mode = new.retarget.mode
        self.binding = new
        self.target_seconds = new.target_seconds
        if old is None or mode == "retroactive":
            return
        if mode == "restart":
            self.segments = []
            self.base_elapsed = self.base_paused = 0.0
            self.started_at = at
        else:  # keep_elapsed: what the old calendar counted up to the change is kept
            consumed = old.calendar
            elapsed = self.base_elapsed
            paused = self.base_paused
            open_at = self.open_at
            self._close(at)  # the open part up to the change counts on the old calendar too
            self.open_at = open_at  # and the clock runs on from the change (below)
            for start, end, was_paused in self.segments:
                amount = consumed.elapsed(start, end)
                if was_paused:
                    paused += amount
                else:
                    elapsed += amount
            self.segments = []
            self.base_elapsed, self.base_paused = elapsed, paused
            grace = new.retarget.grace_seconds
            self.target_seconds = max(new.target_seconds, round(elapsed) + grace)
        if self.open_at is not None:
            self.open_at = at

    def _close(self, at: datetime) -> None:
        if self.open_at is not None and at > self.open_at:
            self.segments.append((self.open_at, at, self.open_paused))
        self.open_at = None  # open_paused stays: whether it stopped while paused

    # ---------------------------------------------------------------------- reading

    def measure(self, as_of: datetime) -> Measure:
        """Elapsed and paused open time, ``due_at`` and ``goal_due_at``, as of ``as_of``."""
        binding = self.binding
        assert binding is not None
        calendar = binding.calendar
        target = self.target_seconds
        goal = binding.goal_seconds
        elapsed, paused = self.base_elapsed, self.base_paused
        due_at: datetime | None = None
        goal_due_at: datetime | None = None
        for start, end, was_paused in self.segments:
            amount = calendar.elapsed(start, end)
            if was_paused:
                paused += amount
                continue
            if due_at is None and target - elapsed <= amount:
                due_at = calendar.add(start, target - elapsed)
            if goal is not None and goal_due_at is None and goal - elapsed <= amount:
                goal_due_at = calendar.add(start, goal - elapsed)
            elapsed += amount
        # Not reached within the closed segments: project from where the clock is now.
        anchor = self._anchor()
        if anchor is not None:
            if due_at is None:
                due_at = calendar.add(anchor, target - elapsed)
            if goal is not None and goal_due_at is None:
                goal_due_at = calendar.add(anchor, goal - elapsed)
        if self.open_at is not None and as_of > self.open_at:
            amount = calendar.elapsed(self.open_at, as_of)
            if self.open_paused:
                paused += amount
            else:
                elapsed += amount
        return Measure(elapsed, paused, due_at, goal_due_at)

    def reach(self, amount: float) -> datetime | None:
        """The instant the clock's open time reaches ``amount`` (None: paused before it)."""
        binding = self.binding
        assert binding is not None
        calendar = binding.calendar
        elapsed = self.base_elapsed
        for start, end, was_paused in self.segments:
            if was_paused:
                continue
            part = calendar.elapsed(start, end)
            if amount - elapsed <= part:
                return calendar.add(start, amount - elapsed)
            elapsed += part
        anchor = self._anchor()
        return None if anchor is None else calendar.add(anchor, amount - elapsed)

    def _anchor(self) -> datetime | None:
        """Where an unreached due time is projected from; None while paused (no due)."""
        if self.ended is None:
            return None if self.open_paused else self.open_at
        if self.ended == "cancelled" and self.open_paused:
            return None  # cancelled while paused: due_at stays as it was, null
        return self.stopped_at

    def render(self, ticket_id: str, as_of: datetime) -> Instance:
        """The instance of events.md as of ``as_of``.

        An ended clock reads the same at every later instant, so it is rendered once
        and the same instance returned after (until a reopen resumes it): a ticket of
        thousands of cycles renders only the clocks that can still change, and the
        projection recognises an unchanged instance by its identity.
        """
        if self.rendered is not None:
            return self.rendered
        binding = self.binding
        assert binding is not None
        m = self.measure(as_of)
        elapsed = _whole_up(m.elapsed)
        goal = binding.goal_seconds
        if self.ended == "cancelled":
            state, breached = "cancelled", False
            goal_breached: bool | None = False
        else:
            # policies.md: breached when the elapsed open time exceeds the target, so a
            # stop at due_at, or in the closed hours right after it, is met.
            breached = elapsed > self.target_seconds
            goal_breached = goal is not None and elapsed > goal
            if self.ended == "stopped":
                state = "breached" if breached else "met"
            elif breached:
                state = "breached"
            else:
                state = "paused" if self.open_paused else "running"
        if goal is None:
            goal_breached = None
        instance = Instance(
            ticket=ticket_id,
            metric=self.track.metric,
            kind=self.track.kind,
            cycle=self.cycle,
            policy=binding.policy_id,
            policy_version=binding.policy_version,
            calendar=binding.calendar.id,
            target_seconds=self.target_seconds,
            goal_seconds=goal,
            started_at=self.started_at,
            due_at=m.due_at,
            goal_due_at=m.goal_due_at,
            goal_breached=goal_breached,
            stopped_at=self.stopped_at,
            state=state,
            breached=breached,
            breached_at=m.due_at if breached else None,
            elapsed_seconds=elapsed,
            paused_seconds=round(m.paused),
            remaining_seconds=self.target_seconds - elapsed,
        )
        if self.ended is not None:
            self.rendered = instance
        return instance


def _whole_up(seconds: float) -> int:
    """Elapsed open time in whole seconds, a started second counted: any open time
    beyond the target, however little, shows as ``remaining_seconds < 0`` and so as a
    breach (events.md). The float is first taken to the microsecond (what instants
    carry), so a sum like 0.7 + 0.3 does not count a second it never had."""
    return -(-round(seconds * 1_000_000) // 1_000_000)
