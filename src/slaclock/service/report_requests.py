"""A report asked for by name and text parameters, as a snapshot records it.

``{"report": "compliance", "params": {"from": "2026-03-01", "to": "2026-04-01",
"by": "group", "tz": "Europe/Amsterdam"}}`` names the report and its parameters
exactly as the API's query string does (docs/reports.md). :func:`parse_request`
checks them (ReportError naming the first bad one: an unknown parameter too), and
:func:`render_request` runs the report and gives its bytes in one format. The
snapshot of a dispute is those bytes, so the same request is never re-run to answer
it: the stored bytes are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slaclock.service.breach_analysis import BreachParams
from slaclock.service.exports import Column, csv_chunks, xlsx_bytes
from slaclock.service.report_catalog import BREACH_REPORTS
from slaclock.service.report_log import LOG_COLUMNS, LogParams
from slaclock.service.reports import GROUPINGS, ReportError, ReportParams, report_instant

if TYPE_CHECKING:
    from slaclock.service.app_state import Services

__all__ = ["FORMATS", "REPORTS", "Rendered", "parse_request", "render_request"]

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Each report's own parameters, beside the range, as_of, tz and the grouping filters.
_OWN: Mapping[str, frozenset[str]] = {
    "compliance": frozenset({"by", "bucket", "date"}),
    "log": frozenset({"ticket", "judged", "sort", "order"}),
    "heatmap": frozenset({"by"}),
    "trend": frozenset({"bucket"}),
    "top": frozenset({"dimensions", "limit"}),
    "attribution": frozenset(),
    "pauses": frozenset({"threshold"}),
}
REPORTS = tuple(_OWN)
_SHARED = frozenset({"from", "to", "as_of", "tz", *GROUPINGS})


@dataclass(frozen=True)
class Rendered:
    """A report's bytes in one format, with what it was asked with."""

    report: str
    params: dict[str, str]
    format: str
    media_type: str
    content: bytes
    as_of: datetime


def parse_request(report: str, params: Mapping[str, Any], now: datetime) -> dict[str, str]:
    """The request's parameters as text, checked, with ``as_of`` fixed (``now`` when
    not given) so the request names one moment for good."""
    if report not in _OWN:
        raise ReportError(f"report: {report!r}; expected one of {', '.join(REPORTS)}")
    known = _SHARED | _OWN[report]
    out: dict[str, str] = {}
    for name, value in params.items():
        if name not in known:
            raise ReportError(f"params.{name}: not a parameter of {report}; expected any of "
                              f"{', '.join(sorted(known))}")  # fmt: skip
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ReportError(f"params.{name}: expected text, not {type(value).__name__}")
        out[name] = str(value)
    for name in ("from", "to"):
        if name not in out:
            raise ReportError(f"params.{name}: required")
    tz = out.get("tz", "UTC")
    as_of = report_instant(out["as_of"], "params.as_of", tz) if "as_of" in out else now
    out["as_of"] = as_of.isoformat()
    return out


def render_request(
    services: Services, report: str, params: Mapping[str, str], format: str
) -> Rendered:
    """Run the checked request and render it; ReportError names a bad parameter."""
    if format not in FORMATS:
        raise ReportError(f"format: {format!r}; expected one of {', '.join(FORMATS)}")
    tz = params.get("tz", "UTC")
    start = report_instant(params["from"], "params.from", tz)
    end = report_instant(params["to"], "params.to", tz)
    as_of = report_instant(params["as_of"], "params.as_of", tz)
    filters = {name: value for name, value in params.items() if name in GROUPINGS}
    columns: tuple[Column, ...]
    rows: Iterable[Mapping[str, Any]]
    as_json: Callable[[], Any]
    if report == "compliance":
        if params.get("date", "judged") not in ("judged", "started"):
            raise ReportError(f"params.date: {params['date']!r}; expected judged or started")
        found = services.compliance(ReportParams(
            start=start, end=end, as_of=as_of, by=_list(params.get("by")),
            bucket=params.get("bucket"), tz=tz,
            date="started" if params.get("date") == "started" else "judged", filters=filters,
        ))  # fmt: skip
        columns, rows, as_json = found.columns, found.rows, found.to_json
    elif report == "log":
        log = LogParams(
            start=start, end=end, as_of=as_of, filters=filters, ticket=params.get("ticket"),
            judged=_list(params.get("judged")), sort=params.get("sort", "judged"),
            descending=params.get("order") == "desc",
        )  # fmt: skip
        listed = list(services.sla_log_rows(log))
        columns, rows = LOG_COLUMNS, listed
        as_json = lambda: {"rows": listed}  # noqa: E731 - the rows, as the log's pages
    else:
        options: dict[str, Any] = {k: v for k, v in params.items() if k in _OWN[report]}
        if "dimensions" in options:
            options["dimensions"] = _list(options["dimensions"])
        breach = BreachParams(start=start, end=end, as_of=as_of, tz=tz, filters=filters)
        table = services.breach_report(report, breach, _numbers(options))
        columns, rows, as_json = table.columns, table.rows, table.to_json
    content = _bytes(columns, rows, tz, format, as_json, report)
    return Rendered(report, dict(params), format, FORMATS[format], content, as_of)


def _bytes(
    columns: tuple[Column, ...],
    rows: Iterable[Mapping[str, Any]],
    tz: str,
    format: str,
    as_json: Callable[[], Any],
    name: str,
) -> bytes:
    if format == "csv":
        return "".join(csv_chunks(columns, rows, tz)).encode()
    if format == "xlsx":
        return xlsx_bytes(columns, rows, tz, sheet=name.title())
    return json.dumps(as_json(), default=_json_default, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()  # fmt: skip


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _numbers(options: dict[str, Any]) -> dict[str, Any]:
    """``limit`` and ``threshold`` as numbers; ReportError naming a bad one."""
    out = dict(options)
    for name, kind in (("limit", int), ("threshold", float)):
        if name in out:
            try:
                out[name] = kind(out[name])
            except ValueError:
                raise ReportError(f"params.{name}: {out[name]!r} is not a number") from None
    return out


assert set(BREACH_REPORTS) <= set(_OWN), "every breach report has its parameters here"
