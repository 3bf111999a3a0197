"""Rows to events in the events.md format: as dicts (the API) or as JSON lines (fast).

Rows carry codes; only here do they become events. Both faces render the same rows, and
the lines are exactly ``json.dumps(event, ensure_ascii=False, separators=(",", ":"))`` of
the dicts (a test holds them to that), only built from pre-escaped pieces, because
serialising millions of nested dicts would dominate the generator's time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from slaclock.core.workload.lifecycle import (
    ASSIGN,
    CREATED,
    CUSTOMER,
    DELETED,
    NOTE,
    PRIORITY,
    REPLY,
    STATUS,
    TRANSFER,
)
from slaclock.core.workload.population import Population

ORD_BITS = 7  # a row's order key is ticket index * 128 + its index within the ticket
FIELDS = ("at", "deliver", "ord", "kind", "a", "b", "obj")
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Created(NamedTuple):
    """What a ``ticket.created`` row needs beyond codes: the ticket's initial fields."""

    by: str
    status: str
    priority: str
    channel: str
    type: str
    group: str
    assignee: str | None
    tag: str
    subject: str
    customer: int
    requester: int


@dataclass
class Batch:
    """Columns of rows waiting to be emitted; ``deliver`` is the order they go out in."""

    at: np.ndarray
    deliver: np.ndarray
    ord: np.ndarray
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    obj: np.ndarray  # a Created for ticket.created rows, else None

    @classmethod
    def empty(cls) -> Batch:
        i = np.zeros(0, dtype=np.int64)
        return cls(i, i, i, i, i, i, np.zeros(0, dtype=object))

    def take(self, index: np.ndarray) -> Batch:
        return Batch(*(getattr(self, f)[index] for f in FIELDS))

    def __len__(self) -> int:
        return len(self.at)


def concat(first: Batch, second: Batch) -> Batch:
    return Batch(*(np.concatenate([getattr(first, f), getattr(second, f)]) for f in FIELDS))


def deliver(
    batch: Batch, rng: np.random.Generator, shuffle: float, duplicates: float, mean_s: float
) -> Batch:
    """Late and duplicated delivery: ``deliver`` moves, ``at`` stays (consistency tests).

    Events of one ticket at the same instant are delayed together: their order is decided
    by arrival (events.md), so keeping it keeps the meaning of the stream the same.
    Copies always come after their original. ``batch`` is in ticket, then row order.
    """
    n = len(batch)
    if shuffle > 0 and n:
        tickets = batch.ord >> ORD_BITS
        starts = np.ones(n, dtype=bool)
        starts[1:] = (tickets[1:] != tickets[:-1]) | (batch.at[1:] != batch.at[:-1])
        group = np.cumsum(starts) - 1
        groups = int(group[-1]) + 1
        late = rng.random(groups) < shuffle
        delay = np.where(late, rng.exponential(mean_s, groups).astype(np.int64), 0)
        batch.deliver = batch.at + delay[group]
    if duplicates > 0:
        twice = np.flatnonzero(rng.random(n) < duplicates)
        copies = batch.take(twice)
        copies.deliver = copies.deliver + 1 + rng.exponential(600.0, len(twice)).astype(np.int64)
        batch = concat(batch, copies)
    return batch


class Emitter:
    """Renders rows; holds the vocabulary, the customers and their pre-escaped JSON."""

    def __init__(self, words: Sequence[str], population: Population, width: int):
        self.words, self.population, self.width = words, population, width
        self.jwords = [dumps(w) for w in words]
        self.jcustomers = [dumps(c.as_field()) for c in population.customers]
        self.jrequesters = [[dumps(r) for r in c.requesters] for c in population.customers]
        self._escaped: dict[str, str] = {}

    def _rows(self, batch: Batch) -> Iterator[tuple[str, str, str, int, int, int, Any]]:
        stamps = np.datetime_as_string(batch.at.astype("datetime64[s]"), unit="s").tolist()
        width = self.width
        for stamp, order, kind, a, b, obj in zip(
            stamps, batch.ord.tolist(), batch.kind.tolist(), batch.a.tolist(),
            batch.b.tolist(), batch.obj.tolist(), strict=True,
        ):  # fmt: skip
            tidx, k = divmod(order, 1 << ORD_BITS)
            ticket = "T-" + str(tidx + 1).zfill(width)
            yield ticket, f"{ticket}-e{k}", stamp + "Z", kind, a, b, obj

    def dicts(self, batch: Batch) -> Iterator[dict[str, Any]]:
        words = self.words
        for ticket, eid, at, kind, a, b, obj in self._rows(batch):
            event: dict[str, Any] = {"id": eid, "ticket": ticket, "at": at}
            if kind in (REPLY, NOTE):
                event.update(type="message", author="agent", author_id=words[a],
                             public=kind == REPLY)  # fmt: skip
            elif kind == CUSTOMER:
                event.update(type="message", author="customer", public=True)
            elif kind == STATUS:
                event.update(type="ticket.updated", changes={"status": words[a]})
            elif kind == ASSIGN:
                event.update(
                    type="ticket.updated", changes={"status": "open", "assignee": words[a]}
                )
            elif kind == TRANSFER:
                event.update(
                    type="ticket.updated", changes={"group": words[a], "assignee": words[b]}
                )
            elif kind == PRIORITY:
                event.update(type="ticket.updated", changes={"priority": words[a]})
            elif kind == CREATED:
                event.update(type="ticket.created", by=obj.by, fields=self._fields(obj))
            elif kind == DELETED:
                event["type"] = "ticket.deleted"
            yield event

    def _fields(self, c: Created) -> dict[str, Any]:
        customer = self.population.customers[c.customer]
        return {"status": c.status, "priority": c.priority, "channel": c.channel,
                "type": c.type, "group": c.group, "assignee": c.assignee, "tags": [c.tag],
                "subject": c.subject, "requester": dict(customer.requesters[c.requester]),
                "customer": customer.as_field()}  # fmt: skip

    def lines(self, batch: Batch) -> Iterator[str]:
        """The same events as :meth:`dicts`, serialised, without a trailing newline.

        Written out flat (no shared row iterator) because this loop runs per event.
        """
        jw, width, mask = self.jwords, self.width, (1 << ORD_BITS) - 1
        stamps = np.datetime_as_string(batch.at.astype("datetime64[s]"), unit="s").tolist()
        for stamp, order, kind, a, b, obj in zip(
            stamps, batch.ord.tolist(), batch.kind.tolist(), batch.a.tolist(),
            batch.b.tolist(), batch.obj.tolist(), strict=True,
        ):  # fmt: skip
            ticket = "T-" + str((order >> ORD_BITS) + 1).zfill(width)
            head = f'{{"id":"{ticket}-e{order & mask}","ticket":"{ticket}","at":"{stamp}Z","type":'
            if kind == REPLY:
                yield f'{head}"message","author":"agent","author_id":{jw[a]},"public":true}}'
            elif kind == STATUS:
                yield f'{head}"ticket.updated","changes":{{"status":{jw[a]}}}}}'
            elif kind == CREATED:
                yield f'{head}"ticket.created","by":"{obj.by}","fields":{self._jfields(obj)}}}'
            elif kind == CUSTOMER:
                yield f'{head}"message","author":"customer","public":true}}'
            elif kind == ASSIGN:
                yield f'{head}"ticket.updated","changes":{{"status":"open","assignee":{jw[a]}}}}}'
            elif kind == NOTE:
                yield f'{head}"message","author":"agent","author_id":{jw[a]},"public":false}}'
            elif kind == TRANSFER:
                yield f'{head}"ticket.updated","changes":{{"group":{jw[a]},"assignee":{jw[b]}}}}}'
            elif kind == PRIORITY:
                yield f'{head}"ticket.updated","changes":{{"priority":{jw[a]}}}}}'
            elif kind == DELETED:
                yield f'{head}"ticket.deleted"}}'

    def _jfields(self, c: Created) -> str:
        e = self._escape
        assignee = "null" if c.assignee is None else e(c.assignee)
        return (
            f'{{"status":{e(c.status)},"priority":{e(c.priority)},"channel":{e(c.channel)},'
            f'"type":{e(c.type)},"group":{e(c.group)},"assignee":{assignee},'
            f'"tags":[{e(c.tag)}],"subject":{e(c.subject)},'
            f'"requester":{self.jrequesters[c.customer][c.requester]},'
            f'"customer":{self.jcustomers[c.customer]}}}'
        )

    def _escape(self, text: str) -> str:
        escaped = self._escaped.get(text)
        if escaped is None:
            escaped = self._escaped[text] = dumps(text)
        return escaped
