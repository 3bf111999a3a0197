"""Benchmark: what-if over 90 days of the demo workload (issue 23: at most 10 s).

Workload: what ``slaclock demo`` builds (``service_demo.populate``): ``demo/config.yaml``
applied, 20,000 tickets over 90 days ending at a fixed instant, generated with seed 7
and ingested into a fresh SQLite file (and, with ``--postgresql``, a scratch PostgreSQL
schema). Then ``what_if`` over the whole 90 days as of that instant, for three drafts:

- ``same``: the current configuration's own text (nothing may flip);
- ``stricter``: every target of the enterprise and business policies halved;
- ``calendar``: the enterprise policy on the 24×7 calendar instead of office hours.

Each is timed (wall and CPU, best of ``--repeat``) with its tickets, flips and peak
memory growth (tracemalloc is off: it would slow the replay; the process's peak RSS is
printed instead). Loading the database is not timed. ``--keep FILE`` keeps the SQLite
file and reuses it on the next run (same ``--tickets``/``--days``).

Run: ``python bench/whatif_bench.py [--tickets 20000] [--days 90] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from slaclock.cli.service_demo import BATCH_EVENTS, _past_events, demo_config_path
from slaclock.core.config.source_text import CoreSchemaLoader
from slaclock.core.durations import parse_duration
from slaclock.service.app_state import Services
from slaclock.service.compose import open_services, services_on
from slaclock.service.ingest import Limits
from slaclock.service.whatif import what_if

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TARGET_SECONDS = 10.0


def drafts(text: str) -> dict[str, str]:
    """The drafts the bench replays (see the module)."""
    return {"same": text, "stricter": halved(text), "calendar": on_24x7(text)}


def _edited(text: str, edit: Any) -> str:
    """The configuration edited, as JSON (read with the loader's YAML 1.2 schema, so
    ``country: NO`` stays Norway)."""
    data = yaml.load(text, Loader=CoreSchemaLoader)
    for policy in data["policies"]:
        edit(policy)
    return json.dumps(data)


def halved(text: str) -> str:
    """Every ``within`` of the enterprise and business policies halved."""

    def half(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: half(item) for key, item in value.items()}
        return f"{parse_duration(value) // 2}s"

    def edit(policy: dict[str, Any]) -> None:
        if policy["id"] in ("enterprise", "business"):
            for target in policy["targets"].values():
                target["within"] = half(target["within"])

    return _edited(text, edit)


def on_24x7(text: str) -> str:
    """The enterprise policy on the demo's always-open calendar instead of office hours."""

    def edit(policy: dict[str, Any]) -> None:
        if policy["id"] == "enterprise":
            policy["calendar"] = "follow-the-sun"

    return _edited(text, edit)


def load(services: Services, tickets: int, days: int) -> int:
    """The demo's history ingested; returns the events stored."""
    text = demo_config_path().read_text(encoding="utf-8")
    services.limits = Limits(future_skew=timedelta(days=days + 30))
    services.config_apply(text, "bench", NOW - timedelta(days=days + 1))
    config = services.config_current()[2]
    events = _past_events(config, tickets, days, 7, NOW)
    for first in range(0, len(events), BATCH_EVENTS):
        result = services.ingest(events[first : first + BATCH_EVENTS], NOW)
        assert not result.rejected, result.rejected[:3]
    return len(events)


def measure(services: Services, days: int, repeat: int) -> list[dict[str, Any]]:
    text = services.config_current()[1]
    start = NOW - timedelta(days=days)
    rows = []
    for name, draft in drafts(text).items():
        walls, cpus = [], []
        result = None
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            result = what_if(services, draft, start, NOW, NOW)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        assert result is not None
        if name == "same":
            assert result.flips_total == 0, "the current text flipped something"
        before, after = result.totals("before"), result.totals("after")
        rows.append({
            "draft": name, "tickets": result.tickets, "wall": min(walls), "cpu": min(cpus),
            "flips": result.flips_total, "before": before["compliance"],
            "after": after["compliance"],
        })  # fmt: skip
    return rows


def print_table(backend: str, events: int, rows: list[dict[str, Any]]) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{backend}: {events:,} events; peak RSS {peak:.0f} MB; target ≤ {TARGET_SECONDS:g} s")
    print("| draft | tickets | wall s | CPU s | tickets/s | flips | compliance before | after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = r["tickets"] / r["wall"] if r["wall"] else 0
        print(
            f"| {r['draft']} | {r['tickets']:,} | {r['wall']:.2f} | {r['cpu']:.2f} | {rate:,.0f} "
            f"| {r['flips']:,} | {r['before']:.4f} | {r['after']:.4f} |"
        )
    worst = max(r["wall"] for r in rows)
    print(f"slowest {worst:.2f} s: {'met' if worst <= TARGET_SECONDS else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the SQLite file here")
    parser.add_argument("--postgresql", action="store_true", help="also on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "whatif.db"
        fresh = not path.exists()
        services = open_services(f"sqlite:///{path}", upgrade=True)
        if fresh:
            began = time.perf_counter()
            events = load(services, args.tickets, args.days)
            print(
                f"loaded {events:,} events in {time.perf_counter() - began:.1f} s", file=sys.stderr
            )
        else:
            with services.db.reading() as tx:
                events = tx.events.count()
        print_table("SQLite", events, measure(services, args.days, args.repeat))
        services.close()
    if args.postgresql:
        from slaclock.store.testing import drop_scratch, scratch_engine

        engine = scratch_engine("postgresql")
        try:
            services = services_on(engine)
            events = load(services, args.tickets, args.days)
            services.db.analyze()
            print_table("PostgreSQL", events, measure(services, args.days, args.repeat))
        finally:
            drop_scratch(engine)


if __name__ == "__main__":
    main()
