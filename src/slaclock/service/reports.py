"""Reports: compliance per group and time bucket (reports.md, "Compliance").

The database counts and measures (``store/reports.py``); this module turns the
request into a query — the time zone's offsets over the range, the groupings —
and the answer into rows a person reads: each time bucket labelled by its local
start (every bucket of the range listed, empty ones too), ``compliance`` and
``goal_attainment`` as ratios beside the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.core.errors import EventError
from slaclock.core.instants import parse_instant
from slaclock.service.exports import Column
from slaclock.service.formats import iso_z
from slaclock.store.database import Tx
from slaclock.store.reports import BUCKETS, GROUPINGS, ComplianceQuery, LocalClock

__all__ = [
    "BUCKETS",
    "COMPLIANCE_COLUMNS",
    "GROUPINGS",
    "ComplianceReport",
    "ReportError",
    "ReportParams",
    "Window",
    "check_groupings",
    "compliance_report",
    "local_clock",
    "report_instant",
    "report_window",
]

#: The figures of every compliance row, after its group's keys (reports.md).
COMPLIANCE_COLUMNS = (
    "met", "breached", "open", "compliance", "goal_met", "goal_breached", "goal_attainment",
    "met_elapsed_avg", "met_elapsed_min", "met_elapsed_p50", "met_elapsed_p90",
    "met_elapsed_max", "breached_elapsed_avg", "breached_elapsed_min",
    "breached_elapsed_p50", "breached_elapsed_p90", "breached_elapsed_max",
    "breached_overdue_avg",
)  # fmt: skip


_KINDS: Mapping[str, Any] = {
    "met": "int", "breached": "int", "open": "int", "goal_met": "int", "goal_breached": "int",
    "compliance": "ratio", "goal_attainment": "ratio",
}  # fmt: skip


class ReportError(ValueError):
    """A report asked for something it cannot give: the message names the parameter."""


def check_groupings(names: Iterable[str], problem: str) -> None:
    """ReportError ``"<problem> 'name'; expected some of …"`` for the first of ``names``
    that is not one of :data:`GROUPINGS` (filters, groupings, dimensions alike)."""
    for name in names:
        if name not in GROUPINGS:
            raise ReportError(f"{problem} {name!r}; expected some of {', '.join(GROUPINGS)}")


@dataclass(frozen=True)
class ReportParams:
    """What a compliance report covers: ``[start, end)``, verdicts as of ``as_of``,
    grouped ``by`` any of :data:`GROUPINGS` and an optional ``bucket`` (hour, day,
    week from Monday, month) in the IANA zone ``tz``; ``date`` ``judged`` counts by
    judgement instant, ``started`` makes cohorts by start; ``filters`` narrow by
    grouping values."""

    start: datetime
    end: datetime
    as_of: datetime
    by: tuple[str, ...] = ()
    bucket: str | None = None
    tz: str = "UTC"
    date: Literal["judged", "started"] = "judged"
    filters: Mapping[str, str] = field(default_factory=dict)

    def check(self) -> ZoneInfo:
        """The zone, once every parameter is known good; ReportError naming the first
        that is not."""
        for name, value in (("from", self.start), ("to", self.end), ("as_of", self.as_of)):
            if value.tzinfo is None:
                raise ReportError(f"{name}: {value.isoformat()} has no time zone offset")
        if self.end <= self.start:
            raise ReportError(f"to: {self.end.isoformat()} is not after from")
        check_groupings((*self.by, *self.filters), "by: unknown grouping")
        if len(set(self.by)) != len(self.by):
            raise ReportError(f"by: a grouping is named twice in {','.join(self.by)}")
        if self.bucket is not None and self.bucket not in BUCKETS:
            raise ReportError(f"bucket: {self.bucket!r}; expected one of {', '.join(BUCKETS)}")
        if self.date not in ("judged", "started"):
            raise ReportError(f"date: {self.date!r}; expected judged or started")
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ReportError(f"tz: unknown time zone {self.tz!r}") from None


@dataclass(frozen=True)
class ComplianceReport:
    """The rows of a compliance report, each ``keys`` (the groupings, then
    ``bucket``) followed by :data:`COMPLIANCE_COLUMNS`."""

    params: ReportParams
    keys: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns for the exporters: keys as text (``bucket`` an instant), counts,
        ratios and seconds."""
        keys = [Column(k, "instant" if k == "bucket" else "text") for k in self.keys]
        return (*keys, *(Column(name, _KINDS.get(name, "seconds")) for name in COMPLIANCE_COLUMNS))

    def to_json(self) -> dict[str, Any]:
        p = self.params
        rows = [
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
            for row in self.rows
        ]
        return {
            "from": iso_z(p.start), "to": iso_z(p.end), "as_of": iso_z(p.as_of),
            "by": list(p.by), "bucket": p.bucket, "tz": p.tz, "date": p.date,
            "filters": dict(p.filters), "columns": [c.name for c in self.columns],
            "rows": rows,
        }  # fmt: skip


def report_instant(text: str, name: str, tz: str) -> datetime:
    """A report's bound: an instant with its offset (``2026-03-01T00:00:00Z``), or a
    date (``2026-03-01``) meaning its local midnight in ``tz``. ReportError names
    ``name`` when it is neither."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
        return parse_instant(text, name)
    except (ValueError, EventError, ZoneInfoNotFoundError) as exc:
        raise ReportError(
            f"{name}: {text!r} is neither a date (2026-03-01) nor an instant with an offset"
            f" (2026-03-01T00:00:00Z): {exc}"
        ) from None


class Window(TypedDict):
    """A report's range and the instant its verdicts are taken at, as keyword
    arguments of :class:`ReportParams`, ``LogParams`` and ``BreachParams``."""

    start: datetime
    end: datetime
    as_of: datetime


def report_window(
    start: str,
    end: str,
    as_of: str | None,
    tz: str,
    now: datetime,
    names: tuple[str, str, str] = ("from", "to", "as_of"),
) -> Window:
    """A report's ``start``, ``end`` and ``as_of`` (``now`` unless given) from their text,
    each read by :func:`report_instant` in ``tz``; ReportError names (``names``, as the
    caller calls them: ``--from``, ``params.from`` …) the first that is not one."""
    return Window(
        start=report_instant(start, names[0], tz),
        end=report_instant(end, names[1], tz),
        as_of=report_instant(as_of, names[2], tz) if as_of else now,
    )


def compliance_report(tx: Tx, params: ReportParams) -> ComplianceReport:
    """Compliance per group (reports.md), computed in the database."""
    zone = params.check()
    query = ComplianceQuery(
        start=params.start,
        end=params.end,
        as_of=params.as_of,
        by=params.by,
        bucket=params.bucket,
        clock=local_clock(zone, params.start, params.end),
        date=params.date,
        filters=dict(params.filters),
    )
    found = tx.reports.compliance(query)
    keys = (*params.by, *(("bucket",) if params.bucket else ()))
    if params.bucket is not None:
        found = _with_empty_buckets(found, params, zone)
    rows = tuple(_figures(row, params, zone) for row in found)
    return ComplianceReport(params, keys, rows)


def local_clock(zone: ZoneInfo, start: datetime, end: datetime) -> LocalClock:
    """The zone's UTC offsets from a day before ``start`` to a day after ``end``: each
    change found hour by hour and pinned to the second."""
    first = start.astimezone(UTC) - timedelta(days=1)
    last = end.astimezone(UTC) + timedelta(days=1)
    steps = [(_epoch(first), _offset(zone, first))]
    at = first
    while at < last:
        later = at + timedelta(hours=1)
        if _offset(zone, later) != steps[-1][1]:
            low, high = at, later
            while (high - low) > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (
                    (middle, high) if _offset(zone, middle) == steps[-1][1] else (low, middle)
                )
            steps.append((_epoch(high), _offset(zone, high)))
        at = later
    return LocalClock(tuple(steps))


def _offset(zone: ZoneInfo, at: datetime) -> int:
    delta = at.astimezone(UTC).astimezone(zone).utcoffset()  # via UTC: a wall time in a
    # gap (clocks sprang forward over it) is read as the instant it names
    return int(delta.total_seconds()) if delta is not None else 0


def _local_seconds(at: datetime, zone: ZoneInfo) -> int:
    """Wall-clock seconds since 1970 of ``at`` in ``zone`` (as the database buckets)."""
    return _epoch(at) + _offset(zone, at)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _figures(row: Mapping[str, Any], params: ReportParams, zone: ZoneInfo) -> dict[str, Any]:
    out = {name: row[name] for name in params.by}
    if params.bucket is not None:
        out["bucket"] = _bucket_start(row["bucket"], zone)
    met, breached = int(row["met"]), int(row["breached"])
    goal_met, goal_breached = int(row["goal_met"]), int(row["goal_breached"])
    out.update(met=met, breached=breached, open=int(row["open"]))
    out["compliance"] = met / (met + breached) if met + breached else None
    out.update(goal_met=goal_met, goal_breached=goal_breached)
    goals = goal_met + goal_breached
    out["goal_attainment"] = goal_met / goals if goals else None
    for name in COMPLIANCE_COLUMNS[7:]:
        value = row.get(name)
        out[name] = None if value is None else float(value)
    return out


def _bucket_start(key: Any, zone: ZoneInfo) -> datetime:
    """A bucket's local start from its key: local epoch seconds, or ``YYYY-MM-01``."""
    if isinstance(key, str):
        year, month, _ = map(int, key.split("-"))
        return datetime(year, month, 1, tzinfo=zone)
    return datetime.fromtimestamp(int(key), UTC).replace(tzinfo=zone)


def _bucket_keys(params: ReportParams, zone: ZoneInfo) -> list[Any]:
    """Every bucket of the range, as the keys the database gives them."""
    if params.bucket == "month":
        local = params.start.astimezone(zone)
        at = datetime(local.year, local.month, 1, tzinfo=zone)
        keys: list[Any] = []
        while at < params.end:
            keys.append(f"{at:%Y-%m-01}")
            at = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=zone)
        return keys
    size = {"hour": 3600, "day": 86_400, "week": 7 * 86_400}[params.bucket or "day"]
    seconds = _local_seconds(params.start, zone)
    first = seconds // size * size
    if params.bucket == "week":
        first = ((seconds // 86_400 + 3) // 7 * 7 - 3) * 86_400
    last = _local_seconds(params.end, zone)
    keys = list(range(first, last, size))
    if params.bucket == "hour":  # the hour skipped when clocks spring forward is no bucket
        keys = [k for k in keys if _local_seconds(_bucket_start(k, zone), zone) == k]
    return keys


def _with_empty_buckets(
    found: Sequence[dict[str, Any]], params: ReportParams, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """``found`` with a zero row for every bucket of the range that a group (the
    other groupings' values seen) has none in: each series covers the whole range."""
    groups = sorted({tuple(row[n] for n in params.by) for row in found}, key=_sortable) or [
        tuple(None for _ in params.by)
    ]
    have = {(*(row[n] for n in params.by), _key(row["bucket"])): row for row in found}
    out = []
    for group in groups:
        for bucket in _bucket_keys(params, zone):
            row = have.get((*group, bucket))
            out.append(row if row is not None else _empty(params.by, group, bucket))
    return out


def _key(value: Any) -> Any:
    return value if isinstance(value, str) else int(value)


def _empty(by: Sequence[str], group: Sequence[Any], bucket: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(by, group, strict=True))
    row.update(bucket=bucket, met=0, breached=0, open=0, goal_met=0, goal_breached=0)
    return row


def _sortable(group: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in group)
