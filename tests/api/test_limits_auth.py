"""Failed token checks are throttled per client address (issue 26, part 6): past the
limit within the window, 429 with Retry-After and no database read; a token that
verified before still passes. The clock is the app's injected ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.api import create_app
from slaclock.api.app import DEFAULT_FAILED_AUTH_LIMIT, DEFAULT_FAILED_AUTH_WINDOW_SECONDS
from slaclock.api.token_cache import FailureThrottle, TokenCache

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WRONG = {"Authorization": "Bearer slk_wrong"}


class CountingTokens:
    """The token service, counting the checks that reach the database."""

    def __init__(self, tokens: Any) -> None:
        self.tokens = tokens
        self.checks = 0

    def verify(self, secret: str, now: datetime) -> Any:
        self.checks += 1
        return self.tokens.verify(secret, now)

    def __getattr__(self, name: str) -> Any:  # create, revoke, list: as the service's
        return getattr(self.tokens, name)


@pytest.fixture
def guarded(sqlite_api: Any, api_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app allowing 3 failed checks a minute, no success cache, counting database
    checks (``guarded.counter``)."""
    counter = CountingTokens(sqlite_api.services.tokens)
    monkeypatch.setattr(sqlite_api.services, "tokens", counter)
    api = api_factory(
        sqlite_api.services,
        sqlite_api.clock,
        failed_auth_limit=3,
        failed_auth_window_seconds=60,
        token_cache_seconds=0,
    )
    api.counter = counter
    return api


def _summary(api: Any, headers: dict[str, str], client: TestClient | None = None) -> Any:
    return (client or api.client).get("/api/v1/summary", headers=headers)


def test_past_the_limit_the_answer_is_429_without_a_database_read(guarded: Any) -> None:
    for _ in range(3):
        assert _summary(guarded, WRONG).status_code == 401
    checks = guarded.counter.checks
    throttled = _summary(guarded, WRONG)
    assert throttled.status_code == 429, throttled.text
    assert throttled.headers["retry-after"] == "60"
    assert throttled.headers["content-type"].startswith("application/problem+json")
    assert "60" in throttled.json()["detail"]
    secret = guarded.services.tokens.create("viewer", "new", NOW)[1]
    assert _summary(guarded, {"Authorization": f"Bearer {secret}"}).status_code == 429
    assert guarded.counter.checks == checks  # neither reached the database


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window(guarded: Any) -> None:
    for _ in range(2):
        assert _summary(guarded, WRONG).status_code == 401
    guarded.clock.advance(seconds=20)
    assert _summary(guarded, WRONG).status_code == 401
    guarded.clock.advance(seconds=15)
    assert _summary(guarded, WRONG).headers["retry-after"] == "25"
    guarded.clock.advance(seconds=25)  # the two first failures leave the window
    assert _summary(guarded, WRONG).status_code == 401
    assert _summary(guarded, WRONG).status_code == 401
    assert _summary(guarded, WRONG).headers["retry-after"] == "20"


def test_a_token_that_verified_before_is_not_slowed(guarded: Any) -> None:
    viewer = guarded.headers("viewer")
    assert _summary(guarded, viewer).status_code == 200
    for _ in range(4):
        _summary(guarded, WRONG)
    assert _summary(guarded, WRONG).status_code == 429
    checks = guarded.counter.checks
    assert _summary(guarded, viewer).status_code == 200
    assert guarded.counter.checks == checks + 1  # still checked: a revocation still counts


def test_a_known_token_once_revoked_is_throttled_like_any_other(guarded: Any) -> None:
    tokens = guarded.services.tokens
    token_id, secret = tokens.create("viewer", "soon revoked", NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    assert _summary(guarded, headers).status_code == 200
    tokens.revoke(token_id)
    for _ in range(3):
        assert _summary(guarded, headers).status_code == 401
    assert _summary(guarded, headers).status_code == 429


def test_the_throttle_is_per_client_address(guarded: Any) -> None:
    for _ in range(3):
        _summary(guarded, WRONG)
    assert _summary(guarded, WRONG).status_code == 429
    elsewhere = TestClient(guarded.client.app, client=("192.0.2.7", 50000))
    assert _summary(guarded, WRONG, elsewhere).status_code == 401
    fresh = guarded.services.tokens.create("agent", "elsewhere", NOW)[1]
    authorized = {"Authorization": f"Bearer {fresh}"}
    assert _summary(guarded, authorized, elsewhere).status_code == 200


def test_a_missing_token_is_not_counted(guarded: Any) -> None:
    for _ in range(10):
        assert _summary(guarded, {}).status_code == 401
    assert _summary(guarded, WRONG).status_code == 401
    assert guarded.counter.checks == 1


def test_a_limit_of_zero_turns_the_throttle_off(sqlite_api: Any, api_factory: Any) -> None:
    open_api = api_factory(sqlite_api.services, sqlite_api.clock, failed_auth_limit=0)
    for _ in range(30):
        assert _summary(open_api, WRONG).status_code == 401


def test_the_defaults_are_20_failures_a_minute(sqlite_api: Any) -> None:
    assert (DEFAULT_FAILED_AUTH_LIMIT, DEFAULT_FAILED_AUTH_WINDOW_SECONDS) == (20, 60.0)
    client = TestClient(create_app(sqlite_api.services, sqlite_api.clock.now))
    statuses = [client.get("/api/v1/queue", headers=WRONG).status_code for _ in range(21)]
    assert statuses == [401] * 20 + [429]


def test_the_throttle_remembers_a_bounded_number_of_addresses() -> None:
    throttle = FailureThrottle(limit=1, window_seconds=60, max_clients=3)
    for n in range(5):
        throttle.failed(f"10.0.0.{n}", NOW + timedelta(seconds=n))
    assert len(throttle) == 3
    later = NOW + timedelta(seconds=10)
    assert throttle.retry_after("10.0.0.0", later) is None  # forgotten first
    assert throttle.retry_after("10.0.0.1", later) is None
    assert throttle.retry_after("10.0.0.4", later) == 54
    throttle.failed("10.0.0.9", later)
    assert throttle.retry_after("10.0.0.2", later) is None  # the oldest of the rest


def test_an_address_whose_failures_lapsed_is_forgotten() -> None:
    throttle = FailureThrottle(limit=2, window_seconds=60)
    throttle.failed("10.0.0.1", NOW)
    assert len(throttle) == 1
    assert throttle.retry_after("10.0.0.1", NOW + timedelta(seconds=61)) is None
    assert len(throttle) == 0


def test_a_clock_set_back_never_asks_for_more_than_the_window() -> None:
    throttle = FailureThrottle(limit=1, window_seconds=60)
    throttle.failed("10.0.0.1", NOW)
    assert throttle.retry_after("10.0.0.1", NOW - timedelta(hours=1)) == 60


def test_the_token_cache_knows_only_tokens_that_verified_and_did_not_fail_since(
    sqlite_api: Any,
) -> None:
    tokens = sqlite_api.services.tokens
    cache = TokenCache(tokens, ttl_seconds=0)
    token_id, secret = tokens.create("viewer", "known", NOW)
    assert not cache.known(secret)
    assert cache.verify(secret, NOW) is not None and cache.known(secret)
    assert cache.verify("slk_other", NOW) is None and not cache.known("slk_other")
    tokens.revoke(token_id)
    assert cache.verify(secret, NOW) is None and not cache.known(secret)
