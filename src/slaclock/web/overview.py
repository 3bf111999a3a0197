"""The dashboard's overview: how well promises were kept today, this week and over the
last 30 days, in the viewer's time zone.

Two compliance reports feed it (the same service call as ``/reports``): the last 30
local days by day — its last bucket is today, its buckets since Monday make the week,
with the week's internal-goal attainment — and this week by group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from slaclock.service.app_state import Services
from slaclock.service.reports import ReportParams, report_window
from slaclock.web.charts import compliance_chart, percent
from slaclock.web.pages import Page

__all__ = ["CHART_DAYS", "Overview", "overview"]

#: The days the dashboard's compliance chart covers, today included.
CHART_DAYS = 30


@dataclass(frozen=True)
class Overview:
    """The tiles' figures (display text) and the chart's geometry."""

    today: str
    today_counts: str
    week: str
    week_counts: str
    goal_week: str
    goal_counts: str
    chart: dict[str, Any]
    week_by_group: Mapping[str, str] = field(default_factory=dict)
    reports_url: str = "/reports"


def overview(services: Services, page: Page, now: datetime) -> Overview:
    """Compliance today, this week (from Monday) and by day for :data:`CHART_DAYS`."""
    today = now.astimezone(page.fmt.tz).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    monday = today - timedelta(days=today.weekday())
    tomorrow = today + timedelta(days=1)
    daily = services.compliance(_params(page, now, first, tomorrow, bucket="day")).rows
    this_week = [row for row in daily if _local_date(row["bucket"], page) >= monday]
    by_group = services.compliance(_params(page, now, monday, tomorrow, by=("group",))).rows
    todays = [row for row in daily if _local_date(row["bucket"], page) == today]
    met, breached = _sum(todays, "met"), _sum(todays, "breached")
    week_met, week_breached = _sum(this_week, "met"), _sum(this_week, "breached")
    goal_met, goal_missed = _sum(this_week, "goal_met"), _sum(this_week, "goal_breached")
    return Overview(
        today=_ratio_text(page, met, breached),
        today_counts=_counts(page, met, breached),
        week=_ratio_text(page, week_met, week_breached),
        week_counts=_counts(page, week_met, week_breached),
        goal_week=_ratio_text(page, goal_met, goal_missed),
        goal_counts=_counts(page, goal_met, goal_missed),
        chart=compliance_chart(page, daily),
        week_by_group={
            row["group"] or "": _ratio_text(page, row["met"], row["breached"]) for row in by_group
        },
        reports_url=f"/reports?from={first.isoformat()}&to={tomorrow.isoformat()}",
    )


def _params(page: Page, now: datetime, start: date, end: date, **more: Any) -> ReportParams:
    """A report of ``[start, end)`` local days in the viewer's zone, verdicts as of now."""
    window = report_window(start.isoformat(), end.isoformat(), None, page.tz_name, now)
    return ReportParams(**window, tz=page.tz_name, **more)


def _local_date(bucket: Any, page: Page) -> date:
    instant = bucket if isinstance(bucket, datetime) else datetime.fromisoformat(str(bucket))
    return instant.astimezone(page.fmt.tz).date()


def _sum(rows: Iterable[Mapping[str, Any]], key: str) -> int:
    return sum(int(row[key] or 0) for row in rows)


def _ratio_text(page: Page, met: int, missed: int) -> str:
    """The share kept, or a dash when nothing was judged (not a made-up 100 %)."""
    judged = met + missed
    return percent(page, met / judged) if judged else "–"


def _counts(page: Page, met: int, missed: int) -> str:
    return page.gettext("%(met)s met, %(missed)s missed") % {
        "met": page.fmt.number(met),
        "missed": page.fmt.number(missed),
    }
