"""Group commit: concurrent ingest requests share writes but each gets its own answer."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from slaclock.api import create_app
from slaclock.api.batching import IngestBatcher

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def created(event_id: str, ticket: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "ticket": ticket,
        "at": "2026-03-02T08:15:00Z",
        "type": "ticket.created",
        "by": "customer",
        "fields": {"status": "new", "priority": "high"},
    }


class CountingIngest:
    """The real service's ingest, counting calls and their sizes."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.calls: list[int] = []

    def __call__(self, events: list[Any], now: datetime, origins: list[Any]) -> Any:
        self.calls.append(len(events))
        return self.services.ingest(events, now, origins)


def test_concurrent_requests_are_written_together_and_split_back(sqlite_api: Any) -> None:
    ingest = CountingIngest(sqlite_api.services)
    batcher = IngestBatcher(ingest, lambda: NOW, max_events=10_000)
    requests = [
        [created("a1", "A"), created("a2", "A2")],
        [created("a1", "A"), "junk", created("b1", "B")],
        [created("c1", "C")],
        [created("b1", "B")],
    ]

    async def run() -> list[Any]:
        return list(await asyncio.gather(*(batcher.submit(r, None) for r in requests)))

    shares = asyncio.run(run())
    assert sum(ingest.calls) == 7 and len(ingest.calls) < len(requests)
    assert shares[0].accepted == [{"index": 0, "id": "a1"}, {"index": 1, "id": "a2"}]
    assert shares[1].duplicates == [{"index": 0, "id": "a1"}]
    assert shares[1].accepted == [{"index": 2, "id": "b1"}]
    assert [r["index"] for r in shares[1].rejected] == [1]
    assert shares[2].accepted == [{"index": 0, "id": "c1"}]
    assert shares[3].duplicates == [{"index": 0, "id": "b1"}]
    for ticket in ("A", "A2", "B", "C"):
        assert sqlite_api.services.ticket(ticket) is not None


def test_a_batch_never_exceeds_the_service_limit(sqlite_api: Any) -> None:
    ingest = CountingIngest(sqlite_api.services)
    batcher = IngestBatcher(ingest, lambda: NOW, max_events=3)
    requests = [[created(f"e{i}-{j}", f"T{i}") for j in range(2)] for i in range(4)]

    async def run() -> list[Any]:
        return list(await asyncio.gather(*(batcher.submit(r, None) for r in requests)))

    shares = asyncio.run(run())
    assert max(ingest.calls) <= 3 and sum(ingest.calls) == 8
    assert all(len(s.accepted) == 2 for s in shares)


def test_a_failing_write_fails_every_request_of_its_batch(sqlite_api: Any) -> None:
    def broken(events: list[Any], now: datetime, origins: list[Any]) -> Any:
        raise RuntimeError("database went away")

    batcher = IngestBatcher(broken, lambda: NOW, max_events=10)

    async def run() -> list[Any]:
        return list(
            await asyncio.gather(
                *(batcher.submit([created(f"x{i}", "X")], None) for i in range(3)),
                return_exceptions=True,
            )
        )

    results = asyncio.run(run())
    assert all(isinstance(r, RuntimeError) for r in results)


@pytest.mark.parametrize("clients", [8])
def test_concurrent_http_posts_each_get_their_own_answer(sqlite_api: Any, clients: int) -> None:
    app = create_app(sqlite_api.services, lambda: NOW)
    headers = {"Authorization": f"Bearer {sqlite_api.tokens['ingest']}"}

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            posts = [
                client.post("/api/v1/events", json=created(f"h{i}", f"H{i}"), headers=headers)
                for i in range(clients)
            ]
            posts.append(client.post("/api/v1/events", json=created("h0", "H0"), headers=headers))
            return list(await asyncio.gather(*posts))

    responses = asyncio.run(run())
    assert all(r.status_code == 200 for r in responses)
    bodies = [r.json() for r in responses]
    for i, body in enumerate(bodies[1:-1], start=1):
        assert body == {"accepted": [{"index": 0, "id": f"h{i}"}], "duplicates": [], "rejected": []}
    h0 = [bodies[0], bodies[-1]]  # the same event twice: one accepted, one duplicate
    assert sorted(len(b["accepted"]) for b in h0) == [0, 1]
    assert sorted(len(b["duplicates"]) for b in h0) == [0, 1]


def test_a_poison_request_fails_alone_when_written_with_an_innocent_one(sqlite_api: Any) -> None:
    """issue 26: a shared write that fails is written again request by request, so only
    the request that made it fail learns of it; the innocent one is stored."""
    calls: list[int] = []

    def fails_on_poison(events: list[Any], now: datetime, origins: list[Any]) -> Any:
        calls.append(len(events))
        if any(isinstance(e, dict) and e.get("id") == "poison" for e in events):
            raise RuntimeError("the store refused the poison")
        return sqlite_api.services.ingest(events, now, origins)

    batcher = IngestBatcher(fails_on_poison, lambda: NOW, max_events=10)

    async def run() -> list[Any]:
        return list(
            await asyncio.gather(
                batcher.submit([created("poison", "P")], None),
                batcher.submit([created("innocent", "I")], None),
                return_exceptions=True,
            )
        )

    poisoned, innocent = asyncio.run(run())
    assert isinstance(poisoned, RuntimeError)
    assert innocent.accepted == [{"index": 0, "id": "innocent"}]
    assert calls == [2, 1, 1]  # together first, then each on its own
    assert sqlite_api.services.ticket("I") is not None


@pytest.mark.parametrize(
    "poison",
    [
        {"subject": "x\ud800"},  # a lone surrogate
        {"subject": "a\x00b"},  # a NUL character
        {"custom": {"score": float("nan")}},
        {"custom": {"score": float("inf")}},
    ],
    ids=["surrogate", "nul", "nan", "infinity"],
)
def test_concurrent_http_posts_a_poison_event_is_rejected_alone(
    sqlite_api: Any, poison: dict[str, Any]
) -> None:
    app = create_app(sqlite_api.services, lambda: NOW)
    headers = {"Authorization": f"Bearer {sqlite_api.tokens['ingest']}",
               "Content-Type": "application/json"}  # fmt: skip
    bad = created("bad", "BAD")
    bad["fields"] = {**bad["fields"], **poison}
    raw = json.dumps(bad, allow_nan=True)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return list(
                await asyncio.gather(
                    client.post("/api/v1/events", content=raw, headers=headers),
                    client.post("/api/v1/events", json=created("good", "GOOD"), headers=headers),
                    client.post(
                        "/api/v1/events",
                        content=f"[{raw}, {json.dumps(created('g2', 'G2'))}]",
                        headers=headers,
                    ),
                )
            )

    lone, good, mixed = asyncio.run(run())
    assert good.status_code == 200 and good.json()["accepted"] == [{"index": 0, "id": "good"}]
    assert lone.status_code == 422  # a single event that is rejected (docs/api.md)
    assert mixed.status_code == 200
    assert mixed.json()["accepted"] == [{"index": 1, "id": "g2"}]
    assert [r["index"] for r in mixed.json()["rejected"]] == [0]
    assert sqlite_api.services.ticket("BAD") is None
