"""An SLA instance as the outside world sees it: events.md, "Instances"."""

from __future__ import annotations

from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from slaclock.core.bounded_cache import BoundedCache, cached
from slaclock.core.instants import format_instant, instant_text

__all__ = ["INSTANCE_KEYS", "STATES", "Instance", "json_line"]

STATES: tuple[str, ...] = ("running", "paused", "met", "breached", "cancelled")

#: The replay JSON's keys, in the order of events.md's example.
INSTANCE_KEYS: tuple[str, ...] = (
    "ticket", "metric", "kind", "cycle", "policy", "policy_version", "calendar",
    "target_seconds", "goal_seconds", "started_at", "due_at", "goal_due_at", "goal_breached",
    "stopped_at", "state", "breached", "breached_at", "elapsed_seconds", "paused_seconds",
    "remaining_seconds",
)  # fmt: skip


class Instance(NamedTuple):
    """One clock of one ticket (one cycle for repeating metrics), as of some instant."""

    ticket: str
    metric: str
    kind: str
    cycle: int
    policy: str
    policy_version: int
    calendar: str
    target_seconds: int
    goal_seconds: int | None
    started_at: datetime
    due_at: datetime | None
    goal_due_at: datetime | None
    goal_breached: bool | None
    stopped_at: datetime | None
    state: str
    breached: bool
    breached_at: datetime | None
    elapsed_seconds: int
    paused_seconds: int
    remaining_seconds: int

    @property
    def key(self) -> tuple[str, str, str, int]:
        """Identity within a ticket: kind, metric, OLA id ("" for SLAs), cycle."""
        return (self.kind, self.metric, self.policy if self.kind == "ola" else "", self.cycle)

    @property
    def sort_key(self) -> tuple[str, str, str, int, str]:
        """The replay order: ticket, kind, metric, cycle (then the OLA id, for ties)."""
        return (self.ticket, self.kind, self.metric, self.cycle, self.policy)

    def to_json(self) -> dict[str, Any]:
        """The replay JSON object: exactly :data:`INSTANCE_KEYS`, instants as ``…Z``."""
        return {
            "ticket": self.ticket,
            "metric": self.metric,
            "kind": self.kind,
            "cycle": self.cycle,
            "policy": self.policy,
            "policy_version": self.policy_version,
            "calendar": self.calendar,
            "target_seconds": self.target_seconds,
            "goal_seconds": self.goal_seconds,
            "started_at": format_instant(self.started_at),
            "due_at": format_instant(self.due_at),
            "goal_due_at": format_instant(self.goal_due_at),
            "goal_breached": self.goal_breached,
            "stopped_at": format_instant(self.stopped_at),
            "state": self.state,
            "breached": self.breached,
            "breached_at": format_instant(self.breached_at),
            "elapsed_seconds": self.elapsed_seconds,
            "paused_seconds": self.paused_seconds,
            "remaining_seconds": self.remaining_seconds,
        }


def json_line(instance: Instance) -> str:
    """``json.dumps(instance.to_json(), separators=(",", ":"))``, several times faster.

    ``slaclock replay`` writes one line per instance; building the dict and running the
    generic encoder cost a fifth of a replay. Strings go through the encoder's own
    escaping, so the bytes are the same (a test compares them). The instance is unpacked
    into locals once, instead of twenty attribute lookups on the named tuple.
    """
    (
        ticket, metric, kind, cycle, policy, policy_version, calendar, target_seconds,
        goal_seconds, started_at, due_at, goal_due_at, goal_breached, stopped_at, state,
        breached, breached_at, elapsed_seconds, paused_seconds, remaining_seconds,
    ) = instance  # fmt: skip
    names = _STRINGS
    return (
        f'{{"ticket":{encode_basestring_ascii(ticket)},"metric":{cached(names, metric)},'
        f'"kind":{cached(names, kind)},"cycle":{_int(cycle)},"policy":{cached(names, policy)},'
        f'"policy_version":{_int(policy_version)},"calendar":{cached(names, calendar)},'
        f'"target_seconds":{_int(target_seconds)},'
        f'"goal_seconds":{_num(goal_seconds)},"started_at":{_at(started_at)},'
        f'"due_at":{_at(due_at)},"goal_due_at":{_at(goal_due_at)},'
        f'"goal_breached":{_JSON_BOOL[goal_breached]},"stopped_at":{_at(stopped_at)},'
        f'"state":{cached(names, state)},"breached":{_JSON_BOOL[breached]},'
        f'"breached_at":{_at(breached_at)},"elapsed_seconds":{elapsed_seconds!r},'
        f'"paused_seconds":{paused_seconds!r},"remaining_seconds":{remaining_seconds!r}}}'
    )


_JSON_BOOL = {True: "true", False: "false", None: "null"}
#: JSON string literals of the few names that repeat (metrics, kinds, policies, states).
_STRINGS: BoundedCache[str, str] = BoundedCache(encode_basestring_ascii)
#: The text of ints that repeat (cycles, policy versions, targets).
_INT_TEXTS: BoundedCache[int, str] = BoundedCache(repr)


def _num(value: int | None) -> str:
    return "null" if value is None else _int(value)


def _int(value: int) -> str:
    """``repr`` of a number; an int's text is remembered (cycles, versions and targets
    take a few values, and a ``repr`` costs several dict lookups' time)."""
    if type(value) is int:  # not bool, not float: 1, True and 1.0 are one dict key
        return cached(_INT_TEXTS, value)
    return repr(value)


def _at(value: datetime | None) -> str:
    return "null" if value is None else instant_text(value, True)
