"""``slaclock worker`` and ``slaclock serve``'s own worker, for real: processes on a
SQLite file fire an escalation planned by another process once its time comes (about
a second after it, printed) and deliver it to a receiver on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slaclock.service.compose import open_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.receivers import HttpReceiver, free_port, http_receiver

CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
webhooks:
  - {id: ops, url: "%(url)s", secret_env: OPS_SECRET, format: json}
policies:
  - id: std
    name: Standard
    calendar: always
    targets: {first_response: {within: 1h}}
    escalations:
      - {after: 0m, notify: ["webhook:ops"]}
"""


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    """A webhook receiver; each request's arrival time is ``Received.at``."""
    with http_receiver(status=204) as state:
        yield state


def _due_soon(url: str, hook: str, seconds: float) -> float:
    """A ticket whose breach escalation falls due ``seconds`` from now; its unix time."""
    now = datetime.now(UTC).replace(microsecond=0)
    services = open_services(url, upgrade=True)
    services.config_apply(CONFIG % {"url": hook}, "test", now - timedelta(hours=2))
    started = now - timedelta(hours=1) + timedelta(seconds=seconds)
    event = {"id": "w1", "ticket": "W-1", "at": started.isoformat().replace("+00:00", "Z"),
             "type": "ticket.created", "by": "customer",
             "fields": {"status": "new", "priority": "high"}}  # fmt: skip
    assert services.ingest([event], now).accepted
    services.close()
    return (started + timedelta(hours=1)).timestamp()


def _wait_for(got: list[Any], deadline: float) -> None:
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_the_worker_process_fires_on_time_and_stops_on_sigterm(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    hook, got = receiver.url, receiver.received
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    open_services(url, upgrade=True).close()
    env = {**os.environ, "OPS_SECRET": "s3cret", "SLACLOCK_DATABASE_URL": url}
    worker = subprocess.Popen(
        [sys.executable, "-c", "from slaclock.cli.main import app; app()", "worker"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(1.5)  # the worker is up and asleep: nothing is planned yet
        due = _due_soon(url, hook, seconds=3)  # planned by this process, not the worker's
        _wait_for(got, time.monotonic() + 20)
        assert len(got) == 1, worker.stdout and worker.poll()
        arrived, body = got[0].at, got[0].json()
        assert body["type"] == "sla.breached" and body["ticket"] == "W-1"
        # Not before its time; how soon after is measured, not asserted (a loaded
        # machine delays any process): it is printed, and typically about a second.
        assert arrived - due >= -0.1
        print(f"fired {arrived - due:.2f} s after its time")
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == 0, output
    assert "delivering by" in output and "webhook" in output


@pytest.mark.slow
def test_serve_runs_its_own_worker_unless_told_not_to(
    tmp_path: Path, receiver: HttpReceiver
) -> None:
    hook, got = receiver.url, receiver.received
    for no_worker in (True, False):
        url = f"sqlite:///{tmp_path / f'serve-{no_worker}.db'}"
        _due_soon(url, hook, seconds=0)  # already due
        command = ["serve", "--port", str(free_port()), "--database-url", url]
        server = subprocess.Popen(
            [sys.executable, "-c", "from slaclock.cli.main import app; app()", *command,
             *(["--no-worker"] if no_worker else [])],
            env={**os.environ, "OPS_SECRET": "s3cret"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_for(got, time.monotonic() + (8 if no_worker else 30))
            assert len(got) == (0 if no_worker else 1)
        finally:
            server.terminate()
            server.wait(timeout=30)
