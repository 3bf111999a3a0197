"""``/reports``: compliance over a range for people, drawn on the server.

The page shows compliance by day (an inline SVG chart beside a table of the same
figures), compliance by one grouping (group, priority, channel or plan) and the
weekday × hour breach heatmap as a table whose cells are shaded and numbered. Every
view downloads as CSV or XLSX from ``/reports/download``, which calls the same service
functions as the API (``Services.compliance``, ``Services.breach_report``) with the
page's cookie session and role rule. Every view is a URL: ``from``, ``to`` (dates, or
instants with an offset), ``by`` and ``tz``; the default range is the last 30 days in
the viewer's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import get_day_names
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from slaclock.api.query import reject_nul_characters
from slaclock.api.routes_reports import exported
from slaclock.service.breach_analysis import BreachParams
from slaclock.service.reports import ReportError, ReportParams, report_window
from slaclock.web.charts import compliance_chart, percent
from slaclock.web.labels import N_
from slaclock.web.pages import Page, render
from slaclock.web.reader import ReaderDep, Text, error_page

__all__ = ["FORMATS", "BadParameter", "breach_params", "download_url", "report_range", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

#: The groupings the page offers, with their names for people.
GROUPINGS = {
    "group": N_("Group"),
    "priority": N_("Priority"),
    "channel": N_("Channel"),
    "plan": N_("Plan"),
}
#: The compliance views of this page, then the breach reports of /reports/breaches.
VIEWS = ("daily", "compliance", "heatmap", "top", "attribution", "pauses")
BREACH_VIEWS = ("heatmap", "top", "attribution", "pauses")
FORMATS = ("csv", "xlsx")
DEFAULT_DAYS = 30


From = Annotated[str | None, Query(alias="from", max_length=500)]


class BadParameter(ValueError):
    """A parameter the page cannot use; the message names it."""


def report_range(
    page: Page, now: datetime, from_: str | None, to: str | None, by: str | None
) -> tuple[str, str, str]:
    """The range as given (or the last 30 days in the viewer's zone) and the grouping."""
    today = now.astimezone(page.fmt.tz).date()
    start = from_ or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    end = to or (today + timedelta(days=1)).isoformat()
    grouping = by or "group"
    if grouping not in GROUPINGS:
        raise BadParameter(
            page.gettext("Ignored filter %(name)s: %(problem)s")
            % {"name": "by", "problem": page.gettext("not one of the choices")}
        )
    return start, end, grouping


def _report_params(page: Page, now: datetime, start: str, end: str, **more: Any) -> ReportParams:
    window = report_window(start, end, None, page.tz_name, now)
    return ReportParams(**window, tz=page.tz_name, **more)


def breach_params(page: Page, now: datetime, start: str, end: str) -> BreachParams:
    window = report_window(start, end, None, page.tz_name, now)
    return BreachParams(**window, tz=page.tz_name)


def _figures(page: Page, row: dict[str, Any]) -> dict[str, str]:
    return {
        "met": page.fmt.number(row["met"]),
        "breached": page.fmt.number(row["breached"]),
        "open": page.fmt.number(row["open"]),
        "compliance": percent(page, row["compliance"]),
        "p50": page.fmt.duration(row["met_elapsed_p50"]),
        "p90": page.fmt.duration(row["met_elapsed_p90"]),
    }


def _heatmap(page: Page, grid: list[list[int]]) -> list[dict[str, Any]]:
    top = max((n for line in grid for n in line), default=0)
    names = get_day_names("abbreviated", locale=page.locale)
    return [
        {
            "day": names[weekday],
            "cells": [
                {"count": n, "shade": 0 if n == 0 else max(1, -(-4 * n // top))} for n in line
            ],
        }
        for weekday, line in enumerate(grid)
    ]


def download_url(view: str, start: str, end: str, by: str, tz: str, format: str) -> str:
    params = {"view": view, "from": start, "to": end, "tz": tz, "format": format}
    if view == "compliance":
        params["by"] = by
    return "/reports/download?" + urlencode(params)


@router.get("/reports")
def reports(
    request: Request, reader: ReaderDep, from_: From = None, to: Text = None, by: Text = None
) -> Response:
    """Compliance by day (chart and table), by a grouping, and the breach heatmap."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services, now = reader.services, reader.now
    values: dict[str, Any] = {"errors": [], "daily": None}
    start, end, grouping = from_ or "", to or "", by or "group"
    try:
        start, end, grouping = report_range(page, now, from_, to, by)
        daily = services.compliance(_report_params(page, now, start, end, bucket="day"))
        grouped = services.compliance(_report_params(page, now, start, end, by=(grouping,)))
        heatmap = services.breach_report("heatmap", breach_params(page, now, start, end), {})
    except (ReportError, BadParameter) as exc:
        values["errors"] = [str(exc)]
    else:
        values.update(
            daily=[
                {"day": page.fmt.instant(row["bucket"], "medium"), **_figures(page, row)}
                for row in daily.rows
            ],
            chart=compliance_chart(page, daily.rows),
            grouped=[{"name": row[grouping] or "–", **_figures(page, row)} for row in grouped.rows],
            heatmap=_heatmap(page, _grid(heatmap.rows)),
            links={
                view: {
                    f: download_url(view, start, end, grouping, page.tz_name, f) for f in FORMATS
                }
                for view in VIEWS
            },
        )
    status = 400 if values["errors"] else 200
    return render(
        request,
        page,
        "reports.html",
        status,
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now, "medium"),
        start=start,
        end=end,
        grouping=grouping,
        grouping_name=page.gettext(GROUPINGS.get(grouping, GROUPINGS["group"])),
        groupings=[(code, page.gettext(name)) for code, name in GROUPINGS.items()],
        **values,
    )


def _grid(rows: tuple[dict[str, Any], ...]) -> list[list[int]]:
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        grid[int(row["weekday"])][int(row["hour"])] = int(row["breached"])
    return grid


@router.get("/reports/download")
def download(
    request: Request,
    reader: ReaderDep,
    view: Text = None,
    from_: From = None,
    to: Text = None,
    by: Text = None,
    format: Text = None,
) -> Response:
    """One view of the page as CSV or XLSX, from the API's service calls."""
    viewer, page = reader.viewer, reader.page
    services, now = reader.services, reader.now
    try:
        if view not in VIEWS:
            raise BadParameter(page.gettext("Unknown view %(name)s.") % {"name": view or ""})
        if format not in FORMATS:
            raise BadParameter(page.gettext("Unknown format %(name)s.") % {"name": format or ""})
        start, end, grouping = report_range(page, now, from_, to, by)
        if view in BREACH_VIEWS:
            table = services.breach_report(view, breach_params(page, now, start, end), {})
            answer: Response = exported(table.columns, table.rows, page.tz_name, format, view)
            return answer
        more: dict[str, Any] = {"bucket": "day"} if view == "daily" else {"by": (grouping,)}
        report = services.compliance(_report_params(page, now, start, end, **more))
        answer = exported(report.columns, report.rows, page.tz_name, format, "compliance")
        return answer
    except (ReportError, BadParameter) as exc:
        return error_page(request, page, 400, str(exc), viewer)
