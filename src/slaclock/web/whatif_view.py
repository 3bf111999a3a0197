"""A what-if job on the policies page: its progress, then compliance before and after
per kind × policy × metric and the tickets whose verdict would flip.

The job is the API's (``service/whatif_jobs.py``, ``POST /api/v1/whatif``); this only
turns its :class:`~slaclock.service.whatif_jobs.JobView` into display values. A change
is written with its sign and in words ("+3.2 pt", "no change"), not shown by colour
alone. The flips listed are capped (:data:`FLIPS_SHOWN`); the count says how many more
there are, and the job's JSON lists up to 10,000.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from slaclock.service.whatif import WhatIf
from slaclock.service.whatif_jobs import JobView
from slaclock.web.labels import KIND_LABELS, STATE_LABELS, label
from slaclock.web.pages import Page

__all__ = ["FLIPS_SHOWN", "job_values"]

FLIPS_SHOWN = 200


def _percent(page: Page, ratio: float | None) -> str:
    return "–" if ratio is None else page.fmt.number(round(100 * ratio, 1)) + " %"


def _change(page: Page, before: float | None, after: float | None) -> tuple[str, str]:
    """The change in percentage points, with its sign in text, and its class."""
    if before is None or after is None:
        return "–", "same"
    points = round(100 * (after - before), 1)
    if points == 0:
        return page.gettext("no change"), "same"
    sign = "+" if points > 0 else "−"
    return f"{sign}{page.fmt.number(abs(points))} pt", "up" if points > 0 else "down"


def _figures(page: Page, counts: Mapping[str, Any], side: str = "") -> dict[str, str]:
    suffix = f"_{side}" if side else ""
    return {
        "met": page.fmt.number(counts[f"met{suffix}"]),
        "breached": page.fmt.number(counts[f"breached{suffix}"]),
        "open": page.fmt.number(counts[f"open{suffix}"]),
        "compliance": _percent(page, counts[f"compliance{suffix}"]),
    }


def _result(page: Page, result: WhatIf) -> dict[str, Any]:
    gettext, rows = page.gettext, []
    for row in result.sorted_rows():
        data = row.to_json()
        change, css = _change(page, data["compliance_before"], data["compliance_after"])
        rows.append(
            {
                "kind": label(KIND_LABELS, row.kind, gettext),
                "policy": row.policy,
                "metric": row.metric,
                "before": _figures(page, data, "before"),
                "after": _figures(page, data, "after"),
                "change": change,
                "css": css,
            }
        )
    before, after = result.totals("before"), result.totals("after")
    change, css = _change(page, before["compliance"], after["compliance"])
    flips = [
        {
            "ticket": flip.ticket,
            "url": "/tickets/" + quote(flip.ticket, safe=""),
            "kind": label(KIND_LABELS, flip.kind, gettext),
            "metric": flip.metric,
            "cycle": flip.cycle,
            "before": flip.before,
            "after": flip.after,
            "before_text": label(STATE_LABELS, flip.before, gettext),
            "after_text": label(STATE_LABELS, flip.after, gettext),
            "reason": flip.reason,
        }
        for flip in result.flips[:FLIPS_SHOWN]
    ]
    return {
        "tickets": page.fmt.number(result.tickets),
        "version": result.version,
        "window": (
            page.fmt.instant(result.start, "medium"),
            page.fmt.instant(result.end, "medium"),
        ),
        "rows": rows,
        "total": {
            "before": _figures(page, before),
            "after": _figures(page, after),
            "change": change,
            "css": css,
        },
        "flips": flips,
        "flips_total": page.fmt.number(result.flips_total),
        "met_to_breached": page.fmt.number(result.met_to_breached),
        "breached_to_met": page.fmt.number(result.breached_to_met),
        "flips_more": page.fmt.number(result.flips_total - len(flips)),
        "has_more": result.flips_total > len(flips),
    }


def job_values(page: Page, job: JobView) -> dict[str, Any]:
    """The job for the page: state, progress, and its result once done."""
    total = job.total
    return {
        "id": job.id,
        "state": job.state,
        "done": job.done,
        "total": total,
        "progress_text": (
            page.gettext("%(done)s of %(total)s tickets replayed")
            % {"done": page.fmt.number(job.done), "total": page.fmt.number(total)}
            if total is not None
            else page.gettext("Listing the tickets of the window…")
        ),
        # The same words for the script that updates the progress (numbers filled in).
        "progress_template": page.gettext("%(done)s of %(total)s tickets replayed")
        % {"done": "{done}", "total": "{total}"},
        "started": page.fmt.instant(job.created_at, "medium"),
        "error": job.error,
        "result": _result(page, job.result) if job.result is not None else None,
        "json_url": "/api/v1/whatif/" + quote(job.id, safe=""),
    }
