"""Reports (reports.md): compliance per group and time bucket, as JSON, CSV or XLSX
(docs/reports.md). Viewers and above may read them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.query import Cursor, cursor_page
from slaclock.api.schemas import problem_responses
from slaclock.service.breach_analysis import BreachParams
from slaclock.service.exports import Column, csv_chunks, xlsx_bytes
from slaclock.service.report_log import LOG_COLUMNS, LogParams
from slaclock.service.reports import (
    GROUPINGS,
    ReportError,
    ReportParams,
    report_window,
)

__all__ = ["router"]

router = APIRouter(tags=["reports"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
Text = Annotated[str | None, Query(max_length=200)]
Instant = Annotated[
    str, Query(max_length=64, description="a date (local midnight in tz) or an instant with offset")
]
Format = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def group_filters(
    policy: Text = None,
    metric: Text = None,
    kind: Annotated[Literal["sla", "ola"] | None, Query()] = None,
    group: Text = None,
    assignee: Text = None,
    customer: Text = None,
    plan: Text = None,
    priority: Text = None,
    channel: Text = None,
    type: Text = None,
) -> dict[str, str]:
    """The reports' filters on groupings (ticket fields as they were when judged)."""
    given = {"policy": policy, "metric": metric, "kind": kind, "group": group,
             "assignee": assignee, "customer": customer, "plan": plan, "priority": priority,
             "channel": channel, "type": type}  # fmt: skip
    return {name: value for name, value in given.items() if value is not None}


Filters = Annotated[dict[str, str], Depends(group_filters)]
From = Annotated[str, Query(alias="from", max_length=64, description="a date or an instant")]
AsOf = Annotated[str | None, Query(max_length=64, description="default: now")]
Zone = Annotated[str, Query(max_length=64, description="an IANA time zone")]


@router.get(
    "/api/v1/reports/compliance",
    response_model=dict[str, Any],
    responses=problem_responses(422),
    summary="Compliance per group and time bucket (met, breached, open, ratios, times)",
)
def get_compliance(
    caller: CallerDep,
    ctx: Ctx,
    filters: Filters,
    from_: From,
    to: Instant,
    as_of: AsOf = None,
    by: Annotated[str | None, Query(max_length=200, description=", ".join(GROUPINGS))] = None,
    bucket: Annotated[Literal["hour", "day", "week", "month"] | None, Query()] = None,
    tz: Zone = "UTC",
    date: Annotated[Literal["judged", "started"], Query()] = "judged",
    format: Annotated[Format, Query()] = "json",
) -> Any:
    try:
        params = ReportParams(
            **report_window(from_, to, as_of, tz, ctx.now()),
            by=tuple(name.strip() for name in by.split(",") if name.strip()) if by else (),
            bucket=bucket,
            tz=tz,
            date=date,
            filters=filters,
        )
        report = ctx.services.compliance(params)
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc
    return exported(report.columns, report.rows, tz, format, "compliance", report.to_json)


@router.get(
    "/api/v1/reports/log",
    response_model=dict[str, Any],
    responses=problem_responses(400, 422),
    summary="The SLA log: one row per instance judged in the range (or open and started)",
)
def get_log(
    caller: CallerDep,
    ctx: Ctx,
    filters: Filters,
    from_: From,
    to: Instant,
    as_of: AsOf = None,
    tz: Zone = "UTC",
    ticket: Text = None,
    judged: Annotated[
        str | None, Query(max_length=40, description="met, breached, open (comma-separated)")
    ] = None,
    sort: Annotated[Literal["judged", "due", "started", "elapsed", "overdue"], Query()] = (
        "judged"
    ),
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    format: Annotated[Format, Query(description="csv and xlsx hold every row")] = "json",
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    try:
        params = LogParams(
            **report_window(from_, to, as_of, tz, ctx.now()),
            filters=filters,
            ticket=ticket,
            judged=tuple(v.strip() for v in judged.split(",") if v.strip()) if judged else (),
            sort=sort,
            descending=order == "desc",
        )
        params.query()  # a bad parameter is a 422 here, not a bad cursor below
        if format != "json":
            return exported(LOG_COLUMNS, ctx.services.sla_log_rows(params), tz, format, "sla-log")
        return cursor_page(lambda: ctx.services.sla_log(params, cursor, limit))
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc


def breach_params(
    ctx: Ctx, filters: Filters, from_: From, to: Instant, as_of: AsOf = None, tz: Zone = "UTC"
) -> BreachParams:
    """The range, as_of, zone and filters every breach-analysis report takes."""
    try:
        return BreachParams(
            **report_window(from_, to, as_of, tz, ctx.now()),
            tz=tz,
            filters=filters,
        )
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc


Breach = Annotated[BreachParams, Depends(breach_params)]
FormatQ = Annotated[Format, Query()]


def _breach(ctx: ApiContext, name: str, params: BreachParams, format: str, **options: Any) -> Any:
    try:
        report = ctx.services.breach_report(name, params, options)
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc
    return exported(report.columns, report.rows, params.tz, format, name, report.to_json)


@router.get("/api/v1/reports/heatmap", response_model=dict[str, Any],
            responses=problem_responses(422),
            summary="Breaches by local weekday x hour of the due time or the creation")  # fmt: skip
def get_heatmap(
    caller: CallerDep,
    ctx: Ctx,
    params: Breach,
    by: Annotated[Literal["due", "created"], Query()] = "due",
    format: FormatQ = "json",
) -> Any:
    return _breach(ctx, "heatmap", params, format, by=by)


@router.get("/api/v1/reports/trend", response_model=dict[str, Any],
            responses=problem_responses(422), summary="Breaches per time bucket")  # fmt: skip
def get_trend(
    caller: CallerDep,
    ctx: Ctx,
    params: Breach,
    bucket: Annotated[Literal["hour", "day", "week", "month"], Query()] = "day",
    format: FormatQ = "json",
) -> Any:
    return _breach(ctx, "trend", params, format, bucket=bucket)


@router.get("/api/v1/reports/top", response_model=dict[str, Any],
            responses=problem_responses(422),
            summary="The policies, groups, customers, agents with the most breaches")  # fmt: skip
def get_top(
    caller: CallerDep,
    ctx: Ctx,
    params: Breach,
    dimensions: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    format: FormatQ = "json",
) -> Any:
    names = tuple(d.strip() for d in dimensions.split(",") if d.strip()) if dimensions else None
    return _breach(ctx, "top", params, format, dimensions=names, limit=limit)


@router.get("/api/v1/reports/attribution", response_model=dict[str, Any],
            responses=problem_responses(422),
            summary="OLA attribution of the SLA breaches")  # fmt: skip
def get_attribution(caller: CallerDep, ctx: Ctx, params: Breach, format: FormatQ = "json") -> Any:
    return _breach(ctx, "attribution", params, format)


@router.get("/api/v1/reports/pauses", response_model=dict[str, Any],
            responses=problem_responses(422),
            summary="Paused time by assignee and status; clocks parked in pauses")  # fmt: skip
def get_pauses(
    caller: CallerDep,
    ctx: Ctx,
    params: Breach,
    threshold: Annotated[float, Query(ge=0, le=1)] = 0.5,
    format: FormatQ = "json",
) -> Any:
    return _breach(ctx, "pauses", params, format, threshold=threshold)


def exported(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    tz: str,
    format: str,
    name: str,
    as_json: Callable[[], dict[str, Any]] | None = None,
) -> Any:
    """A report in ``format``: its JSON, or a CSV (streamed) or XLSX download."""
    if format == "json" and as_json is not None:
        return as_json()
    if format == "csv":
        chunks: Iterator[str] = csv_chunks(columns, rows, tz)
        return StreamingResponse(
            (chunk.encode() for chunk in chunks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    body = xlsx_bytes(columns, rows, tz, sheet=name.title())
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
