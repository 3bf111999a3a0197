"""Service-level benchmark: batch ingest throughput and queue latency, SQLite vs PostgreSQL.

    .venv/bin/python bench/ingest_bench.py [--events 20000] [--batch 1000 10000]
        [--open-instances 100000] [--only sqlite|postgresql]

Ingest: a generated workload (the example configuration; events in time order, with
late and repeated deliveries) goes through ``Services.ingest`` in batches, on a fresh
database; events/s counts every delivered event (accepted or duplicate).
Queue: ``open-instances / 2`` tickets are created (each opens a first_response and a
resolution clock on an always-open calendar), then pages of 50 are read through
``Services.queue`` — first page, deep pages by cursor, and filtered pages — and the
p50/p99 latencies are printed. The database is ANALYZEd after loading, as
autovacuum would have done by then on a live system. Targets: >= 5,000 events/s on
PostgreSQL, >= 2,000 on SQLite, queue page p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slaclock.core.config import parse_config
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.queue import QueueFilters
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = (ROOT / "tests" / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, tzinfo=UTC)
WORKLOAD_DAYS = 30
QUEUE_CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: {urgent: 30m, high: 2h, normal: 8h, low: 1d}}
      resolution: {within: 3d}
"""
GROUPS = ["support", "billing", "engineering", "success", "security"]


def ingest_throughput(
    services: Services, events: list[dict[str, Any]], batch: int, now: datetime
) -> float:
    """Events per second through Services.ingest, all batches."""
    started = time.perf_counter()
    for i in range(0, len(events), batch):
        result = services.ingest(events[i : i + batch], now)
        assert not result.rejected, result.rejected[:3]
    return len(events) / (time.perf_counter() - started)


def open_tickets(count: int, now: datetime) -> list[dict[str, Any]]:
    rng = random.Random(1)
    out = []
    for n in range(count):
        at = now - timedelta(seconds=rng.randrange(0, 3 * 86400))
        out.append({
            "id": f"q{n}", "ticket": f"Q-{n:06d}", "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "type": "ticket.created", "by": "customer",
            "fields": {
                "status": "new", "priority": rng.choice(["urgent", "high", "normal", "low"]),
                "group": rng.choice(GROUPS), "assignee": f"agent{rng.randrange(200)}",
                "subject": f"Ticket {n}", "customer": {"id": f"org{rng.randrange(2000)}",
                                                        "plan": rng.choice(["free", "pro"])},
            },
        })  # fmt: skip
    return out


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    call()  # warm up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def queue_latencies(services: Services, now: datetime, repeat: int) -> dict[str, list[float]]:
    cursors = []
    page = services.queue(QueueFilters(), None, 50, now)
    for _ in range(200):  # walk 200 pages deep to collect cursors
        if page.next_cursor is None:
            break
        cursors.append(page.next_cursor)
        page = services.queue(QueueFilters(), page.next_cursor, 50, now)
    deep = cursors[-1]
    cases: dict[str, Callable[[], Any]] = {
        "first page": lambda: services.queue(QueueFilters(), None, 50, now),
        "page 200 (cursor)": lambda: services.queue(QueueFilters(), deep, 50, now),
        "group=billing": lambda: services.queue(QueueFilters(group="billing"), None, 50, now),
        "assignee=agent7": lambda: services.queue(QueueFilters(assignee="agent7"), None, 50, now),
        "state=running": lambda: services.queue(QueueFilters(state="running"), None, 50, now),
        "due within 1h": lambda: services.queue(
            QueueFilters(due_within_seconds=3600), None, 50, now
        ),
        "summary": lambda: services.summary(now, 3600),
    }
    return {name: timed(call, repeat) for name, call in cases.items()}


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_backend(
    kind: str, args: argparse.Namespace, workload: list[dict[str, Any]]
) -> dict[str, Any]:
    out: dict[str, Any] = {"ingest": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for batch in args.batch:
            engine = scratch_engine(kind, Path(tmp))
            try:
                services = services_on(engine)
                services.config_apply(EXAMPLE_CONFIG, "bench", START)
                end = START + timedelta(days=WORKLOAD_DAYS)
                out["ingest"][batch] = ingest_throughput(services, workload, batch, end)
            finally:
                drop_scratch(engine)
        engine = scratch_engine(kind, Path(tmp))
        try:
            services = services_on(engine)
            now = START + timedelta(days=3)
            services.config_apply(QUEUE_CONFIG, "bench", START)
            tickets = open_tickets(args.open_instances // 2, now)
            out["ingest_created"] = ingest_throughput(services, tickets, 1000, now)
            with engine.connect() as conn:  # as autovacuum would have by now
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            out["open"] = services.summary(now, 0).totals.to_json()
            out["queue"] = queue_latencies(services, now, args.repeat)
        finally:
            drop_scratch(engine)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--open-instances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    from slaclock.core.workload import WorkloadOptions, generate_events

    options = WorkloadOptions(shuffle=0.05, duplicates=0.02)
    config = parse_config(EXAMPLE_CONFIG)
    workload: list[dict[str, Any]] = []
    tickets = max(1, args.events // 4)
    while len(workload) < args.events:
        workload = list(generate_events(config, tickets, WORKLOAD_DAYS, 11, START, options))
        tickets = int(tickets * 1.3) + 1
    workload = workload[: args.events]
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    if "postgresql" in kinds and (reason := postgres_unreachable_reason()):
        print(f"skipping PostgreSQL: {reason}")
        kinds.remove("postgresql")
    results = {kind: run_backend(kind, args, workload) for kind in kinds}
    print_table(results, args)


def print_table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    kinds = list(results)
    print(f"\nIngest through Services.ingest, events/s ({args.events:,} workload events)")
    print(f"{'':34}" + "".join(f"{k:>14}" for k in kinds))
    for batch in args.batch:
        label = f"workload, batches of {batch:,}"
        print(f"{label:34}" + "".join(f"{results[k]['ingest'][batch]:>14,.0f}" for k in kinds))
    label = "new tickets only, batches of 1,000"
    print(f"{label:34}" + "".join(f"{results[k]['ingest_created']:>14,.0f}" for k in kinds))
    print(f"\nQueue with {args.open_instances:,} open instances, pages of 50, ms (p50 / p99)")
    for k in kinds:
        totals = results[k]["open"]
        print(f"  {k}: running={totals['running']:,} breached={totals['breached']:,}")
    for case in next(iter(results.values()))["queue"]:
        cells = ""
        for k in kinds:
            samples = results[k]["queue"][case]
            cells += f"{pct(samples, 50):>8.1f} /{pct(samples, 99):>6.1f}"
        print(f"{case:34}{cells}")
    if len(kinds) == 2:
        a, b = kinds
        print()
        for batch in args.batch:
            ratio = results[b]["ingest"][batch] / results[a]["ingest"][batch]
            print(f"ratio {b}/{a} ingest throughput, batches of {batch:,}: {ratio:.2f}")


if __name__ == "__main__":
    main()
