"""``slaclock serve --workers 2`` on PostgreSQL: several API processes, concurrent clients.

Eight client threads post single events for the same tickets to two uvicorn worker
processes, every event twice. Each event must be accepted exactly once across all
answers, stored once, and every ticket's projection must equal a replay of its events.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from slaclock.core.workload import generate_events
from slaclock.service.compose import open_services
from slaclock.store.testing import (
    drop_scratch,
    postgres_unreachable_reason,
    scratch_engine,
    scratch_spec,
)

CONFIG = Path(__file__).resolve().parents[1] / "data" / "example_config.yaml"
START = datetime(2026, 3, 2, tzinfo=UTC)
NOW = datetime(2026, 3, 20, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/openapi.json", timeout=2)
            return
        except httpx.HTTPError:
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.3)


@pytest.fixture
def pg_schema_url() -> Any:
    """A URL another process can use for a private, migrated PostgreSQL schema."""
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    scratch = scratch_engine("postgresql")
    url, schema = scratch_spec(scratch)
    yield f"{url}?options=-csearch_path%3D{schema}"
    drop_scratch(scratch)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_accept_each_event_once_and_project_like_replay(pg_schema_url: str) -> None:
    services = open_services(pg_schema_url)
    services.config_apply(CONFIG.read_text(), "test", START)
    config = services.config_current()[2]
    _, secret = services.tokens.create("ingest", "workers-test", START)
    events = list(generate_events(config, tickets=25, days=14, seed=3, start=START))
    port = _free_port()
    command = "from slaclock.cli.main import app; app()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port), "--workers", "2",
         "--database-url", pg_schema_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        _wait_until_up(base, server)

        def post_slice(offset: int) -> list[str]:
            accepted: list[str] = []
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                for event in events[offset::4]:
                    answer = client.post("/api/v1/events", json=[event])
                    assert answer.status_code == 200, answer.text
                    accepted += [row["id"] for row in answer.json()["accepted"]]
            return accepted

        # Threads 0-3 and 4-7 send the same four slices: every event arrives twice.
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post_slice, [0, 1, 2, 3, 0, 1, 2, 3]))
    finally:
        server.terminate()
        server.wait(timeout=30)

    accepted = [event_id for answer in answers for event_id in answer]
    assert sorted(accepted) == sorted(e["id"] for e in events)  # each exactly once
    with services.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT id) FROM events")).one()
    assert tuple(stored) == (len(events), len(events))
    for ticket_id in sorted({e["ticket"] for e in events}):
        projected = services.ticket(ticket_id)
        assert projected is not None
        replayed = [i.to_json() for i in services.instances_as_of(ticket_id, NOW) or []]
        by_key = {(i["kind"], i["metric"], i["cycle"]): i for i in projected.instances}
        for instance in replayed:
            mine = by_key[(instance["kind"], instance["metric"], instance["cycle"])]
            # The projection is as of ingest time; only the parts fixed by events compare.
            for key in ("policy", "target_seconds", "started_at", "stopped_at", "calendar"):
                assert mine[key] == instance[key], (ticket_id, key)
    services.close()
