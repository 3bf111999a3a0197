"""HTTP benchmark: single-event ingest latency under concurrent clients, SQLite vs PostgreSQL.

    .venv/bin/python bench/api_bench.py [--rate 200] [--seconds 20] [--clients 32]
        [--only sqlite|postgresql] [--workers 1]

A real uvicorn server (a subprocess, ``slaclock.api.asgi:build``) runs on a fresh
database holding the example configuration. An open-loop client schedules one
``POST /api/v1/events`` (one event per request: a new ticket's creation, or a message,
update or solve on an earlier ticket) every ``1/rate`` seconds over ``clients``
keep-alive connections. Latency is measured from the request's *scheduled* time to
its response, so a server that falls behind is charged for the queueing it causes
(no coordinated omission). Target: p99 <= 50 ms at 200 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from slaclock.service.compose import services_on
from slaclock.store.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[1]
CONFIG = (ROOT / "tests" / "data" / "example_config.yaml").read_text()
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLANS = ("enterprise", "business", "free")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _event(i: int) -> dict[str, Any]:
    """Request i: every 4th creates a ticket; the others act on a recent ticket."""
    at = NOW + timedelta(seconds=i)
    base = {"id": f"b-{i}", "at": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    ticket_no = i // 4
    if i % 4 == 0:
        fields = {
            "status": "new",
            "priority": ("low", "normal", "high", "urgent")[ticket_no % 4],
            "channel": "email",
            "group": "support",
            "customer": {"id": f"c{ticket_no % 50}", "plan": PLANS[ticket_no % 3], "region": "EU"},
        }
        return {**base, "ticket": f"B-{ticket_no}", "type": "ticket.created", "by": "customer",
                "fields": fields}  # fmt: skip
    ticket = f"B-{ticket_no}"
    if i % 4 == 1:
        return {**base, "ticket": ticket, "type": "message", "author": "agent", "public": True}
    if i % 4 == 2:
        return {**base, "ticket": ticket, "type": "message", "author": "customer", "public": True}
    return {**base, "ticket": ticket, "type": "ticket.updated", "changes": {"status": "solved"}}


def _prepare(url: str, connect_args: dict[str, Any]) -> str:
    engine = make_engine(url, connect_args=connect_args) if connect_args else make_engine(url)
    upgrade(engine)
    services = services_on(engine)
    services.config_apply(CONFIG, "bench", NOW)
    _, secret = services.tokens.create("ingest", "bench", NOW)
    engine.dispose()
    return secret


def _start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SLACLOCK_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "uvicorn", "slaclock.api.asgi:build", "--factory",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning",
           "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, token: str, body: bytes
) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 POST; a bare client so the load generator stays cheap
    (it shares the machine with the server it measures)."""
    head = (
        f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    payload = await reader.readexactly(length)
    return int(status_line.split()[1]), payload


async def _load(port: int, token: str, rate: float, total: int, clients: int) -> dict[str, Any]:
    """Open loop: request i is due at start + i/rate; latency counts from that instant.

    ``clients`` connections each send their next due request as soon as the previous
    answer is in; a request waiting for a free connection is charged that wait.
    """
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    start = time.perf_counter() + 0.5

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                i = queue.get_nowait()
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                body = json.dumps(_event(i)).encode()
                status, payload = await _post(reader, writer, port, token, body)
                latencies.append(time.perf_counter() - due)
                if status != 200 or json.loads(payload)["rejected"]:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(clients)))
    return {"latencies": latencies, "errors": errors, "elapsed": time.perf_counter() - start}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _pg_schema() -> tuple[str, dict[str, Any], Any]:
    schema = "bench_api_" + secrets.token_hex(4)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    return url, {}, drop


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any] | None:
    drop = None
    if backend == "sqlite":
        directory = tempfile.mkdtemp(prefix="slaclock-api-bench-")
        url, connect_args = f"sqlite:///{Path(directory) / 'bench.db'}", {}
    else:
        try:
            url, connect_args, drop = _pg_schema()
        except Exception as exc:
            print(f"postgresql: skipped ({exc.__class__.__name__})")
            return None
    try:
        token = _prepare(url, connect_args)
        port = _free_port()
        server = _start_server(url, port, args.workers)
        try:
            warm = max(50, int(args.rate * 2))
            asyncio.run(_load(port, token, args.rate, warm, args.clients))  # warm-up
            total = int(args.rate * args.seconds)
            result = asyncio.run(_load(port, token, args.rate, total, args.clients))
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if drop is not None:
            drop()
    lat = [1000 * x for x in result["latencies"]]
    return {
        "backend": backend,
        "workers": args.workers,
        "requests": len(lat),
        "rate": len(lat) / result["elapsed"],
        "p50": statistics.median(lat),
        "p99": _percentile(lat, 0.99),
        "max": max(lat),
        "errors": result["errors"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    rows = [row for b in backends if (row := run_backend(b, args)) is not None]
    print(f"\nsingle-event POST /api/v1/events, {args.rate:g} req/s target, "
          f"{args.clients} client connections, latency from scheduled send")  # fmt: skip
    print("| backend | workers | requests | achieved req/s | p50 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['backend']} | {r['workers']} | {r['requests']} | {r['rate']:.0f} | "
              f"{r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['errors']} |")  # fmt: skip
    if len(rows) == 2:
        ratio = rows[1]["p99"] / rows[0]["p99"]
        print(f"p99 postgresql / sqlite: {ratio:.2f}; target p99 <= 50 ms")


if __name__ == "__main__":
    main()
