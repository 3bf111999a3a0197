"""The cap on a request's head (target and header fields), issue 26 part 6.

In the app, a head past the cap answers 431 before anything else; on a real uvicorn
server run with ``slaclock serve``'s settings, a header streamed without end is cut off
by the parser (it is never gathered in memory, and the app never sees the request).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from slaclock.api import create_app
from slaclock.api.limits import DEFAULT_MAX_HEADER_BYTES, head_size, max_header_bytes_from
from slaclock.cli.main import app as cli_app
from slaclock.cli.service_cmd import http_settings
from slaclock.service.compose import services_on
from slaclock.store.db import make_engine, upgrade
from slaclock.web import asgi as web_asgi

LIMIT = 4096


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# In the app ---------------------------------------------------------------------------


def test_a_head_past_the_cap_answers_431_before_the_token_check(
    sqlite_api: Any, api_factory: Any
) -> None:
    small = api_factory(sqlite_api.services, sqlite_api.clock, max_header_bytes=LIMIT)
    big = {"X-Filler": "a" * LIMIT}
    body = _problem(small.client.get("/api/v1/summary", headers=big), 431)
    assert str(LIMIT) in body["detail"]
    response = small.client.get("/api/v1/summary", headers=big)
    assert response.headers["connection"] == "close"
    long_target = "/api/v1/queue?group=" + "g" * LIMIT
    _problem(small.client.get(long_target, headers=small.headers()), 431)


def test_a_head_within_the_cap_is_served(sqlite_api: Any, api_factory: Any) -> None:
    small = api_factory(sqlite_api.services, sqlite_api.clock, max_header_bytes=LIMIT)
    headers = {**small.headers("viewer"), "X-Filler": "a" * (LIMIT // 2)}
    assert small.client.get("/api/v1/summary", headers=headers).status_code == 200


def test_the_default_cap_is_16_kib_and_the_environment_may_set_it(
    sqlite_api: Any, api_factory: Any
) -> None:
    assert DEFAULT_MAX_HEADER_BYTES == 16 * 1024 == max_header_bytes_from({})
    default = sqlite_api.client
    filler = {"X-Filler": "a" * 12_000}
    assert default.get("/api/v1/summary", headers=filler).status_code == 401  # not 431
    _problem(default.get("/api/v1/summary", headers={"X-Filler": "a" * 17_000}), 431)
    set_by_env = TestClient(
        create_app(sqlite_api.services, environ={"SLACLOCK_MAX_HEADER_BYTES": "2048"})
    )
    _problem(set_by_env.get("/api/v1/summary", headers={"X-Filler": "a" * 3000}), 431)


@pytest.mark.parametrize("value", ["many", "-1", "100"])
def test_a_bad_environment_setting_stops_the_app_from_starting(sqlite_api: Any, value: str) -> None:
    with pytest.raises(ValueError, match="SLACLOCK_MAX_HEADER_BYTES"):
        create_app(sqlite_api.services, environ={"SLACLOCK_MAX_HEADER_BYTES": value})


def test_head_size_counts_the_target_and_each_field() -> None:
    scope = {"raw_path": b"/a", "query_string": b"b=1", "headers": [(b"host", b"x")]}
    assert head_size(scope) == 2 + 3 + (4 + 1 + 4)


# On a real server ---------------------------------------------------------------------


class Recorder:
    """The app, remembering each path it was asked for."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(sqlite_engine: Engine) -> Iterator[tuple[int, Recorder]]:
    """uvicorn with ``slaclock serve``'s settings, in a thread, on a free port."""
    recorder = Recorder(create_app(services_on(sqlite_engine), max_header_bytes=LIMIT))
    port = _free_port()
    config = uvicorn.Config(
        recorder, host="127.0.0.1", port=port, log_level="error", **http_settings(LIMIT)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield port, recorder
    server.should_exit = True
    thread.join()


def _exchange(port: int, head: bytes, piece: int) -> bytes:
    """Send ``head`` in pieces of ``piece`` bytes; whatever the server answers before it
    closes (b"" when it reset the connection without a word)."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(OSError):  # the server may stop reading and close
            for start in range(0, len(head), piece):
                sock.sendall(head[start : start + piece])
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                received += chunk
    return received


def _request(path: str, filler: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"X-Filler: {'a' * filler}\r\n\r\n"
    ).encode()


def test_a_header_streamed_without_end_is_cut_off_unseen(served: tuple[int, Recorder]) -> None:
    port, recorder = served
    answer = _exchange(port, _request("/streamed", 4 * 1024 * 1024), piece=1024)
    assert answer == b"" or answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), answer[:200]
    assert "/streamed" not in recorder.paths
    normal = _exchange(port, _request("/openapi.json", 100), piece=65536)
    assert normal.startswith(b"HTTP/1.1 200"), normal[:200]
    assert recorder.paths == ["/openapi.json"]


def test_a_head_past_the_cap_sent_at_once_is_refused(served: tuple[int, Recorder]) -> None:
    port, _ = served
    answer = _exchange(port, _request("/whole", LIMIT + 500), piece=65536)
    assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), answer[:200]
    within = _exchange(port, _request("/openapi.json", LIMIT // 2), piece=65536)
    assert within.startswith(b"HTTP/1.1 200"), within[:200]


# The serve command --------------------------------------------------------------------


def test_serve_runs_h11_with_the_cap_and_hands_it_to_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    monkeypatch.setenv("SLACLOCK_DATABASE_URL", url)  # serve sets both: restored after
    monkeypatch.setenv("SLACLOCK_MAX_HEADER_BYTES", "")  # empty: unset
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli_app, ["serve", "--max-header-bytes", "2048"])
    assert result.exit_code == 0, result.output
    assert calls[0]["http"] == "h11" and calls[0]["h11_max_incomplete_event_size"] == 2048
    worker_app = TestClient(web_asgi.build())  # what each worker builds, from the env
    assert worker_app.get("/login", headers={"X-Filler": "a" * 1500}).status_code == 200
    _problem(worker_app.get("/login", headers={"X-Filler": "a" * 2500}), 431)


def test_serve_takes_the_cap_from_the_environment_and_defaults_to_16_kib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'env.db'}")
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SLACLOCK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SLACLOCK_MAX_HEADER_BYTES", "")  # serve sets it: restored after
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.append(kwargs))
    runner = CliRunner()
    assert runner.invoke(cli_app, ["serve"]).exit_code == 0
    runner_env = {"SLACLOCK_MAX_HEADER_BYTES": "8192"}
    assert runner.invoke(cli_app, ["serve"], env=runner_env).exit_code == 0
    too_small = runner.invoke(cli_app, ["serve", "--max-header-bytes", "10"])
    assert too_small.exit_code == 2
    assert [c["h11_max_incomplete_event_size"] for c in calls] == [16 * 1024, 8192]
