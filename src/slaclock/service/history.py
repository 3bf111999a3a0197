"""Which configuration judges which instance, so a policy edit never rewrites the past.

Each stored configuration version is in force from its ``created_at`` until the next
version (the first one also governs everything before it). An instance is judged by
the version in force when it stopped; a running one follows the version in force at
the instant read (re-targeted from its original start, as the engine does). The
engine knows one configuration at a time, so for an instant T the service replays
the ticket with the version in force at T and, only when some instance stopped
before that version began, once more with each version in force at those stops,
taking each such instance from the replay of its own version when that replay
stopped it at the same instant (see docs/store.md, "Configuration history").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slaclock.core.events import Event

if TYPE_CHECKING:
    from slaclock.core.engine import Engine, Explanation, Instance


@dataclass(frozen=True)
class Span:
    """A configuration version and the instant it came into force."""

    version: int
    created_at: datetime


def version_at(spans: Sequence[Span], at: datetime) -> int:
    """The version in force at ``at``: the newest stored by then, else the first; 0 if none."""
    best = 0
    for span in spans:
        if span.created_at <= at and span.version > best:
            best = span.version
    if best == 0 and spans:
        return min(span.version for span in spans)
    return best


def instance_key(inst: Instance) -> tuple[str, str, int]:
    return (inst.kind, inst.metric, inst.cycle)


@dataclass(frozen=True)
class Judges:
    """The engines that judge a ticket's instances as of one instant T.

    ``version``/``engine``: the version in force at T; ``since``: when it came into
    force, or None when no earlier version can apply (the first version, or the only
    one), which is the fast path: one replay and nothing more.
    """

    version: int
    engine: Engine
    since: datetime | None
    spans: tuple[Span, ...]
    engine_of: Callable[[int], Engine]

    @classmethod
    def at(cls, spans: Sequence[Span], at: datetime, engine_of: Callable[[int], Engine]) -> Judges:
        """The judges as of ``at``; ``engine_of(version)`` is asked once per version (so a
        version's engine stays one object for the whole transaction or read)."""
        memo: dict[int, Engine] = {}

        def engine(version: int) -> Engine:
            if version not in memo:
                memo[version] = engine_of(version)
            return memo[version]

        version = version_at(spans, at)
        first = min((s.version for s in spans), default=0)
        since = next((s.created_at for s in spans if s.version == version), None)
        return cls(version, engine(version), None if version == first else since,
                   tuple(spans), engine)  # fmt: skip

    def _older(self, stopped_at: datetime | None) -> int | None:
        """The earlier version that judges an instance stopped at ``stopped_at``, if any."""
        if stopped_at is None or self.since is None or stopped_at >= self.since:
            return None
        version = version_at(self.spans, stopped_at)
        return None if version == self.version else version

    def needed(self, instances: Iterable[Instance]) -> set[int]:
        """The earlier versions whose replays this ticket's stopped instances call for."""
        if self.since is None:
            return set()
        return {v for i in instances if (v := self._older(i.stopped_at)) is not None}

    def merge(
        self, instances: Sequence[Instance], olds: Mapping[int, Sequence[Instance]]
    ) -> list[Instance]:
        """``instances`` (the current version's), each instance stopped under an earlier
        version taken from that version's replay when it stopped there at the same instant."""
        if not olds:
            return list(instances)
        by_version = {v: {instance_key(i): i for i in found} for v, found in olds.items()}
        out: list[Instance] = []
        for inst in instances:
            version = self._older(inst.stopped_at)
            old = by_version.get(version, {}).get(instance_key(inst)) if version else None
            out.append(old if old is not None and old.stopped_at == inst.stopped_at else inst)
        return out

    def replay(self, events: Sequence[Event], as_of: datetime) -> list[Instance]:
        """The ticket's instances as of ``as_of``, each judged by its own version."""
        current = self.engine.replay_ticket(events, as_of).instances
        olds = {
            v: self.engine_of(v).replay_ticket(events, as_of).instances
            for v in sorted(self.needed(current))
        }
        return self.merge(current, olds)

    def explain(self, events: Sequence[Event], as_of: datetime) -> Explanation:
        """The explanation as of ``as_of``; an instance judged by an earlier version is
        explained by that version's replay."""
        explanation = self.engine.explain_ticket(events, as_of)
        current = self.engine.replay_ticket(events, as_of).instances
        needed = self.needed(current)
        if not needed:
            return explanation
        olds = {v: self.engine_of(v).replay_ticket(events, as_of).instances for v in needed}
        merged = self.merge(current, olds)
        taken = {
            instance_key(new): self._older(new.stopped_at)
            for old, new in zip(current, merged, strict=True)
            if new is not old
        }
        entries: dict[int, dict[tuple[str, str, int], Any]] = {}
        for version in {v for v in taken.values() if v is not None}:
            told = self.engine_of(version).explain_ticket(events, as_of)
            entries[version] = {_entry_key(e): e for e in told.instances}
        return dataclasses.replace(
            explanation,
            instances=[
                entries[v].get(key, entry)
                if (v := taken.get(key := _entry_key(entry))) is not None
                else entry
                for entry in explanation.instances
            ],
        )


def _entry_key(entry: Mapping[str, Any]) -> tuple[str, str, int]:
    inst = entry["instance"]
    return (inst["kind"], inst["metric"], inst["cycle"])
