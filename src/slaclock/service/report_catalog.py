"""The breach-analysis reports by name, as the API and the CLI ask for them.

``heatmap``, ``trend``, ``top``, ``attribution`` and ``pauses`` share their range,
``as_of``, time zone and filters (:class:`~slaclock.service.breach_analysis.
BreachParams`); each has its own options (a heatmap's ``by``, a trend's ``bucket``,
the top lists' ``dimensions`` and ``limit``, the pause report's ``threshold``).
:func:`run_report` runs one and gives a :class:`TableReport`: its columns and rows
for the exporters, and its JSON (with the side tables some reports have).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slaclock.core.model import Config
from slaclock.service.breach_analysis import (
    TOP_DIMENSIONS,
    BreachParams,
    ReportTable,
    breach_heatmap,
    breaches_over_time,
    ola_attribution,
    pause_report,
    supports_of,
    top_breaches,
)
from slaclock.service.exports import Column
from slaclock.service.formats import iso_z
from slaclock.service.reports import ReportError
from slaclock.store.database import Tx

__all__ = ["BREACH_REPORTS", "TableReport", "run_report"]


@dataclass(frozen=True)
class TableReport:
    """One report's main table, its side tables (``summary``, ``parked``) and the
    figures beside them (``extra``)."""

    name: str
    params: BreachParams
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    tables: Mapping[str, ReportTable] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        p = self.params
        return {
            "report": self.name, "from": iso_z(p.start), "to": iso_z(p.end),
            "as_of": iso_z(p.as_of), "tz": p.tz, "filters": dict(p.filters), **self.extra,
            "columns": [c.name for c in self.columns], "rows": _json_rows(self.rows),
            **{name: {"columns": [c.name for c in t.columns], "rows": _json_rows(t.rows)}
               for name, t in self.tables.items()},
        }  # fmt: skip


def _json_rows(rows: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    return [{k: iso_z(v) if isinstance(v, datetime) else v for k, v in r.items()} for r in rows]


Options = Mapping[str, Any]
Run = Callable[[Tx, BreachParams, Config, Options], TableReport]


def _heatmap(
    tx: Tx, params: BreachParams, config: Config, options: Mapping[str, Any]
) -> TableReport:
    by = options.get("by") or "due"
    found = breach_heatmap(tx, params, by)
    return TableReport("heatmap", params, found.columns, found.rows, extra={"by": by})


def _trend(tx: Tx, params: BreachParams, config: Config, options: Options) -> TableReport:
    bucket = options.get("bucket") or "day"
    found = breaches_over_time(tx, params, bucket)
    return TableReport("trend", params, found.columns, found.rows, extra={"bucket": bucket})


def _top(tx: Tx, params: BreachParams, config: Config, options: Options) -> TableReport:
    dimensions = tuple(options.get("dimensions") or TOP_DIMENSIONS)
    limit = int(options.get("limit") or 10)
    found = top_breaches(tx, params, dimensions, limit)
    extra = {"dimensions": list(dimensions), "limit": limit}
    return TableReport("top", params, found.columns, found.rows, extra=extra)


def _attribution(tx: Tx, params: BreachParams, config: Config, options: Options) -> TableReport:
    found = ola_attribution(tx, params, supports_of(config))
    extra = {"sla_breaches": found.sla_breaches, "attributed": found.attributed}
    return TableReport("attribution", params, found.columns, found.rows,
                       {"summary": found.summary}, extra)  # fmt: skip


def _pauses(
    tx: Tx, params: BreachParams, config: Config, options: Mapping[str, Any]
) -> TableReport:
    given = options.get("threshold")
    threshold = 0.5 if given is None else float(given)
    found = pause_report(tx, params, config, threshold)
    extra = {"threshold": threshold, "parked_total": found.parked_total}
    return TableReport("pauses", params, found.columns, found.rows, {"parked": found.parked},
                       extra)  # fmt: skip


#: Each breach-analysis report by the name the API and the CLI use.
BREACH_REPORTS: Mapping[str, Run] = {
    "heatmap": _heatmap,
    "trend": _trend,
    "top": _top,
    "attribution": _attribution,
    "pauses": _pauses,
}


def run_report(
    tx: Tx, name: str, params: BreachParams, config: Config, options: Mapping[str, Any]
) -> TableReport:
    """Run the report ``name``; ReportError names a bad parameter."""
    run = BREACH_REPORTS.get(name)
    if run is None:
        raise ReportError(f"report: {name!r}; expected one of {', '.join(BREACH_REPORTS)}")
    return run(tx, params, config, options)
