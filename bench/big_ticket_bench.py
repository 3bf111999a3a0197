"""One ticket with very many events: what each operation on it costs, and whether it
stalls other clients.

    .venv/bin/python bench/big_ticket_bench.py [--events 50000] [--only sqlite|postgresql]
        [--serve]

A ticket on the enterprise policy of the example configuration gets ``--events``
messages, alternating customer and agent (every pair opens and stops a
``next_response`` cycle), ingested in batches. Then, timed on that ticket:

- ``in-order event``: one more message, later than all (a warm process: the engine
  state of the previous projection is cached);
- ``in-order, cold``: the same in a process that has not seen the ticket (another
  worker);
- ``late event``: a message dated before the last one (a replay of the ticket);
- ``instances``, ``explain``, ``ticket view``: the reads of the API.

Each is compared with the same operation on a ticket of 20 events, in the same run,
so the ratio says what the size costs. With ``--serve``, the service runs in uvicorn
on 127.0.0.1 and a second client polls ``GET /api/v1/summary`` while the big ticket's
explanation and a late event are requested: its worst latency shows whether one
ticket stalls the process.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = (ROOT / "tests" / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BATCH = 2_000
#: The bench measures what size costs, so its tickets may grow past the service's limit.
ROOMY = Limits(max_ticket_events=10_000_000)


def ticket_events(ticket: str, count: int, start: datetime = START) -> list[dict[str, Any]]:
    """``ticket.created`` and ``count - 1`` messages a minute apart, customer and agent
    in turn (each pair a ``next_response`` cycle on the enterprise policy)."""
    created = {
        "id": f"{ticket}-c",
        "ticket": ticket,
        "at": _z(start),
        "type": "ticket.created",
        "by": "customer",
        "fields": {
            "status": "open",
            "priority": "high",
            "channel": "email",
            "group": "support",
            "customer": {"id": "acme", "plan": "enterprise", "region": "US"},
        },
    }
    out = [created]
    for n in range(1, count):
        author = "customer" if n % 2 else "agent"
        out.append(_message(ticket, f"{ticket}-m{n}", start + timedelta(minutes=n), author))
    return out


def _message(ticket: str, event_id: str, at: datetime, author: str) -> dict[str, Any]:
    return {"id": event_id, "ticket": ticket, "at": _z(at), "type": "message",
            "author": author, "author_id": "anna" if author == "agent" else None,
            "public": True}  # fmt: skip


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _load(services: Services, events: list[dict[str, Any]], now: datetime) -> None:
    for i in range(0, len(events), BATCH):
        result = services.ingest(events[i : i + BATCH], now)
        assert not result.rejected, result.rejected[:3]


def measure(kind: str, size: int) -> dict[str, tuple[float, float]]:
    """Seconds of each operation on the big ticket and on a small one."""
    engine = scratch_engine(kind, Path("/tmp"))
    try:
        services = services_on(engine)
        services.limits = ROOMY
        now = START + timedelta(minutes=size + 60)
        services.config_apply(EXAMPLE_CONFIG, "bench", now)
        small, big = ticket_events("SMALL", 20), ticket_events("BIG", size)
        started = time.perf_counter()
        _load(services, small + big, now)
        print(f"  loaded {size + 20:,} events in {time.perf_counter() - started:.1f} s")
        cold = services_on(engine)  # another process: no cached engine states
        cold.limits = ROOMY
        rows: dict[str, tuple[float, float]] = {}
        for label, ticket, count in (("small", "SMALL", 20), ("big", "BIG", size)):
            at = START + timedelta(minutes=count + 1)
            steps: dict[str, Callable[[], Any]] = {
                "in-order event": lambda t=ticket, a=at: services.ingest(
                    [_message(t, f"{t}-x1", a, "agent")], now),
                "in-order, cold": lambda t=ticket, a=at: cold.ingest(
                    [_message(t, f"{t}-x2", a + timedelta(seconds=1), "customer")], now),
                "late event": lambda t=ticket: services.ingest(
                    [_message(t, f"{t}-late", START + timedelta(seconds=30), "agent")], now),
                "instances": lambda t=ticket: services.instances_as_of(t, now),
                "explain": lambda t=ticket: services.explain(t, now),
                "ticket view": lambda t=ticket: services.ticket(t),
            }  # fmt: skip
            for name, step in steps.items():
                seconds = _timed(step)
                small_s, big_s = rows.get(name, (0.0, 0.0))
                rows[name] = (seconds, big_s) if label == "small" else (small_s, seconds)
        return rows
    finally:
        drop_scratch(engine)


def serve_stall(size: int) -> None:
    """Worst latency of another client's requests while the big ticket is worked on."""
    import httpx
    import uvicorn

    from slaclock.api import create_app

    engine = scratch_engine("sqlite", Path("/tmp"))
    services = services_on(engine)
    services.limits = ROOMY
    now = START + timedelta(minutes=size + 60)
    services.config_apply(EXAMPLE_CONFIG, "bench", now)
    _load(services, ticket_events("BIG", size), now)
    _, secret = services.tokens.create("admin", "bench", now)
    app = create_app(services, lambda: now, environ={})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8765, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    headers = {"Authorization": f"Bearer {secret}"}
    base = "http://127.0.0.1:8765/api/v1"
    latencies: list[float] = []
    busy = threading.Event()

    def poll() -> None:
        with httpx.Client(headers=headers, timeout=600) as client:
            while busy.is_set():
                latencies.append(_timed(lambda: client.get(f"{base}/summary")))
                time.sleep(0.02)

    with httpx.Client(headers=headers, timeout=600) as client:
        busy.set()
        poller = threading.Thread(target=poll)
        poller.start()
        heavy = {
            "explain": lambda: client.get(f"{base}/tickets/BIG/explain"),
            "late event": lambda: client.post(
                f"{base}/events", json=_message("BIG", "late-2", START, "agent")),
        }  # fmt: skip
        for name, step in heavy.items():
            print(f"  {name}: {_timed(step):.2f} s")
        busy.clear()
        poller.join()
    server.should_exit = True
    thread.join()
    drop_scratch(engine)
    median, worst = statistics.median(latencies) * 1000, max(latencies) * 1000
    print(f" other client: {len(latencies)} requests; median {median:.0f} ms; worst {worst:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    for kind in kinds:
        if kind == "postgresql" and (reason := postgres_unreachable_reason()):
            print(f"{kind}: skipped ({reason})")
            continue
        print(f"{kind}: one ticket of {args.events:,} events")
        rows = measure(kind, args.events)
        size = f"{args.events:,} events"
        print(f"  {'operation':<16} {'20 events':>10} {size:>14} {'ratio':>8}")
        for name, (small_s, big_s) in rows.items():
            print(f"  {name:<16} {small_s * 1000:>8.1f}ms {big_s * 1000:>12.1f}ms "
                  f"{big_s / small_s:>7.0f}×")  # fmt: skip
    if args.serve:
        print(f"serve (sqlite): another client while the {args.events:,}-event ticket works")
        serve_stall(args.events)


if __name__ == "__main__":
    main()
