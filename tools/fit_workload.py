"""Fit the workload generator's distributions to the real incident logs.

Reads the three real datasets (see /work/shared/data/real/README.md), extracts per-ticket
durations and counts, fits long-tailed distributions (lognormal by log-moments, Weibull by
maximum likelihood when scipy is importable), prints a table of real vs fitted quantiles
and writes ``src/slaclock/core/workload/params.py``.

This script does I/O on purpose and lives outside the package; the generator only imports
the numbers it wrote. Run it from the repository root:

    .venv/bin/python tools/fit_workload.py [--data /work/shared/data/real] [--write]

Without ``--write`` it only prints the summary. The output is deterministic for the same
input files apart from the date in the module's header (no random draws).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import pprint
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

try:  # optional: only used to add a Weibull candidate
    from scipy import stats as scipy_stats
except ImportError:  # pragma: no cover - numpy-only fallback
    scipy_stats = None

HOUR = 3600.0
#: Durations at or below this are "immediate" (minute-resolution logs): modelled as a point mass.
INSTANT_SECONDS = 60.0
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90, 0.99)
OUT = Path("src/slaclock/core/workload/params.py")


@dataclass
class Extract:
    """What one dataset contributes: durations in seconds, counts and histograms."""

    name: str
    tickets: int = 0
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    arrivals_168: np.ndarray = field(default_factory=lambda: np.zeros(168))
    priorities: Counter[str] = field(default_factory=Counter)
    events_per_ticket: list[int] = field(default_factory=list)
    flags: Counter[str] = field(default_factory=Counter)
    customer_counts: Counter[str] = field(default_factory=Counter)

    def arrival(self, t: datetime) -> None:
        self.arrivals_168[t.weekday() * 24 + t.hour] += 1

    def span(self, name: str, start: datetime, end: datetime) -> None:
        """A duration, measured on the clock chosen for ``name`` (see CLOCKS)."""
        if CLOCKS.get(name) == "business":
            seconds = business_before(end) - business_before(start)
        else:
            seconds = _seconds(start, end)
        self.durations[name].append(max(0.0, seconds))


#: Agent work is measured in business time (the logs' teams work weekdays, see the hour
#: histograms), waits on customers and third parties and auto-closing in wall time.
CLOCKS = {"first_response": "business", "next_response": "business", "resolution": "business",
          "engineering_stint": "business", "pending": "wall", "on_hold": "wall",
          "close_after_solve": "wall"}  # fmt: skip
#: The office hours assumed for the logs' teams, in each log's own wall clock.
OPEN_FROM_SECONDS, OPEN_TO_SECONDS = 8 * 3600, 18 * 3600
_ANCHOR = datetime(2000, 1, 3)  # noqa: DTZ001 - a Monday; the logs' wall clocks are naive


def business_before(t: datetime) -> float:
    """Open seconds (Mon-Fri 08:00-18:00) from a fixed Monday to ``t``: O(1), so a
    duration's business time is the difference of two calls."""
    delta = t - _ANCHOR
    weeks, weekday = divmod(delta.days, 7)
    day_seconds = OPEN_TO_SECONDS - OPEN_FROM_SECONDS
    into_day = min(max(delta.seconds + delta.microseconds / 1e6, OPEN_FROM_SECONDS),
                   OPEN_TO_SECONDS) - OPEN_FROM_SECONDS  # fmt: skip
    return (
        weeks * 5 * day_seconds + min(weekday, 5) * day_seconds + (into_day if weekday < 5 else 0.0)
    )


def _open(path: Path) -> Iterable[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return path.open(newline="", encoding="utf-8-sig")


def _seconds(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


# ------------------------------------------------------------------ ServiceNow (UCI)


def _sn_time(text: str) -> datetime | None:
    if text == "?":
        return None
    day, month, rest = text.split("/", 2)
    year, clock = rest.split(" ")
    hour, minute = clock.split(":")
    return datetime(int(year), int(month), int(day), int(hour), int(minute))  # noqa: DTZ001


SN_PRIORITY = {"1 - Critical": "urgent", "2 - High": "high", "3 - Moderate": "normal",
               "4 - Low": "low"}  # fmt: skip
SN_PENDING = {"Awaiting User Info"}
SN_HOLD = {"Awaiting Vendor", "Awaiting Problem", "Awaiting Evidence"}


def read_servicenow(root: Path) -> Extract:
    """One row per audit update; rows of an incident sorted by ``sys_mod_count``."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with _open(root / "servicenow_incident_uci/incident_event_log.csv.gz") as fh:  # type: ignore[attr-defined]
        for row in csv.DictReader(fh):
            rows[row["number"]].append(row)
    ex = Extract("servicenow")
    for incident in rows.values():
        incident.sort(key=lambda r: int(r["sys_mod_count"]))
        _servicenow_incident(ex, incident)
    return ex


def _servicenow_incident(ex: Extract, rows: list[dict[str, str]]) -> None:
    last = rows[-1]
    opened = _sn_time(last["opened_at"])
    if opened is None:
        return
    ex.tickets += 1
    ex.arrival(opened)
    ex.priorities[SN_PRIORITY.get(rows[0]["priority"], "normal")] += 1
    ex.customer_counts[last["caller_id"]] += 1
    ex.events_per_ticket.append(len(rows))
    ex.flags["reopened"] += int(last["reopen_count"]) > 0
    ex.flags["reassigned"] += int(last["reassignment_count"]) > 0
    ex.flags["priority_changed"] += len({r["priority"] for r in rows}) > 1
    times = [_sn_time(r["sys_updated_at"]) or opened for r in rows]
    states = [r["incident_state"] for r in rows]
    first = next((t for t, s in zip(times, states, strict=True) if s != "New"), None)
    if first is not None:
        ex.span("first_response", opened, first)
    resolved, closed = _sn_time(last["resolved_at"]), _sn_time(last["closed_at"])
    if resolved is not None:
        ex.span("resolution", opened, resolved)
        if closed is not None and closed >= resolved:
            ex.span("close_after_solve", resolved, closed)
    _waits(ex, times, states, SN_PENDING, "pending", reply_after="Active")
    _waits(ex, times, states, SN_HOLD, "on_hold")


def _waits(
    ex: Extract,
    times: list[datetime],
    states: list[str],
    waiting: set[str],
    name: str,
    reply_after: str | None = None,
) -> None:
    """Durations of runs of ``waiting`` states, each ended by the next other state.

    With ``reply_after``, also the gap from the end of a wait (the customer's answer) to
    the next update after it: the agent's reply to the customer (``next_response``).
    """
    had = False
    i = 0
    while i < len(states):
        if states[i] not in waiting:
            i += 1
            continue
        j = i
        while j < len(states) and states[j] in waiting:
            j += 1
        if j < len(states):
            had = True
            ex.span(name, times[i], times[j])
            if reply_after and states[j] == reply_after and j + 1 < len(states):
                ex.span("next_response", times[j], times[j + 1])
        i = j
    ex.flags[f"had_{name}"] += had


# ---------------------------------------------------------------------- Volvo VINST

VOLVO_PRIORITY = {"Low": "low", "Medium": "normal", "High": "high", "Major": "urgent"}
VOLVO_PENDING = {"Wait - User", "Wait - Customer"}
VOLVO_HOLD = {"Wait - Vendor", "Wait - Implementation", "Wait"}


def read_volvo(root: Path) -> Extract:
    """Fixed +01:00 offsets: the wall clock is taken as given (no DST in the file)."""
    rows: dict[str, list[tuple[datetime, str, str, str]]] = defaultdict(list)
    impact: dict[str, str] = {}
    with _open(root / "bpi2013_volvo_incidents/VINST-new.csv.gz") as fh:  # type: ignore[attr-defined]
        for row in csv.DictReader(fh):
            t = datetime.fromisoformat(row["Change Date+Time"]).replace(tzinfo=None)
            rows[row["SR Number"]].append((t, row["Status"], row["Sub Status"], row["ST Level"]))
            impact[row["SR Number"]] = row["SR Latest Impact"]
    ex = Extract("volvo")
    for sr, events in rows.items():
        events.sort(key=lambda e: e[0])
        _volvo_case(ex, events, VOLVO_PRIORITY.get(impact[sr], "normal"))
    return ex


def _volvo_case(ex: Extract, events: list[tuple[datetime, str, str, str]], priority: str) -> None:
    created = events[0][0]
    ex.tickets += 1
    ex.arrival(created)
    ex.priorities[priority] += 1
    ex.events_per_ticket.append(len(events))
    if events[0][1] == "Queued":
        accepted = next((e[0] for e in events if e[1] == "Accepted"), None)
        if accepted is not None:
            ex.span("first_response", created, accepted)
    solved = next((e[0] for e in events if e[2] in {"Resolved", "In Call"}), None)
    if solved is not None:
        ex.span("resolution", created, solved)
    times, subs = [e[0] for e in events], [e[2] for e in events]
    _waits(ex, times, subs, VOLVO_PENDING, "pending")
    _waits(ex, times, subs, VOLVO_HOLD, "on_hold")
    _volvo_escalations(ex, events)


def _volvo_escalations(ex: Extract, events: list[tuple[datetime, str, str, str]]) -> None:
    """A stint at L2/L3 (second/third line) is our "transfer to engineering and back"."""
    levels = [e[3] for e in events]
    escalated = any(level in {"L2", "L3"} for level in levels[1:]) and levels[0] == "L1"
    ex.flags["escalated"] += escalated
    i = 0
    while i < len(events):
        if levels[i] == "L1":
            i += 1
            continue
        j = i
        while j < len(events) and levels[j] != "L1":
            j += 1
        if j < len(events):
            ex.span("engineering_stint", events[i][0], events[j][0])
        i = j


# ------------------------------------------------------------- Italian help desk


def read_helpdesk(root: Path) -> Extract:
    """No time zone: wall clock as given (Europe/Rome presumably)."""
    rows: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    customer: dict[str, str] = {}
    with _open(root / "helpdesk_italian_sw_company/finale.csv") as fh:  # type: ignore[attr-defined]
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            t = datetime.strptime(row[3], "%Y/%m/%d %H:%M:%S.%f")  # noqa: DTZ007
            rows[row[0]].append((t, row[1]))
            customer[row[0]] = row[8]
    ex = Extract("helpdesk")
    for case, events in rows.items():
        events.sort(key=lambda e: e[0])
        ex.customer_counts[customer[case]] += 1
        _helpdesk_case(ex, events)
    return ex


def _helpdesk_case(ex: Extract, events: list[tuple[datetime, str]]) -> None:
    created = events[0][0]
    ex.tickets += 1
    ex.arrival(created)
    ex.events_per_ticket.append(len(events))
    activities = [a for _, a in events]
    first = next((t for t, a in events if a == "Take in charge ticket"), None)
    if first is not None:
        ex.span("first_response", created, first)
    resolves = [t for t, a in events if a == "Resolve ticket"]
    if resolves:
        ex.span("resolution", created, resolves[-1])
    ex.flags["reopened"] += len(resolves) > 1
    ex.flags["escalated"] += bool({"Create SW anomaly", "Require upgrade"} & set(activities))
    closed = next((t for t, a in events if a == "Closed"), None)
    if resolves and closed is not None and closed >= resolves[-1]:
        ex.span("close_after_solve", resolves[-1], closed)
    _waits(ex, [t for t, _ in events], activities, {"Wait"}, "pending")


# -------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class Fit:
    """A fitted duration: a point mass of "immediate" values plus a continuous law."""

    kind: str  # "lognormal" (mu, sigma of ln s), "weibull" (shape, scale s), "fixed" (a = s)
    a: float
    b: float
    p_instant: float
    n: int
    ks: float

    def quantile(self, q: float) -> float:
        if q <= self.p_instant:
            return 0.0
        u = (q - self.p_instant) / (1.0 - self.p_instant)
        if self.kind == "fixed":
            return self.a
        if self.kind == "lognormal":
            return math.exp(self.a + self.b * _norm_ppf(u))
        return self.b * (-math.log1p(-u)) ** (1.0 / self.a)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "lognormal":
            z = (np.log(x) - self.a) / (self.b * math.sqrt(2.0))
            return 0.5 * (1.0 + np.vectorize(math.erf)(z))
        return 1.0 - np.exp(-((x / self.b) ** self.a))


def _norm_ppf(u: float) -> float:
    """Inverse standard normal CDF by bisection on erf (stdlib only; precise enough here)."""
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < u:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _ks(values: np.ndarray, fit: Fit) -> float:
    xs = np.sort(values)
    model = fit.cdf(xs)
    n = len(xs)
    upper = np.arange(1, n + 1) / n - model
    lower = model - np.arange(0, n) / n
    return float(max(upper.max(), lower.max()))


def fit_duration(seconds: list[float]) -> Fit:
    """Lognormal by log-moments; Weibull by MLE when scipy is present; keep the better KS."""
    x = np.asarray(seconds, dtype=float)
    median = float(np.median(x))
    if np.mean(np.abs(x - median) <= 0.02 * median) > 0.5:  # a rule, not a spread: auto-close
        return Fit(
            "fixed", median, 0.0, 0.0, len(x), float(np.mean(np.abs(x - median) > 0.02 * median))
        )
    positive = x[x > INSTANT_SECONDS]
    p_instant = 1.0 - len(positive) / len(x)
    logs = np.log(positive)
    candidates = [Fit("lognormal", float(logs.mean()), float(logs.std()), p_instant, len(x), 0)]
    if scipy_stats is not None:
        shape, _, scale = scipy_stats.weibull_min.fit(positive, floc=0)
        candidates.append(Fit("weibull", float(shape), float(scale), p_instant, len(x), 0))
    scored = [Fit(c.kind, c.a, c.b, c.p_instant, c.n, _ks(positive, c)) for c in candidates]
    return min(scored, key=lambda f: f.ks)


def zipf_exponent(counts: Counter[str]) -> float:
    """Slope of log(count) against log(rank) over the top ranks: a Zipf-like share."""
    ranked = np.array(sorted(counts.values(), reverse=True), dtype=float)
    top = ranked[: max(10, len(ranked) // 2)]
    ranks = np.arange(1, len(top) + 1, dtype=float)
    slope = np.polyfit(np.log(ranks), np.log(top), 1)[0]
    return float(-slope)


# ---------------------------------------------------------------------- the choices

#: Which dataset each generator distribution is fitted to, and why (docs/workload.md).
CHOICES = {
    "first_response": "servicenow",  # the largest log; first move off "New" ~ first touch
    "resolution": "servicenow",  # resolved_at − opened_at, ground truth per incident
    "pending": "servicenow",  # "Awaiting User Info" runs: waiting on the customer
    "next_response": "servicenow",  # update after the customer answered an awaiting run
    "on_hold": "volvo",  # Wait-Vendor/Implementation: third parties, more cases than SN
    "engineering_stint": "volvo",  # time spent at L2/L3 before returning to L1
    "close_after_solve": "servicenow",  # auto-close after resolution
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/real"))
    parser.add_argument("--write", action="store_true", help=f"write {OUT}")
    args = parser.parse_args(argv)
    extracts = {ex.name: ex for ex in (read_servicenow(args.data), read_volvo(args.data),
                                       read_helpdesk(args.data))}  # fmt: skip
    fits = {
        (name, ex.name): fit_duration(values)
        for ex in extracts.values()
        for name, values in sorted(ex.durations.items())
        if len(values) >= 50
    }
    print_summary(extracts, fits)
    params = build_params(extracts, fits)
    if args.write:
        OUT.write_text(render_module(params, extracts))
        print(f"\nwrote {OUT}")
    return 0


def print_summary(extracts: dict[str, Extract], fits: dict[tuple[str, str], Fit]) -> None:
    head = "| quantity | clock | dataset | n | law | p_instant | KS |" + "".join(
        f" p{int(q * 100)} real / fit (h) |" for q in QUANTILES
    )
    print(head)
    print("|" + "---|" * (7 + len(QUANTILES)))
    for (name, ds), fit in sorted(fits.items()):
        values = np.asarray(extracts[ds].durations[name]) / HOUR
        cells = "".join(
            f" {np.quantile(values, q):.2f} / {fit.quantile(q) / HOUR:.2f} |" for q in QUANTILES
        )
        used = " **(used)**" if CHOICES.get(name) == ds else ""
        print(
            f"| {name}{used} | {CLOCKS[name]} | {ds} | {fit.n} "
            f"| {fit.kind}({fit.a:.3f}, {fit.b:.3g}) | {fit.p_instant:.3f} | {fit.ks:.3f} |{cells}"
        )
    print()
    print("| dataset | tickets | events/ticket (mean) | " + " | ".join(FLAG_NAMES) + " |")
    print("|---|---|---|" + "---|" * len(FLAG_NAMES))
    for ex in extracts.values():
        rates = " | ".join(f"{ex.flags[f] / ex.tickets:.3f}" for f in FLAG_NAMES)
        print(f"| {ex.name} | {ex.tickets} | {np.mean(ex.events_per_ticket):.2f} | {rates} |")
    print()
    for ex in extracts.values():
        mix = {p: round(ex.priorities[p] / ex.tickets, 4) for p in PRIORITIES if ex.priorities}
        zipf = zipf_exponent(ex.customer_counts) if ex.customer_counts else None
        print(f"{ex.name}: priority mix {mix}, customer zipf exponent {zipf}")


FLAG_NAMES = ("had_pending", "had_on_hold", "reopened", "escalated", "reassigned",
              "priority_changed")  # fmt: skip
PRIORITIES = ("low", "normal", "high", "urgent")


def build_params(extracts: dict[str, Extract], fits: dict[tuple[str, str], Fit]) -> dict:
    sn, volvo, hd = extracts["servicenow"], extracts["volvo"], extracts["helpdesk"]
    durations = {
        name: {"law": f.kind, "a": round(f.a, 6), "b": round(f.b, 6),
               "p_instant": round(f.p_instant, 6), "source": ds, "n": f.n,
               "clock": CLOCKS[name]}
        for name, ds in CHOICES.items()
        for f in [fits[(name, ds)]]
    }  # fmt: skip
    # Volvo is left out of the weekly profile: its weekday shares (Monday 7%, Wednesday 30%)
    # look like an artefact of how the log was cut, not a working week.
    weekly = sum(ex.arrivals_168 / ex.arrivals_168.sum() for ex in (sn, hd)) / 2
    mix = {
        p: round((sn.priorities[p] / sn.tickets + volvo.priorities[p] / volvo.tickets) / 2, 6)
        for p in PRIORITIES
    }
    rate = {
        "pending": sn.flags["had_pending"] / sn.tickets,
        "on_hold": (sn.flags["had_on_hold"] / sn.tickets + volvo.flags["had_on_hold"]
                    / volvo.tickets) / 2,
        "reopen": (sn.flags["reopened"] / sn.tickets + hd.flags["reopened"] / hd.tickets) / 2,
        "engineering": (volvo.flags["escalated"] / volvo.tickets + hd.flags["escalated"]
                        / hd.tickets) / 2,
        "priority_change": sn.flags["priority_changed"] / sn.tickets,
    }  # fmt: skip
    return {
        "DURATIONS": durations,
        "ARRIVALS_WEEK_HOUR": [round(float(v), 6) for v in weekly],
        "PRIORITY_MIX": mix,
        "RATES": {k: round(v, 6) for k, v in rate.items()},
        "CUSTOMER_ZIPF_EXPONENT": round(zipf_exponent(hd.customer_counts), 4),
        "EVENTS_PER_TICKET_MEAN": {
            ex.name: round(float(np.mean(ex.events_per_ticket)), 3) for ex in extracts.values()
        },
    }


def render_module(params: dict, extracts: dict[str, Extract]) -> str:
    sizes = ", ".join(f"{ex.name} {ex.tickets} tickets" for ex in extracts.values())
    lines = [
        '"""Workload parameters fitted to the real incident logs. GENERATED — do not edit.',
        "",
        f"Produced by ``tools/fit_workload.py --write`` on {datetime.now(UTC):%Y-%m-%d} from",
        f"/work/shared/data/real/ ({sizes});",
        "see docs/workload.md for what each number is and how it was fitted.",
        "Durations are in seconds: ``law`` lognormal has ``a`` = mu and ``b`` = sigma of",
        "ln(seconds); weibull has ``a`` = shape and ``b`` = scale (seconds). ``p_instant``",
        "is the share of values of at most one minute (a point mass at the start).",
        "ARRIVALS_WEEK_HOUR has 168 shares, Monday 00h first, local wall-clock time.",
        '"""',
        "",
        "from typing import Any",
        "",
    ]
    for key, value in params.items():
        lines.append(f"{key}: Any = {pprint.pformat(value, width=96, sort_dicts=True)}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
