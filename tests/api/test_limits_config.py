"""``PUT /api/v1/config`` has a body cap of its own (1 MiB by default, 413 before the
body is read) and applies the text off the event loop (issue 26, part 6)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.api.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONFIG_BYTES


def _put(api: Any, body: Any) -> Any:
    headers = {**api.headers(), "content-type": "application/yaml"}
    return api.client.put("/api/v1/config", content=body, headers=headers)


def _padded(text: str, size: int) -> bytes:
    """``text`` with a YAML comment making it exactly ``size`` bytes."""
    raw = text.encode()
    comment = b"\n# " + b"x" * (size - len(raw) - 4) + b"\n"
    padded = raw + comment
    assert len(padded) == size
    return padded


def _version(api: Any) -> int:
    return int(api.services.config_current()[0])


def _pieces(raw: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """The body without a Content-Length: counted as it streams."""
    for start in range(0, len(raw), size):
        yield raw[start : start + size]


def test_the_cap_is_1_mib_and_far_below_other_routes() -> None:
    assert DEFAULT_MAX_CONFIG_BYTES == 1024 * 1024 < DEFAULT_MAX_BODY_BYTES


def test_a_configuration_over_the_cap_answers_413_and_changes_nothing(
    sqlite_api: Any, example_config: str
) -> None:
    assert _put(sqlite_api, example_config.encode()).status_code == 201
    too_big = _padded(example_config, DEFAULT_MAX_CONFIG_BYTES + 1)
    for body in (too_big, _pieces(too_big)):
        response = _put(sqlite_api, body)
        assert response.status_code == 413, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert str(DEFAULT_MAX_CONFIG_BYTES) in response.json()["detail"]
        assert _version(sqlite_api) == 1


def test_a_configuration_at_the_cap_is_applied(sqlite_api: Any, example_config: str) -> None:
    response = _put(sqlite_api, _padded(example_config, DEFAULT_MAX_CONFIG_BYTES))
    assert response.status_code == 201, response.text[:300]
    assert _version(sqlite_api) == 1


def test_the_cap_is_an_argument_of_the_app_and_only_for_the_configuration(
    sqlite_api: Any, api_factory: Any, example_config: str
) -> None:
    small = api_factory(sqlite_api.services, sqlite_api.clock, max_config_bytes=1000)
    assert len(example_config.encode()) > 1000
    response = _put(small, example_config.encode())
    assert response.status_code == 413 and "1000" in response.json()["detail"]
    assert _version(small) == 0
    headers = {**small.headers("ingest"), "content-type": "application/json"}
    batch = b"[" + b",".join([b'{"id": "%d"}' % i for i in range(300)]) + b"]"
    assert len(batch) > 1000
    assert small.client.post("/api/v1/events", content=batch, headers=headers).status_code == 200


def test_the_token_check_is_not_needed_to_refuse_an_oversized_body(
    sqlite_api: Any, example_config: str
) -> None:
    too_big = _padded(example_config, DEFAULT_MAX_CONFIG_BYTES + 1)
    response = sqlite_api.client.put("/api/v1/config", content=too_big)
    assert response.status_code == 413


def test_the_configuration_is_applied_off_the_event_loop(
    sqlite_api: Any, example_config: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one PUT is inside ``config_apply``, the same event loop answers another
    request: the apply runs in a worker thread. (Were it on the loop, the GET would
    wait for the release, which waits for the GET, and the wait would give up.)"""
    services = sqlite_api.services
    applying, release = threading.Event(), threading.Event()
    apply = services.config_apply

    def held_apply(*args: Any) -> int:
        applying.set()
        assert release.wait(timeout=60), "never released: the loop was blocked"
        return int(apply(*args))

    monkeypatch.setattr(services, "config_apply", held_apply)
    answers: dict[str, Any] = {}
    with TestClient(sqlite_api.client.app, raise_server_exceptions=False) as client:
        headers = {**sqlite_api.headers(), "content-type": "application/yaml"}

        def put() -> None:
            answers["put"] = client.put("/api/v1/config", content=example_config, headers=headers)

        putting = threading.Thread(target=put)
        putting.start()
        assert applying.wait(timeout=60)
        answers["get"] = client.get("/api/v1/config/versions", headers=sqlite_api.headers())
        release.set()
        putting.join()
    assert answers["get"].status_code == 200 and answers["get"].json() == []
    assert answers["put"].status_code == 201
