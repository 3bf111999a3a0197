"""Parity: slaclock's verdicts next to the vendor's own, metric by metric.

A team trusts slaclock once it has seen its own history judged the way its helpdesk
judged it, and seen why where not. The events are replayed with the project's one
replay path (:func:`slaclock.service.replay.replay_file`) under the given
configuration; each vendor verdict (a JSON line ``{"ticket", "metric", "breached"}``,
optionally ``"cycle"`` and ``"at"``, the instant the vendor judged) is compared with
our instances of that ticket and metric (SLA instances; any breached cycle breaches
the metric, unless the verdict names its cycle). Each disagreement gets a reason
where one can be told (:mod:`slaclock.service.parity_reasons`); to find reasons,
only the events of the disagreeing tickets are read again.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import orjson

from slaclock.core.engine import Engine
from slaclock.core.errors import EventError, SlaclockError
from slaclock.core.events import Event, format_instant, parse_instant, parse_line
from slaclock.service.parity_reasons import explain_disagreement
from slaclock.service.replay import replay_file, ticket_of

__all__ = [
    "Disagreement",
    "MetricParity",
    "ParityReport",
    "Verdict",
    "compare",
    "latest_instant",
    "read_verdicts",
]


@dataclass(frozen=True)
class Verdict:
    """The vendor's verdict on one ticket's metric (and cycle, when it names one)."""

    ticket: str
    metric: str
    breached: bool
    cycle: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Disagreement:
    ticket: str
    metric: str
    vendor_breached: bool
    ours_breached: bool | None  # None: we have no instance
    reason: str
    detail: str

    def line(self) -> str:
        vendor = "breached" if self.vendor_breached else "met"
        ours = {None: "none", True: "breached", False: "met"}[self.ours_breached]
        verdicts = f"vendor {vendor}, ours {ours}"
        return f"{self.ticket} {self.metric}: {verdicts}: {self.reason}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class MetricParity:
    """Agreement on one metric."""

    metric: str
    agree: int = 0
    vendor_breached_ours_met: int = 0
    vendor_met_ours_breached: int = 0
    no_instance: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def disagree(self) -> int:
        return self.vendor_breached_ours_met + self.vendor_met_ours_breached + self.no_instance

    @property
    def total(self) -> int:
        return self.agree + self.disagree

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "agree": self.agree,
            "disagree": self.disagree,
            "vendor_breached_ours_met": self.vendor_breached_ours_met,
            "vendor_met_ours_breached": self.vendor_met_ours_breached,
            "no_instance": self.no_instance,
            "reasons": dict(self.reasons.most_common()),
            "disagreements": [d.to_json() for d in self.disagreements],
        }


@dataclass
class ParityReport:
    as_of: datetime
    metrics: dict[str, MetricParity]

    def lines(self, shown: int) -> list[str]:
        """The report in words: per metric its counts, reasons, and the first
        ``shown`` disagreements."""
        out = [f"parity as of {format_instant(self.as_of)}"]
        for name in sorted(self.metrics):
            m = self.metrics[name]
            share = 100.0 * m.agree / m.total if m.total else 100.0
            out.append(
                f"{name}: {m.agree:,} agree, {m.disagree:,} disagree of {m.total:,} "
                f"verdicts ({share:.2f}% agree)"
            )
            out.append(
                f"  vendor breached, ours met: {m.vendor_breached_ours_met:,}; vendor met, "
                f"ours breached: {m.vendor_met_ours_breached:,}; no instance of ours: "
                f"{m.no_instance:,}"
            )
            if m.reasons:
                reasons = ", ".join(f"{r} {n:,}" for r, n in m.reasons.most_common())
                out.append(f"  reasons: {reasons}")
            out.extend(f"  {d.line()}" for d in m.disagreements[:shown])
            if len(m.disagreements) > shown:
                out.append(f"  … and {len(m.disagreements) - shown:,} more")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": format_instant(self.as_of),
            "metrics": {name: m.to_json() for name, m in sorted(self.metrics.items())},
        }


def read_verdicts(lines: Iterable[str], name: str) -> dict[tuple[str, str], list[Verdict]]:
    """The verdicts of a JSON Lines file by (ticket, metric); an invalid line is an
    error naming the file and line."""
    found: dict[tuple[str, str], list[Verdict]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            verdict = _verdict(orjson.loads(line))
        except (orjson.JSONDecodeError, EventError, ValueError) as exc:
            raise SlaclockError(f"{name}:{number}: not a verdict: {exc}") from None
        found.setdefault((verdict.ticket, verdict.metric), []).append(verdict)
    return found


def _verdict(obj: Any) -> Verdict:
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    ticket, metric, breached = obj.get("ticket"), obj.get("metric"), obj.get("breached")
    if not (isinstance(ticket, str) and ticket and isinstance(metric, str) and metric):
        raise ValueError("'ticket' and 'metric' must be non-empty strings")
    if not isinstance(breached, bool):
        raise ValueError(f"'breached' must be true or false, got {breached!r}")
    cycle = obj.get("cycle")
    if cycle is not None and (type(cycle) is not int or cycle < 0):
        raise ValueError(f"'cycle' must be a whole number ≥ 0, got {cycle!r}")
    at = parse_instant(obj["at"]) if obj.get("at") is not None else None
    return Verdict(ticket, metric, breached, cycle, at)


def latest_instant(events: IO[bytes], name: str) -> datetime:
    """The latest ``at`` of an events file: the end of an export, the natural instant
    to compare as of (nothing left to happen in it)."""
    latest: datetime | None = None
    events.seek(0)
    for number, line in enumerate(events, start=1):
        if not line.strip():
            continue
        try:
            at = parse_instant(orjson.loads(line).get("at"))
        except (orjson.JSONDecodeError, EventError, AttributeError) as exc:
            raise SlaclockError(f"{name}:{number}: {exc}") from None
        if latest is None or at > latest:
            latest = at
    if latest is None:
        raise SlaclockError(f"{name}: no events")
    return latest


def compare(
    engine: Engine,
    events: IO[bytes],
    name: str,
    verdicts: dict[tuple[str, str], list[Verdict]],
    as_of: datetime,
) -> ParityReport:
    """Replay ``events`` (a seekable binary JSON Lines file) as of ``as_of`` and
    compare our SLA instances with ``verdicts``."""
    ours = _our_instances(engine, events, name, as_of, verdicts)
    report = ParityReport(as_of, {})
    pending: list[tuple[Verdict, dict[str, Any] | None, bool | None]] = []
    for key in sorted(verdicts):
        for verdict in verdicts[key]:
            metric = report.metrics.setdefault(verdict.metric, MetricParity(verdict.metric))
            mine = [i for i in ours.get(key, []) if verdict.cycle in (None, i["cycle"])]
            breached = any(i["breached"] for i in mine) if mine else None
            if breached == verdict.breached:
                metric.agree += 1
                continue
            if breached is None:
                metric.no_instance += 1
            elif verdict.breached:
                metric.vendor_breached_ours_met += 1
            else:
                metric.vendor_met_ours_breached += 1
            shown = next((i for i in mine if i["breached"]), mine[0] if mine else None)
            pending.append((verdict, shown, breached))
    _explain(report, pending, _events_of(events, name, {v.ticket for v, _, _ in pending}))
    return report


def _explain(
    report: ParityReport,
    pending: list[tuple[Verdict, dict[str, Any] | None, bool | None]],
    events: dict[str, list[Event]],
) -> None:
    for verdict, instance, breached in pending:
        reason, detail = explain_disagreement(
            verdict.breached, verdict.at, instance, events.get(verdict.ticket, []), verdict.metric
        )
        metric = report.metrics[verdict.metric]
        metric.reasons[reason] += 1
        metric.disagreements.append(
            Disagreement(verdict.ticket, verdict.metric, verdict.breached, breached, reason, detail)
        )


def _our_instances(
    engine: Engine,
    events: IO[bytes],
    name: str,
    as_of: datetime,
    verdicts: dict[tuple[str, str], list[Verdict]],
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Our SLA instances of the (ticket, metric) pairs the vendor judged."""
    ours: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryFile("w+b") as output:
        replay_file(engine, events, name, as_of, lambda: output)
        output.seek(0)
        for line in output:
            instance = orjson.loads(line)
            key = (instance["ticket"], instance["metric"])
            if instance["kind"] == "sla" and key in verdicts:
                ours.setdefault(key, []).append(instance)
    return ours


def _events_of(events: IO[bytes], name: str, tickets: set[str]) -> dict[str, list[Event]]:
    """The events of ``tickets`` (a few: the disagreeing ones), read again."""
    found: dict[str, list[Event]] = {}
    if not tickets:
        return found
    wanted = {ticket.encode() for ticket in tickets}
    for number, line in _lines(events):
        if ticket_of(line) in wanted:
            event = parse_line(line.decode("utf-8"), number, name)
            if event is not None:
                found.setdefault(event.ticket, []).append(event)
    return found


def _lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    source.seek(0)
    yield from enumerate(source, start=1)
