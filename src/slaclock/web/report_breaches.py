"""``/reports/breaches``: where breaches come from, for a range — the policies, groups
and customers with the most, the internal teams (OLAs) whose breach came first, and how
much of the clocks' time was paused (by assignee and by status, and the clocks parked
for most of their life).

The figures are the API's breach reports (``Services.breach_report``: ``top``,
``attribution``, ``pauses``); each downloads as CSV or XLSX from ``/reports/download``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from slaclock.api.query import reject_nul_characters
from slaclock.service.app_state import Services
from slaclock.service.reports import ReportError
from slaclock.web.charts import percent
from slaclock.web.dashboard import ticket_url
from slaclock.web.directory import Directory
from slaclock.web.labels import N_, STATUS_LABELS, label
from slaclock.web.pages import Page, render
from slaclock.web.reader import ReaderDep, Text
from slaclock.web.reports import (
    FORMATS,
    BadParameter,
    From,
    breach_params,
    download_url,
    report_range,
)

__all__ = ["router"]

Gettext = Callable[[str], str]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

#: Rows of the long lists shown on the page (the downloads have them all).
SHOWN = 50
VIEWS = ("top", "attribution", "pauses")
VERDICT_LABELS = {"met": N_("met"), "breached": N_("breached"), "open": N_("open")}


@router.get("/reports/breaches")
def breaches(request: Request, reader: ReaderDep, from_: From = None, to: Text = None) -> Response:
    """The top breach sources, OLA attribution and pause usage over a range."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services, now = reader.services, reader.now
    values: dict[str, Any] = {"errors": [], "top": None}
    start, end = from_ or "", to or ""
    try:
        start, end, _ = report_range(page, now, from_, to, None)
        params = breach_params(page, now, start, end)
        # Three independent reads: run side by side (each its own connection).
        with ThreadPoolExecutor(len(VIEWS)) as pool:
            top_job, attribution_job, pauses_job = (
                pool.submit(services.breach_report, view, params, {}) for view in VIEWS
            )
            top = top_job.result()
            attribution = attribution_job.result().to_json()
            pauses = pauses_job.result().to_json()
    except (ReportError, BadParameter) as exc:
        values["errors"] = [str(exc)]
    else:
        values.update(
            top=_top(page, top.rows, directory, _customer_names(services, top.rows)),
            attribution=_attribution(page, attribution, directory),
            pauses=_pauses(page, pauses, directory),
            links={
                v: {f: download_url(v, start, end, "", page.tz_name, f) for f in FORMATS}
                for v in VIEWS
            },
        )
    return render(
        request,
        page,
        "report_breaches.html",
        400 if values["errors"] else 200,
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now, "medium"),
        start=start,
        end=end,
        **values,
    )


def _name(dimension: str, value: Any, directory: Directory, gettext: Gettext = str) -> str:
    """A grouping's value as people know it: group and person names from the
    configuration; "–" for none."""
    if value is None or value == "":
        return "–"
    if dimension == "group":
        return directory.group(str(value))
    if dimension == "assignee":
        return directory.person(str(value))
    if dimension == "status":
        return label(STATUS_LABELS, str(value), gettext)
    return str(value)


def _customer_names(services: Services, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The names of the customers the top list ranks (the reports count by id)."""
    ids = [str(row["value"]) for row in rows if row["dimension"] == "customer" and row["value"]]
    return services.customer_names(ids)


def _top(
    page: Page,
    rows: Sequence[Mapping[str, Any]],
    directory: Directory,
    customers: Mapping[str, str],
) -> dict[str, list[dict[str, str]]]:
    """The ranked rows per dimension (policy, group, customer: by name where known)."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        name = _name(row["dimension"], row["value"], directory)
        if row["dimension"] == "customer":
            name = customers.get(str(row["value"]), name)
        out.setdefault(row["dimension"], []).append(
            {
                "rank": str(row["rank"]),
                "name": name,
                "breached": page.fmt.number(row["breached"]),
                "judged": page.fmt.number(row["judged"]),
                "share": percent(page, row["breach_share"]),
            }
        )
    return out


def _attribution(page: Page, report: Mapping[str, Any], directory: Directory) -> dict[str, Any]:
    summary = [
        {
            "ola": row["ola"],
            "sla_breaches": page.fmt.number(row["sla_breaches"]),
            "ola_instances": page.fmt.number(row["ola_instances"]),
            "share_avg": percent(page, row["share_avg"]),
        }
        for row in report["summary"]["rows"]
    ]
    pairs = [
        {
            "ticket": row["ticket"],
            "url": ticket_url(row["ticket"]),
            "sla": f"{row['sla_policy']} · {row['metric']}",
            "group": _name("group", row["group"], directory),
            "sla_judged_at": page.fmt.instant(row["sla_judged_at"]),
            "ola": f"{row['ola']} · {row['ola_metric']}",
            "ola_breached_at": page.fmt.instant(row["ola_breached_at"]),
            "share": percent(page, row["share"]),
        }
        for row in report["rows"][:SHOWN]
    ]
    return {
        "sla_breaches": page.fmt.number(report["sla_breaches"]),
        "attributed": page.fmt.number(report["attributed"]),
        "summary": summary,
        "pairs": pairs,
        "more": max(0, len(report["rows"]) - SHOWN),
    }


def _pauses(page: Page, report: Mapping[str, Any], directory: Directory) -> dict[str, Any]:
    by: dict[str, list[dict[str, str]]] = {}
    for row in report["rows"]:
        by.setdefault(row["dimension"], []).append(
            {
                "name": _name(row["dimension"], row["value"], directory, page.gettext),
                "instances": _count(page, row["instances"]),
                "paused_instances": _count(page, row["paused_instances"]),
                "paused": page.fmt.duration(row["paused_seconds"]),
                "paused_share": percent(page, row["paused_share"]),
                "share_of_paused": percent(page, row["share_of_paused"]),
            }
        )
    parked = [
        {
            "ticket": row["ticket"],
            "url": ticket_url(row["ticket"]),
            "clock": f"{row['policy']} · {row['metric']}",
            "assignee": _name("assignee", row["assignee"], directory),
            "verdict": label(VERDICT_LABELS, row["verdict"], page.gettext),
            "paused": page.fmt.duration(row["paused_seconds"]),
            "paused_share": percent(page, row["paused_share"]),
        }
        for row in report["parked"]["rows"][:SHOWN]
    ]
    return {
        "by": by,
        "parked": parked,
        "parked_total": page.fmt.number(report["parked_total"]),
        "threshold": percent(page, report["threshold"]),
    }


def _count(page: Page, value: int | None) -> str:
    """A count, or "–" where the report has none (statuses count no instances)."""
    return "–" if value is None else page.fmt.number(value)
