"""What-if: the stored events of a window replayed under a draft configuration, beside
the verdicts they have now (reports.md; docs/reports.md, "What-if").

For every ticket alive in ``[start, end)`` (``store/window.py``) the events are loaded
from the log and replayed twice, in memory, as of ``as_of``:

- **before**: by the configuration versions as the service judges (each stopped
  instance by the version in force when it stopped, running ones by the version in
  force at ``as_of``: :class:`~slaclock.service.history.Judges`), the verdicts the
  compliance report gives;
- **after**: by the draft alone, as if it had been in force all along. Its policies
  carry the versions they would get if it were applied, so a draft equal to the current
  text gives the same instances.

Each replay's instances are judged by the rules of reports.md ("Which instances a
period holds"): ``met``/``breached`` at ``stopped_at`` once stopped, ``breached`` at
``due_at`` while running past the target, else ``open``; cancelled ones never count.
A period holds the instances judged in it, and the open ones started in it. The figures
are counted per kind × policy × metric; a **flip** is an instance (ticket, kind, metric,
cycle) judged ``met`` by one replay and ``breached`` by the other, judged in the window
by either, with the reason read off the two instances (policy, target, calendar, pause
time, elapsed time).

Nothing is written: the projection (tickets, instances, schedule) is not touched. The
tickets are replayed in batches of :data:`BATCH_TICKETS` (one query for their events),
all inside one read transaction, so memory stays bounded by a batch and the figures
are those of one snapshot. The service's own escalation actions stay as they were
stored (the events they wrote are replayed like any other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slaclock.core.config import parse_config
from slaclock.core.durations import format_duration
from slaclock.core.engine import Engine, Instance
from slaclock.core.events import Event
from slaclock.core.model import Config
from slaclock.service.app_state import Services
from slaclock.service.config_versions import ConfigService, next_policy_versions, with_versions
from slaclock.service.formats import iso_z
from slaclock.service.history import Judges
from slaclock.service.reports import ReportError
from slaclock.store.database import Database, Tx
from slaclock.store.window import reading_window

__all__ = [
    "BATCH_TICKETS",
    "FLIPS_KEPT",
    "ROW_FIGURES",
    "Flip",
    "Progress",
    "WhatIf",
    "WhatIfRow",
    "check_window",
    "flip_reason",
    "parse_draft",
    "verdict",
    "what_if",
]

#: Tickets whose events one query loads and one step replays.
BATCH_TICKETS = 500
#: Flips listed in a result (all are counted); the first by ticket, kind, metric, cycle.
FLIPS_KEPT = 10_000
#: The figures of each row, before and after.
ROW_FIGURES = ("met", "breached", "open", "compliance")
#: ``progress(done, total)``: tickets replayed so far, of all the window's.
Progress = Callable[[int, int], None]
_JUDGED = ("met", "breached")


def parse_draft(text: str, name: str = "<draft>") -> Config:
    """The draft, validated as ``slaclock validate`` and ``PUT /config`` do; ConfigError
    (every problem with file ``name``, line, key path and value) when it is invalid."""
    return parse_config(text, name)


def verdict(inst: Instance, as_of: datetime) -> tuple[str, datetime | None] | None:
    """reports.md, "Which instances a period holds": ``(verdict, judgement instant)`` of
    an instance as of ``as_of`` (None for a cancelled one, never counted)."""
    if inst.state == "cancelled" or inst.started_at > as_of:
        return None
    if inst.state in _JUDGED and inst.stopped_at is not None and inst.stopped_at <= as_of:
        return inst.state, inst.stopped_at
    if inst.state == "breached" and inst.due_at is not None and inst.due_at <= as_of:
        return "breached", inst.due_at  # running past its target
    return "open", None


@dataclass
class WhatIfRow:
    """The counts of one kind × policy × metric, before and after."""

    kind: str
    policy: str
    metric: str
    before: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("met", "breached", "open"), 0)
    )
    after: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("met", "breached", "open"), 0)
    )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "policy": self.policy, "metric": self.metric}
        for side, counts in (("before", self.before), ("after", self.after)):
            for name, value in _figures(counts).items():
                out[f"{name}_{side}"] = value
        b, a = out["compliance_before"], out["compliance_after"]
        out["compliance_change"] = None if a is None or b is None else a - b
        return out


def _figures(counts: Mapping[str, int]) -> dict[str, Any]:
    met, breached = counts["met"], counts["breached"]
    compliance = met / (met + breached) if met + breached else None
    return {"met": met, "breached": breached, "open": counts["open"], "compliance": compliance}


@dataclass(frozen=True)
class Flip:
    """An instance judged ``met`` by one replay and ``breached`` by the other."""

    ticket: str
    kind: str
    metric: str
    cycle: int
    before: str
    after: str
    reason: str
    judged_at: datetime | None  # after the draft (else before)
    policy_before: str
    policy_after: str
    target_seconds_before: int
    target_seconds_after: int
    elapsed_seconds_before: int
    elapsed_seconds_after: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket, "kind": self.kind, "metric": self.metric,
            "cycle": self.cycle, "before": self.before, "after": self.after,
            "reason": self.reason, "judged_at": iso_z(self.judged_at),
            "policy_before": self.policy_before, "policy_after": self.policy_after,
            "target_seconds_before": self.target_seconds_before,
            "target_seconds_after": self.target_seconds_after,
            "elapsed_seconds_before": self.elapsed_seconds_before,
            "elapsed_seconds_after": self.elapsed_seconds_after,
        }  # fmt: skip


@dataclass
class WhatIf:
    """The result: counts per kind × policy × metric and in total, and the flips."""

    start: datetime
    end: datetime
    as_of: datetime
    version: int  # the configuration version in force at ``as_of`` (the "before")
    tickets: int = 0
    rows: dict[tuple[str, str, str], WhatIfRow] = field(default_factory=dict)
    flips: list[Flip] = field(default_factory=list)
    flips_total: int = 0
    met_to_breached: int = 0
    breached_to_met: int = 0

    def row(self, kind: str, policy: str, metric: str) -> WhatIfRow:
        key = (kind, policy, metric)
        found = self.rows.get(key)
        if found is None:
            found = self.rows[key] = WhatIfRow(kind, policy, metric)
        return found

    def sorted_rows(self) -> list[WhatIfRow]:
        return [self.rows[key] for key in sorted(self.rows)]

    def totals(self, side: str) -> dict[str, Any]:
        counts = dict.fromkeys(("met", "breached", "open"), 0)
        for row in self.rows.values():
            for name, value in getattr(row, side).items():
                counts[name] += value
        return _figures(counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": iso_z(self.start), "to": iso_z(self.end), "as_of": iso_z(self.as_of),
            "version": self.version, "tickets": self.tickets,
            "before": self.totals("before"), "after": self.totals("after"),
            "rows": [row.to_json() for row in self.sorted_rows()],
            "flips_total": self.flips_total, "met_to_breached": self.met_to_breached,
            "breached_to_met": self.breached_to_met,
            "flips": [flip.to_json() for flip in self.flips],
            "flips_listed": len(self.flips),
        }  # fmt: skip


def what_if(
    services_or_db: Services | Database,
    draft: str | Config,
    start: datetime,
    end: datetime,
    as_of: datetime,
    progress: Progress | None = None,
    *,
    draft_name: str = "<draft>",
    flips_kept: int = FLIPS_KEPT,
) -> WhatIf:
    """Replay the tickets alive in ``[start, end)`` before and after ``draft`` (text, or
    a parsed configuration) as of ``as_of``; see the module. ``progress(done, total)``
    is called after each batch. Raises ConfigError for an invalid draft (naming
    ``draft_name``, the line and the key path) and ReportError for a bad window, before
    anything is read."""
    check_window(start, end, as_of)
    config = parse_draft(draft, draft_name) if isinstance(draft, str) else draft
    if isinstance(services_or_db, Services):
        database, configs = services_or_db.db, services_or_db.configs
    else:
        database, configs = services_or_db, ConfigService(services_or_db)
    with reading_window(database) as (tx, window):
        judges = _judges(tx, configs, as_of)
        engine = Engine(_versioned(tx, config))
        result = WhatIf(start, end, as_of, judges.version)
        ids = window.alive(start, end, as_of)
        total = len(ids)
        if progress is not None:
            progress(0, total)
        for first in range(0, total, BATCH_TICKETS):
            batch = ids[first : first + BATCH_TICKETS]
            loaded = tx.events.load(batch)
            for ticket_id in batch:
                events = loaded.pop(ticket_id, None)
                if events:
                    _compare(result, judges, engine, events, flips_kept)
            result.tickets += len(batch)
            if progress is not None:
                progress(result.tickets, total)
    return result


def check_window(start: datetime, end: datetime, as_of: datetime) -> None:
    """ReportError naming the first bound that is naive, or ``to`` not after ``from``."""
    for name, value in (("from", start), ("to", end), ("as_of", as_of)):
        if value.tzinfo is None:
            raise ReportError(f"{name}: {value.isoformat()} has no time zone offset")
    if end <= start:
        raise ReportError(f"to: {end.isoformat()} is not after from {start.isoformat()}")


def _judges(tx: Tx, configs: ConfigService, as_of: datetime) -> Judges:
    """The stored versions' engines, as the service judges as of ``as_of``: one per
    version, built for this run (its per-field caches fill with this window alone)."""
    spans = configs.spans_in(tx)
    return Judges.at(spans, as_of, lambda version: Engine(configs.config_of(tx, version)))


def _versioned(tx: Tx, config: Config) -> Config:
    """The draft with the policy versions it would get if it were applied now."""
    last = tx.config_versions.latest()
    return with_versions(config, next_policy_versions(last.policy_versions if last else {}, config))


def _instances(engine: Engine, events: Sequence[Event], as_of: datetime) -> list[Instance]:
    return engine.instances(engine.run(events, as_of), as_of)


def _before(judges: Judges, events: Sequence[Event], as_of: datetime) -> list[Instance]:
    """:meth:`Judges.replay` without the schedule (reminder times are not needed)."""
    current = _instances(judges.engine, events, as_of)
    olds = {
        v: _instances(judges.engine_of(v), events, as_of) for v in sorted(judges.needed(current))
    }
    return judges.merge(current, olds)


def _compare(
    result: WhatIf, judges: Judges, engine: Engine, events: Sequence[Event], flips_kept: int
) -> None:
    """Count one ticket's instances before and after, and note its flips."""
    as_of = result.as_of
    before = _judged(_before(judges, events, as_of), result)
    after = _judged(_instances(engine, events, as_of), result)
    for side, judged in (("before", before), ("after", after)):
        for inst, (said, _, inside) in judged.values():
            if inside:
                getattr(result.row(inst.kind, inst.policy, inst.metric), side)[said] += 1
    for key, (old, (was, _, was_inside)) in before.items():
        new_found = after.get(key)
        if new_found is None:
            continue
        new, (now, judged_at, now_inside) = new_found
        if was == now or was not in _JUDGED or now not in _JUDGED:
            continue
        if not (was_inside or now_inside):
            continue
        result.flips_total += 1
        if now == "breached":
            result.met_to_breached += 1
        else:
            result.breached_to_met += 1
        if len(result.flips) < flips_kept:
            result.flips.append(_flip(old, new, was, now, judged_at))


Judged = dict[tuple[str, str, str, int], tuple[Instance, tuple[str, datetime | None, bool]]]


def _judged(instances: Iterable[Instance], result: WhatIf) -> Judged:
    """The instances by key, each with its verdict, judgement instant and whether the
    window holds it (judged in it, or open and started in it); cancelled ones left out."""
    out: Judged = {}
    start, end, as_of = result.start, result.end, result.as_of
    for inst in instances:
        found = verdict(inst, as_of)
        if found is None:
            continue
        said, at = found
        when = at if at is not None else inst.started_at
        out[inst.key] = (inst, (said, at, start <= when < end))
    return out


def _flip(old: Instance, new: Instance, was: str, now: str, judged_at: datetime | None) -> Flip:
    return Flip(
        ticket=new.ticket, kind=new.kind, metric=new.metric, cycle=new.cycle,
        before=was, after=now, reason=flip_reason(old, new, now), judged_at=judged_at,
        policy_before=old.policy, policy_after=new.policy,
        target_seconds_before=old.target_seconds, target_seconds_after=new.target_seconds,
        elapsed_seconds_before=old.elapsed_seconds, elapsed_seconds_after=new.elapsed_seconds,
    )  # fmt: skip


def flip_reason(old: Instance, new: Instance, now: str) -> str:
    """Why the verdict changed, in words: what differs between the two instances (policy,
    target, calendar, paused and elapsed time; else the policy's version), then the
    draft's elapsed time against its target."""
    parts = []
    if old.policy != new.policy:
        parts.append(f"policy changed {old.policy}→{new.policy}")
    if old.target_seconds != new.target_seconds:
        parts.append(f"target changed {_d(old.target_seconds)}→{_d(new.target_seconds)}")
    if old.calendar != new.calendar:
        parts.append(f"calendar changed {old.calendar}→{new.calendar}")
    if old.paused_seconds != new.paused_seconds:
        parts.append(f"pause rules: paused {_d(old.paused_seconds)}→{_d(new.paused_seconds)}")
    if old.elapsed_seconds != new.elapsed_seconds:
        parts.append(f"elapsed {_d(old.elapsed_seconds)}→{_d(new.elapsed_seconds)}")
    if not parts and old.policy_version != new.policy_version:
        parts.append(f"policy {new.policy} v{old.policy_version}→v{new.policy_version}")
    if not parts:
        parts.append("judged by another configuration version")
    sign = ">" if now == "breached" else "≤"
    parts.append(
        f"the draft's elapsed {_d(new.elapsed_seconds)} {sign} target {_d(new.target_seconds)}"
    )
    return "; ".join(parts)


def _d(seconds: int) -> str:
    return format_duration(seconds, days=False)
