"""Where imported events go: a JSON Lines file, or the service's own ingest path.

Ingesting goes through :meth:`Services.ingest`, batch by batch, exactly as events
posted to the API do: each is validated, deduplicated by its id (so a second import
of the same file is all duplicates) and projected with the configuration in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

import orjson

from slaclock.service.importers.base import EXAMPLES_KEPT

if TYPE_CHECKING:
    from slaclock.service.app_state import Services

__all__ = ["INGEST_BATCH", "Ingested", "ingest_events", "write_jsonl"]

#: Events per ingest transaction (the service takes at most 10,000 at once).
INGEST_BATCH = 5000


def write_jsonl(
    events: Iterable[dict[str, Any]],
    out: IO[bytes],
    delivered: Callable[[], None] | None = None,
    every: int = INGEST_BATCH,
) -> int:
    """Write each event as one JSON line; returns how many. ``delivered`` is told,
    after every ``every`` events and at the end, that what was handed on so far is
    written (flushed): an API import's place is saved then."""
    count = 0
    for event in events:
        out.write(orjson.dumps(event) + b"\n")
        count += 1
        if delivered is not None and count % every == 0:
            out.flush()
            delivered()
    if delivered is not None:
        out.flush()
        delivered()
    return count


@dataclass
class Ingested:
    """What the service made of the imported events."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"ingested: {self.accepted:,} accepted, {self.duplicates:,} duplicates "
            f"(seen before), {self.rejected:,} rejected"
        )


def ingest_events(
    services: Services,
    events: Iterable[dict[str, Any]],
    now: Callable[[], datetime],
    batch: int = INGEST_BATCH,
    delivered: Callable[[], None] | None = None,
) -> Ingested:
    """Ingest ``events`` in batches of ``batch``; ``now`` is asked once per batch
    (events dated after it, beyond the service's allowance, are rejected);
    ``delivered`` is told after each batch is committed."""
    counts = Ingested()
    stream = iter(events)
    for chunk in iter(lambda: list(islice(stream, batch)), []):
        result = services.ingest(chunk, now())
        if delivered is not None:
            delivered()
        counts.accepted += len(result.accepted)
        counts.duplicates += len(result.duplicates)
        counts.rejected += len(result.rejected)
        for reject in result.rejected[: EXAMPLES_KEPT - len(counts.examples)]:
            counts.examples.append(f"{reject.get('id')}: {reject['reason']}")
    return counts
