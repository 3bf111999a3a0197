"""Contract statements (reports.md, "Contracts and service credits"): one customer's
statements for a period, as JSON, CSV, HTML or PDF (docs/reports.md, "Contract
statements"). Viewers and above may read them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import problem_responses
from slaclock.service.reports import ReportError, report_instant
from slaclock.service.statements import content_disposition, customer_statements, rendered

__all__ = ["STATEMENT_PATH", "router"]

router = APIRouter(tags=["reports"])

STATEMENT_PATH = "/api/v1/reports/statement"
Ctx = Annotated[ApiContext, Depends(get_ctx)]
_OTHER_TYPES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "one statement per contract that applies (JSON), or the same as CSV, "
        "an HTML page or a PDF document",
        "content": {"text/csv": {}, "text/html": {}, "application/pdf": {}},
    }
}


@router.get(
    STATEMENT_PATH,
    response_model=list[dict[str, Any]],
    responses={**problem_responses(404, 422), **_OTHER_TYPES},
    summary="A customer's contract statements for a period: attainment, breaches, credit",
)
def get_statement(
    caller: CallerDep,
    ctx: Ctx,
    customer: Annotated[str, Query(min_length=1, max_length=200, description="customer.id")],
    period: Annotated[
        str, Query(min_length=1, max_length=16, description="a month (2026-03) or a quarter")
    ],
    contract: Annotated[str | None, Query(max_length=200, description="one contract only")] = (
        None
    ),
    as_of: Annotated[
        str | None, Query(max_length=64, description="verdicts as of this instant (default: now)")
    ] = None,
    format: Annotated[Literal["json", "csv", "html", "pdf"], Query()] = "json",
) -> Any:
    try:
        at = report_instant(as_of, "as_of", "UTC") if as_of else ctx.now()
        found = customer_statements(ctx.services, customer, period, at, contract)
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc
    if not found:
        label = period.strip()
        raise Problem(
            404,
            f"contract {contract!r} does not apply to customer {customer!r} in {label!r}"
            if contract
            else f"no contract applies to customer {customer!r} in {label!r}",
        )
    if format == "json":
        return [s.to_json() for s in found]
    body, media = rendered(found, format)
    disposition = content_disposition(customer, period, format)
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
