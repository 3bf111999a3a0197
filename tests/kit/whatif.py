"""What the what-if tests share (issue 23, "What-if"): a stored workload, drafts of the
example configuration, the projection's rows as they are, and an independent reference
computed from two runs of ``slaclock replay``'s function over the same events.

The reference does not use :mod:`slaclock.service.whatif`: it replays every ticket of
the workload (not just those the window's query picks) with
:func:`slaclock.service.replay.replay_file`, reads the JSON lines back, judges each
instance by reports.md's rule written out again here, and counts and pairs them.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from slaclock.core.config import parse_config
from slaclock.core.engine import Engine as SlaEngine
from slaclock.core.workload import generate_events
from slaclock.service.app_state import Services
from slaclock.service.ingest import Limits
from slaclock.service.replay import replay_file
from slaclock.store.models import InstanceRow, ScheduleRow, TicketRow

__all__ = [
    "AS_OF",
    "CONFIG",
    "DAYS",
    "END",
    "START",
    "STRICTER",
    "Reference",
    "broken_draft",
    "load",
    "projection",
    "reference",
]

CONFIG = (Path(__file__).resolve().parents[1] / "data" / "example_config.yaml").read_text()
#: The workload: generated from here for DAYS days, judged as of its end.
BEGIN = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 21
AS_OF = BEGIN + timedelta(days=DAYS)
#: The window of the tests: the middle week.
START, END = BEGIN + timedelta(days=7), BEGIN + timedelta(days=14)
_ENTERPRISE_FIRST = "within: {urgent: 30m, high: 1h, normal: 2h, low: 4h}"
#: What the stricter draft changes: first and next response targets cut to a quarter
#: (enterprise), the first response to a quarter (business) and an eighth (default).
_STRICTER = (
    (_ENTERPRISE_FIRST, "within: {urgent: 450s, high: 15m, normal: 30m, low: 1h}"),
    ("next_response: {within: 2h}", "next_response: {within: 30m}"),
    ("first_response: {within: {urgent: 1h, high: 4h, normal: 8h, low: 16h}}",
     "first_response: {within: {urgent: 15m, high: 1h, normal: 2h, low: 4h}}"),
    ("first_response: {within: 16h}", "first_response: {within: 2h}"),
)  # fmt: skip


def _stricter() -> str:
    text = CONFIG
    for old, new in _STRICTER:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


#: The example configuration with the first and next response targets cut.
STRICTER = _stricter()


def broken_draft() -> tuple[str, int]:
    """A draft whose enterprise first-response target for ``high`` is not a duration,
    and the line that says so."""
    line = CONFIG[: CONFIG.index(_ENTERPRISE_FIRST)].count("\n") + 1
    return CONFIG.replace(
        _ENTERPRISE_FIRST, _ENTERPRISE_FIRST.replace("high: 1h", "high: soon")
    ), line


def events(tickets: int) -> list[dict[str, Any]]:
    return list(generate_events(parse_config(CONFIG), tickets, DAYS, 11, BEGIN))


def load(services: Services, tickets: int) -> list[dict[str, Any]]:
    """The example configuration and ``tickets`` generated tickets, stored and projected
    as of :data:`AS_OF`; the events."""
    services.limits = Limits(future_skew=timedelta(days=400))
    services.config_apply(CONFIG, "test", BEGIN - timedelta(days=1))
    generated = events(tickets)
    assert not services.ingest(generated, AS_OF).rejected
    return generated


def projection(engine: Engine) -> list[list[tuple[Any, ...]]]:
    """Every row of the projection's tables (tickets, instances, schedule), in key
    order, every column: what a what-if must leave as it is."""
    out = []
    with engine.connect() as conn:
        for model, key in ((TicketRow, TicketRow.id), (InstanceRow, InstanceRow.pk),
                           (ScheduleRow, ScheduleRow.pk)):  # fmt: skip
            table = model.__table__
            out.append([tuple(row) for row in conn.execute(select(table).order_by(key))])
    return out


def _replayed(config_text: str, generated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every instance of the events under ``config_text`` as of :data:`AS_OF`, by
    ``slaclock replay``'s function."""
    source = io.BytesIO("".join(json.dumps(e) + "\n" for e in generated).encode())
    out = io.BytesIO()
    engine = SlaEngine(parse_config(config_text))
    replay_file(engine, source, "events.jsonl", AS_OF, lambda: out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def judged(inst: dict[str, Any]) -> tuple[str, datetime | None] | None:
    """reports.md, "Which instances a period holds", on a replay JSON object."""
    if inst["state"] == "cancelled":
        return None
    stopped, due = _at(inst["stopped_at"]), _at(inst["due_at"])
    if inst["state"] in ("met", "breached") and stopped is not None:
        return inst["state"], stopped
    if inst["state"] == "breached" and due is not None and due <= AS_OF:
        return "breached", due
    return "open", None


class Reference:
    """Counts per (kind, policy, metric) and side, and the flips, from two replays."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str, str, str]] = Counter()
        self.flips: set[tuple[str, str, str, int, str, str]] = set()

    def rows(self) -> dict[tuple[str, str, str], dict[str, int]]:
        out: dict[tuple[str, str, str], dict[str, int]] = {}
        for (kind, policy, metric, side, verdict), n in self.counts.items():
            row = out.setdefault((kind, policy, metric), {})
            row[f"{verdict}_{side}"] = n
        return out


def reference(draft: str, generated: list[dict[str, Any]]) -> Reference:
    """The window's figures before (the example configuration) and after ``draft``."""
    ref = Reference()
    sides: dict[str, dict[tuple[Any, ...], tuple[str, bool]]] = {}
    for side, text in (("before", CONFIG), ("after", draft)):
        found = sides[side] = {}
        for inst in _replayed(text, generated):
            verdict = judged(inst)
            if verdict is None:
                continue
            said, at = verdict
            when = at if at is not None else _at(inst["started_at"])
            inside = when is not None and START <= when < END
            if inside:
                ref.counts[(inst["kind"], inst["policy"], inst["metric"], side, said)] += 1
            ola = inst["policy"] if inst["kind"] == "ola" else ""
            key = (inst["ticket"], inst["kind"], inst["metric"], ola, inst["cycle"])
            found[key] = (said, inside)
    for key, (was, was_inside) in sides["before"].items():
        now, now_inside = sides["after"].get(key, ("", False))
        if {was, now} == {"met", "breached"} and (was_inside or now_inside):
            ticket, kind, metric, _, cycle = key
            ref.flips.add((ticket, kind, metric, cycle, was, now))
    return ref
