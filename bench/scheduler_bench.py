"""Notification throughput: planned escalations coming due, fired and delivered by
``slaclock worker`` processes to a local webhook receiver, on PostgreSQL.

    .venv/bin/python bench/scheduler_bench.py [--tickets 100000] [--window 60]
        [--only 1|2|rt]

For each worker count (1, then 2 processes): ``--tickets`` tickets are created on a
fresh schema (each breach escalation, ``after: 0m``, goes to ``webhook:ops``); their
planned fire times are then spread evenly over ``--window`` seconds starting a few
seconds ahead (one UPDATE of ``schedule``: planning 100,000 tickets takes longer than
the window, and the bench measures firing, not planning). The workers run until every
delivery is sent. Printed: fires/s and deliveries/s (over the span from the first to
the last fire / arrival), lag from an entry's fire time to its arrival at the receiver
(p50/p99/max), and how far the last arrival trails the window.

``rt``: database round trips per fire and per delivery, counted in-process with a
SQLAlchemy ``before_cursor_execute`` listener while one in-process ``Worker.run_once``
fires and sends ``min(--tickets, 5000)`` entries that are all due, with the seconds
each phase took. Targets (issue 22): >= 1,000 deliveries/s; lag p99 <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine, event, text

import slaclock.service.worker as worker_module
from slaclock.service.compose import notification_worker, services_on
from slaclock.store.testing import (
    drop_scratch,
    postgres_unreachable_reason,
    scratch_engine,
    scratch_spec,
)

CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
webhooks:
  - {id: ops, url: "%(url)s", secret_env: BENCH_OPS_SECRET, format: json}
policies:
  - id: std
    name: Standard
    calendar: always
    targets: {first_response: {within: 1h}}
    escalations:
      - {after: 0m, notify: ["webhook:ops"]}
"""
SECRET = {"BENCH_OPS_SECRET": "s3cret"}
WORKER = [sys.executable, "-c", "from slaclock.cli.main import app; app()", "worker"]


class Receiver:
    """A webhook receiver on 127.0.0.1 (HTTP/1.1, kept alive): arrival time and the
    fire time of every delivery."""

    def __init__(self) -> None:
        self.got: list[tuple[float, str, str]] = []
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # kept alive: the bench measures slaclock, not TCP set-up

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                got.append((time.time(), body["fire_at"], body["delivery"]))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.request_queue_size = 256  # the workers keep 16 sends in flight
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _load(engine: Engine, hook: str, tickets: int) -> None:
    """``tickets`` new tickets, each with one breach escalation planned (already due)."""
    services = services_on(engine)
    now = datetime.now(UTC)
    services.config_apply(CONFIG % {"url": hook}, "bench", now - timedelta(hours=3))
    created = _stamp(now - timedelta(hours=2))
    for first in range(0, tickets, 5000):
        events = [
            {"id": f"T-{i:06d}-c", "ticket": f"T-{i:06d}", "type": "ticket.created",
             "at": created, "by": "customer", "fields": {"status": "new", "priority": "high"}}
            for i in range(first, min(tickets, first + 5000))
        ]  # fmt: skip
        assert not services.ingest(events, now).rejected


def _spread(engine: Engine, start: datetime, window: float, tickets: int) -> None:
    """Move the planned fire times to ``start`` + i/tickets · ``window`` (by ticket)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE schedule SET fire_at = :start + make_interval(secs => "
                "CAST(substr(ticket_id, 3) AS integer) * :step)"
            ),
            {"start": start, "step": window / tickets},
        )
        conn.execute(text("ANALYZE"))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def run_workers(tickets: int, window: float, workers: int) -> dict[str, float]:
    receiver = Receiver()
    engine = scratch_engine("postgresql")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        loaded = time.perf_counter()
        _load(engine, receiver.url, tickets)
        load_s = time.perf_counter() - loaded
        url = engine.url.render_as_string(hide_password=False)
        options = _search_path_option(engine)
        env = {**os.environ, **SECRET, "SLACLOCK_DATABASE_URL": f"{url}?options={options}"}
        start = datetime.now(UTC) + timedelta(seconds=8)  # the workers are up by then
        _spread(engine, start, window, tickets)
        procs = [
            subprocess.Popen(WORKER, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            for _ in range(workers)
        ]
        deadline = time.time() + window + 8 + 600
        while len(receiver.got) < tickets and time.time() < deadline:
            time.sleep(0.5)
        with engine.connect() as conn:
            first_fire, last_fire, fires = conn.execute(
                text("SELECT min(fired_at), max(fired_at), count(*) FROM fires")
            ).one()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        receiver.close()
        drop_scratch(engine)
    arrivals = sorted(t for t, _, _ in receiver.got)
    lags = [t - datetime.fromisoformat(f).timestamp() for t, f, _ in receiver.got]
    fire_span = max((last_fire - first_fire).total_seconds(), 1e-9)
    return {
        "load_s": load_s,
        "fires": fires,
        "arrived": len(receiver.got),
        "distinct": len({d for _, _, d in receiver.got}),
        "fires_s": fires / fire_span,
        "deliveries_s": len(arrivals) / max(arrivals[-1] - arrivals[0], 1e-9),
        "p50": _pct(lags, 50),
        "p99": _pct(lags, 99),
        "max": max(lags),
        "trail": arrivals[-1] - (start.timestamp() + window),
    }


def _search_path_option(engine: Engine) -> str:
    """The ``options`` query value that selects the scratch schema in another process."""
    _, schema = scratch_spec(engine)
    return f"-csearch_path%3D{schema}"


@contextmanager
def _instrumented(engine: Engine) -> Iterator[tuple[dict[str, int], dict[str, float]]]:
    """Statements sent and seconds spent, by phase: the worker's ``fire_due`` and
    ``deliver_due`` are wrapped (in this process only) to say which phase runs."""
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    phase = {"name": "other"}

    def count(*_: Any) -> None:
        counts[phase["name"]] = counts.get(phase["name"], 0) + 1

    def wrapped(name: str, real: Callable[..., int]) -> Callable[..., int]:
        def call(*args: Any, **kwargs: Any) -> int:
            phase["name"], began = name, time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - began
                phase["name"] = "other"

        return call

    real_fire, real_deliver = worker_module.fire_due, worker_module.deliver_due
    event.listen(engine, "before_cursor_execute", count)
    worker_module.fire_due = wrapped("fire", real_fire)
    worker_module.deliver_due = wrapped("deliver", real_deliver)
    try:
        yield counts, seconds
    finally:
        worker_module.fire_due, worker_module.deliver_due = real_fire, real_deliver
        event.remove(engine, "before_cursor_execute", count)


def round_trips(tickets: int) -> dict[str, float]:
    """Statements per fire and per delivery, and each phase's time, in-process."""
    receiver = Receiver()
    engine = scratch_engine("postgresql")
    try:
        _load(engine, receiver.url, tickets)
        services = services_on(engine)
        worker, close = notification_worker(services, SECRET, lambda: datetime.now(UTC))
        try:
            with _instrumented(engine) as (counts, seconds):
                fired, attempted = worker.run_once()
        finally:
            close()
    finally:
        receiver.close()
        drop_scratch(engine)
    assert fired == tickets and attempted == tickets and len(receiver.got) == tickets
    return {
        "per_fire": counts.get("fire", 0) / fired,
        "per_delivery": counts.get("deliver", 0) / attempted,
        "fire_s": fired / seconds["fire"],
        "deliver_s": attempted / seconds["deliver"],
        "fire_ms": 1000 * seconds["fire"] / fired,
        "deliver_ms": 1000 * seconds["deliver"] / attempted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--only", choices=["1", "2", "rt"], action="append")
    args = parser.parse_args()
    reason = postgres_unreachable_reason()
    if reason:
        raise SystemExit(reason)
    only = set(args.only or ["1", "2", "rt"])
    print(f"{args.tickets:,} tickets, fire times over {args.window:.0f} s, PostgreSQL\n")
    print("| workers | fires/s | deliveries/s | lag p50 s | lag p99 s | lag max s "
          "| last arrival after window s | arrived / distinct |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    results = {}
    for count in (1, 2):
        if str(count) not in only:
            continue
        r = results[count] = run_workers(args.tickets, args.window, count)
        print(f"| {count} | {r['fires_s']:,.0f} | {r['deliveries_s']:,.0f} | {r['p50']:.2f} "
              f"| {r['p99']:.2f} | {r['max']:.2f} | {r['trail']:.1f} "
              f"| {r['arrived']:,.0f} / {r['distinct']:,.0f} |", flush=True)  # fmt: skip
    if 1 in results and 2 in results:
        print(f"\ntwo workers / one: {results[2]['deliveries_s'] / results[1]['deliveries_s']:.2f}x"
              f" deliveries/s; target >= 1,000 deliveries/s, lag p99 <= 1 s")  # fmt: skip
    if "rt" in only:
        n = min(args.tickets, 5000)
        r = round_trips(n)
        print(f"\nin-process Worker.run_once, {n:,} entries all due:\n")
        print("| phase | statements per item | items/s | ms per item |")
        print("|---|---|---|---|")
        print(f"| fire (schedule -> fires + outbox) | {r['per_fire']:.2f} | {r['fire_s']:,.0f} "
              f"| {r['fire_ms']:.2f} |")  # fmt: skip
        print(f"| deliver (claim, POST, record) | {r['per_delivery']:.2f} "
              f"| {r['deliver_s']:,.0f} | {r['deliver_ms']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
