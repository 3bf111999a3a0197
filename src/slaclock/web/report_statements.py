"""``/reports/statements``: every customer's contract statement for a month or quarter —
attainment against the contract's target and the service credit it earns — with each
statement as HTML, PDF or CSV, and all of them as one CSV.

Statements come from the same service functions as ``/api/v1/reports/statement``
(``service/statements.py``); a period (``2026-11``, ``2026-Q4``) defaults to last month
in the viewer's zone. Downloads go through ``/reports/statement`` with the page's
cookie session and role rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.query import reject_nul_characters
from slaclock.service.reports import ReportError
from slaclock.service.statements import (
    Statement,
    all_statements,
    content_disposition,
    customer_statements,
    rendered,
)
from slaclock.web.charts import percent
from slaclock.web.pages import Page, render
from slaclock.web.reader import ReaderDep, Text, error_page
from slaclock.web.reports import BadParameter

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

DOWNLOADS = ("html", "pdf", "csv")


def last_month(page: Page, now: datetime) -> str:
    """The month before this one in the viewer's zone, as ``2026-11``."""
    first = now.astimezone(page.fmt.tz).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@router.get("/reports/statements")
def statements(request: Request, reader: ReaderDep, period: Text = None) -> Response:
    """One row per customer and contract for the period, with its downloads."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services, now = reader.services, reader.now
    chosen = (period or "").strip() or last_month(page, now)
    errors: list[str] = []
    rows: list[dict[str, Any]] | None = None
    try:
        found = all_statements(services, chosen, now)
        names = services.customer_names([s.customer for s in found])
        rows = [_row(page, s, names.get(s.customer, s.customer)) for s in found]
    except ReportError as exc:
        errors.append(str(exc))
    return render(
        request,
        page,
        "report_statements.html",
        400 if errors else 200,
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now, "medium"),
        period=chosen,
        rows=rows,
        errors=errors,
        all_csv=_url(chosen, None, None, "csv"),
    )


def _row(page: Page, found: Statement, customer_name: str) -> dict[str, Any]:
    data = found.to_json()
    return {
        "customer": found.customer,
        "customer_name": customer_name,
        "contract": data["contract_name"] or data["contract"],
        "met": page.fmt.number(data["met"]),
        "breached": page.fmt.number(data["breached"]),
        "attainment": percent(page, data["attainment"]),
        "target": percent(page, data["target"]),
        "below_target": data["attainment"] < data["target"],
        "credit": percent(page, data["credit_percent"] / 100),
        "amount": f"{data['credit_amount']} {data['currency']}",
        "links": {f: _url(data["period"], found.customer, data["contract"], f) for f in DOWNLOADS},
    }


def _url(period: str, customer: str | None, contract: str | None, format: str) -> str:
    params = {"period": period, "format": format}
    if customer is not None:
        params["customer"] = customer
    if contract is not None:
        params["contract"] = contract
    return "/reports/statement?" + urlencode(params)


@router.get("/reports/statement")
async def statement_download(
    request: Request,
    reader: ReaderDep,
    period: Text = None,
    customer: Text = None,
    contract: Text = None,
    format: Text = None,
) -> Response:
    """One customer's statements (or every customer's, as CSV) as HTML, PDF or CSV."""
    viewer, page = reader.viewer, reader.page
    services, now = reader.services, reader.now
    try:
        if format not in DOWNLOADS:
            raise BadParameter(page.gettext("Unknown format %(name)s.") % {"name": format or ""})
        if not period:
            raise BadParameter(page.gettext("Choose a period, such as 2026-11 or 2026-Q4."))
        if customer:
            found = customer_statements(services, customer, period, now, contract or None)
        elif format == "csv":
            found = all_statements(services, period, now, contract or None)
        else:
            raise BadParameter(page.gettext("Choose a customer."))
        if not found:
            message = page.gettext("No contract applies to %(customer)s in %(period)s.")
            return error_page(
                request,
                page,
                404,
                message % {"customer": customer or "–", "period": period},
                viewer,
            )
        # PDF drawing takes a while: off the event loop.
        body, media = await run_in_threadpool(rendered, found, format)
    except (ReportError, BadParameter) as exc:
        return error_page(request, page, 400, str(exc), viewer)
    disposition = content_disposition(customer or "all", period, format)
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})
