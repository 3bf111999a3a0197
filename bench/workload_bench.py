"""Benchmark: the workload generator, streaming JSON lines, against its own dict face.

Workload: the spec's example configuration, N tickets over D days, seed 1, time-ordered.
Peers in the same process on the same workload (outputs checked equal on a prefix):
- ``generate_lines``: pre-escaped JSON lines (what ``slaclock generate`` writes);
- ``generate_events`` + ``json.dumps``: the dict API serialised by the standard library.
Both stream to /dev/null in chunks, as the CLI does. Reported: events, events per
second (wall and CPU), and peak RSS (memory stays bounded: day windows, not all events).

Run: ``python bench/workload_bench.py [--tickets 1000000 --days 90]`` (``--quick``: 50k).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from slaclock.core.config import load_config
from slaclock.core.workload import generate_events, generate_lines

CONFIG = Path(__file__).resolve().parents[1] / "tests" / "data" / "example_config.yaml"
START = datetime(2026, 3, 2, tzinfo=UTC)
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _stream(lines: Iterable[str]) -> int:
    count = 0
    with open("/dev/null", "w", encoding="utf-8") as sink:
        while chunk := list(itertools.islice(lines, 8192)):
            sink.write("\n".join(chunk) + "\n")
            count += len(chunk)
    return count


def _timed(name: str, lines: Iterable[str]) -> float:
    wall, cpu = time.perf_counter(), time.process_time()
    count = _stream(lines)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {name} | {count:,} | {count / wall:,.0f} | {count / cpu:,.0f} | {rss_mb:,.0f} |")
    return count / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    tickets = 50_000 if args.quick else args.tickets
    config = load_config(CONFIG)
    prefix = list(itertools.islice(generate_lines(config, 2000, 7, 1, START), 5000))
    dicts = itertools.islice(generate_events(config, 2000, 7, 1, START), 5000)
    assert prefix == [dumps(e) for e in dicts], "the two faces disagree"
    print(f"{tickets:,} tickets over {args.days} days, seed 1, sorted\n")
    print("| generator | events | events/s (wall) | events/s (CPU) | peak RSS MB |")
    print("|---|---|---|---|---|")
    fast = _timed("generate_lines", generate_lines(config, tickets, args.days, 1, START))
    slow = _timed(
        "generate_events + json.dumps",
        (dumps(e) for e in generate_events(config, tickets, args.days, 1, START)),
    )
    print(f"\nratio (CPU events/s): generate_lines / dict+json.dumps = {fast / slow:.2f}")


if __name__ == "__main__":
    main()
