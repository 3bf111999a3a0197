"""Reports (reports.md): compliance per group and time bucket, as JSON, CSV or XLSX
(docs/reports.md). Viewers and above may read them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import problem_responses
from slaclock.service.exports import csv_chunks, xlsx_bytes
from slaclock.service.reports import (
    GROUPINGS,
    ComplianceReport,
    ReportError,
    ReportParams,
    report_instant,
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


@router.get(
    "/api/v1/reports/compliance",
    response_model=dict[str, Any],
    responses=problem_responses(422),
    summary="Compliance per group and time bucket (met, breached, open, ratios, times)",
)
def get_compliance(
    caller: CallerDep,
    ctx: Ctx,
    from_: Annotated[str, Query(alias="from", max_length=64)],
    to: Instant,
    as_of: Annotated[str | None, Query(max_length=64)] = None,
    by: Annotated[str | None, Query(max_length=200, description=", ".join(GROUPINGS))] = None,
    bucket: Annotated[Literal["hour", "day", "week", "month"] | None, Query()] = None,
    tz: Annotated[str, Query(max_length=64)] = "UTC",
    date: Annotated[Literal["judged", "started"], Query()] = "judged",
    format: Annotated[Format, Query()] = "json",
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
) -> Any:
    filters = {
        name: value
        for name, value in (
            ("policy", policy), ("metric", metric), ("kind", kind), ("group", group),
            ("assignee", assignee), ("customer", customer), ("plan", plan),
            ("priority", priority), ("channel", channel), ("type", type),
        )
        if value is not None
    }  # fmt: skip
    try:
        params = ReportParams(
            start=report_instant(from_, "from", tz),
            end=report_instant(to, "to", tz),
            as_of=report_instant(as_of, "as_of", tz) if as_of else ctx.now(),
            by=tuple(name.strip() for name in by.split(",") if name.strip()) if by else (),
            bucket=bucket,
            tz=tz,
            date=date,
            filters=filters,
        )
        report = ctx.services.compliance(params)
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc
    return exported(report, format, "compliance")


def exported(report: ComplianceReport, format: str, name: str) -> Any:
    """The report in ``format``: its JSON, or a CSV (streamed) or XLSX download."""
    if format == "json":
        return report.to_json()
    tz = report.params.tz
    if format == "csv":
        chunks: Iterator[str] = csv_chunks(report.columns, report.rows, tz)
        return StreamingResponse(
            (chunk.encode() for chunk in chunks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    body = xlsx_bytes(report.columns, report.rows, tz, sheet=name.title())
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
