"""Group commit for ingest: concurrent requests share one ``Services.ingest`` call.

Storing and projecting events costs mostly per transaction, not per event (a batch of
eight single events costs about a fifth per event of eight separate calls), so under
load the API gathers every request that arrives while a write is in progress and
writes them together in the next one. Nothing waits on a timer: an idle server writes
a lone request at once. Each request still gets its own answer, indexed as it sent
it, and only after the write that holds its events has committed — events stay
durable before the response. Should a shared write fail, each of its requests is
written again on its own: one request's failure never fails another. Arrival order
is kept, so an event repeated across two requests of one batch is a duplicate in the
later one, exactly as if they had been written one after the other.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

__all__ = ["IngestBatcher", "SplitResult"]


@dataclass
class SplitResult:
    """One request's share of a batch result (the shape of ``IngestResult``)."""

    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Request:
    events: list[Any]
    origin: Any  # slaclock.service.ingest.Origin: who sent them
    done: asyncio.Future[SplitResult]


class IngestBatcher:
    """Queue requests; one drain task at a time writes what has gathered."""

    def __init__(
        self,
        ingest: Callable[[list[Any], datetime, list[Any]], Any],
        now: Callable[[], datetime],
        max_events: int,
    ) -> None:
        self._ingest = ingest
        self._now = now
        self._max_events = max_events
        self._pending: list[_Request] = []
        self._drain_task: asyncio.Task[None] | None = None

    async def submit(self, events: list[Any], origin: Any) -> SplitResult:
        """Write ``events`` (at most ``max_events``), sent by ``origin``, with whatever
        else is waiting."""
        loop = asyncio.get_running_loop()
        request = _Request(list(events), origin, loop.create_future())
        self._pending.append(request)
        if self._drain_task is None or self._drain_task.done():
            self._drain_task = loop.create_task(self._drain())
        return await request.done

    async def _drain(self) -> None:
        while self._pending:
            batch = self._take()
            combined = [event for request in batch for event in request.events]
            origins = [request.origin for request in batch for _ in request.events]
            try:
                result = await run_in_threadpool(self._ingest, combined, self._now(), origins)
            except Exception:
                if len(batch) == 1:
                    self._fail(batch[0], sys.exc_info()[1])
                else:  # one request's failure must not fail another: each on its own
                    for request in batch:
                        await self._alone(request)
                continue
            except BaseException as exc:  # cancelled, or the process is ending
                for request in batch:
                    self._fail(request, exc)
                raise
            self._answer(batch, result)

    async def _alone(self, request: _Request) -> None:
        """Write one request by itself (after a shared write failed)."""
        try:
            origins = [request.origin] * len(request.events)
            result = await run_in_threadpool(self._ingest, request.events, self._now(), origins)
        except Exception as exc:
            self._fail(request, exc)
            return
        self._answer([request], result)

    @staticmethod
    def _answer(batch: list[_Request], result: Any) -> None:
        """Give each request of ``batch`` its share of ``result``."""
        for request, share in zip(batch, _split(result, batch), strict=True):
            if not request.done.done():
                request.done.set_result(share)

    @staticmethod
    def _fail(request: _Request, exc: BaseException | None) -> None:
        if not request.done.done() and exc is not None:
            request.done.set_exception(exc)

    def _take(self) -> list[_Request]:
        """The oldest requests whose events fit in one call (always at least one)."""
        taken: list[_Request] = []
        total = 0
        loop = asyncio.get_running_loop()
        while self._pending:
            waiting = self._pending[0].done
            if waiting.done() or waiting.get_loop() is not loop:  # gone: cancelled, old loop
                self._pending.pop(0)
                continue
            size = len(self._pending[0].events)
            if taken and total + size > self._max_events:
                break
            taken.append(self._pending.pop(0))
            total += size
        return taken


def _split(result: Any, batch: list[_Request]) -> list[SplitResult]:
    """Give each request the items whose index falls in its slice, re-indexed."""
    shares = [SplitResult() for _ in batch]
    owners: list[tuple[int, int]] = []  # combined index -> (request number, offset)
    offset = 0
    for number, request in enumerate(batch):
        owners.extend((number, offset) for _ in request.events)
        offset += len(request.events)
    for kind in ("accepted", "duplicates", "rejected"):
        for item in getattr(result, kind):
            number, start = owners[item["index"]]
            getattr(shares[number], kind).append({**item, "index": item["index"] - start})
    return shares
