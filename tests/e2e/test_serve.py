"""``slaclock serve`` for real: a uvicorn process on a SQLite file, spoken to over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from slaclock.service.compose import open_services

CONFIG = Path(__file__).resolve().parents[1] / "data" / "example_config.yaml"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_over_http_and_keeps_events(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    services = open_services(url, upgrade=True)
    services.config_apply(CONFIG.read_text(), "test", NOW)
    _, secret = services.tokens.create("admin", "serve-test", NOW)
    port = _free_port()
    command = "from slaclock.cli.main import app; app()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port), "--database-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {secret}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.3)
        event = {"id": "s1", "ticket": "S-1", "at": "2026-03-02T08:15:00Z",
                 "type": "ticket.created", "by": "customer",
                 "fields": {"status": "new", "priority": "high"}}  # fmt: skip
        posted = httpx.post(base + "/api/v1/events", json=event, headers=headers)
        assert posted.json()["accepted"] == [{"index": 0, "id": "s1"}]
        assert httpx.get(base + "/api/v1/tickets/S-1", headers=headers).status_code == 200
        assert httpx.get(base + "/api/v1/tickets/S-1").status_code == 401
        login = httpx.get(base + "/login")  # the dashboard is served beside the API
        assert login.status_code == 200 and "<form" in login.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert open_services(url).ticket("S-1") is not None
