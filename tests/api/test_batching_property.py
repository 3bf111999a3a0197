"""Property: group commit answers every request as if the requests were written one by one.

The reference is the obviously-correct way: a second, fresh database that receives the
same requests one ``Services.ingest`` call at a time, in the same order.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock.api.batching import IngestBatcher
from slaclock.service.app_state import Services
from slaclock.service.compose import open_services

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _event(run: int, number: int) -> Any:
    """Ids and tickets carry the run number, so every example starts from nothing; a
    repeated number is a redelivery of the very same event."""
    ticket = number % 4
    if number % 7 == 6:
        return {"id": f"r{run}-bad{number}", "type": "nonsense"}  # rejected
    return {
        "id": f"r{run}-e{number}",
        "ticket": f"r{run}-T{ticket}",
        "at": f"2026-03-02T08:{number % 60:02d}:00Z",
        "type": "ticket.created" if number % 3 == 0 else "message",
        "by": "customer",
        "author": "agent",
        "public": True,
        "fields": {"status": "new", "priority": "high"},
    }


requests_strategy = st.lists(
    st.lists(st.integers(0, 12), max_size=5),
    min_size=1,
    max_size=8,
)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Services]]:
    """Two databases kept across examples (each example uses its own ids and tickets)."""
    directory = tmp_path_factory.mktemp("batching")
    both = [
        open_services(f"sqlite:///{directory / name}", upgrade=True) for name in ("b.db", "r.db")
    ]
    yield both[0], both[1]
    for services in both:
        services.close()


RUNS = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=requests_strategy, max_events=st.integers(1, 12))
def test_batched_answers_equal_one_by_one_answers(
    pair: tuple[Services, Services], raw: list[Any], max_events: int
) -> None:
    batched_services, reference = pair
    run = next(RUNS)
    requests = [[_event(run, n) for n in request] for request in raw]
    requests = [r for r in requests if len(r) <= max_events] or [[_event(run, 0)]]
    batcher = IngestBatcher(batched_services.ingest, lambda: NOW, max_events=max_events)

    async def submit_all() -> list[Any]:
        return list(await asyncio.gather(*(batcher.submit(r, None) for r in requests)))

    batched = asyncio.run(submit_all())
    for request, share in zip(requests, batched, strict=True):
        expected = reference.ingest(request, NOW)
        assert share.accepted == expected.accepted
        assert share.duplicates == expected.duplicates
        assert [(r["index"], r["id"]) for r in share.rejected] == [
            (r["index"], r["id"]) for r in expected.rejected
        ]
    for ticket in range(4):
        mine = batched_services.ticket(f"r{run}-T{ticket}")
        theirs = reference.ticket(f"r{run}-T{ticket}")
        assert (mine is None) == (theirs is None), (ticket, requests)
        if mine is not None and theirs is not None:
            assert mine.instances == theirs.instances
            assert [e.event["id"] for e in mine.events] == [e.event["id"] for e in theirs.events]
