"""Charts drawn on the server as SVG geometry: no script, no library, same figures as
the table printed beside each one (colour and shape are never the only signal).

The templates draw what these functions measure (``macros.html``, ``compliance_chart``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slaclock.web.pages import Page

__all__ = ["compliance_chart", "percent"]

#: The chart's drawing box, in SVG units: room on the left for the percentages and
#: below for the days.
CHART_W, CHART_H, CHART_PAD, CHART_LEFT = 640, 200, 30, 46
#: Every how many bars a day is written under the chart (and under the last one).
LABEL_EVERY = 7


def percent(page: Page, ratio: float | None) -> str:
    """``0.953`` as "95.3 %" in the page's language; "" when there is no ratio."""
    return "" if ratio is None else page.fmt.number(round(100 * ratio, 1)) + " %"


def compliance_chart(page: Page, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One bar per bucket of a compliance report, its height the compliance (none for a
    bucket with nothing judged), with a tooltip naming the day and the percentage."""
    count = max(len(rows), 1)
    inner_w, inner_h = CHART_W - CHART_LEFT - CHART_PAD, CHART_H - 2 * CHART_PAD
    step = inner_w / count
    bars, labels = [], []
    for index, row in enumerate(rows):
        ratio = row["compliance"]
        height = 0.0 if ratio is None else inner_h * float(ratio)
        day = page.fmt.instant(row["bucket"], "short").split(" ")[0].rstrip(",")
        bars.append(
            {
                "x": round(CHART_LEFT + index * step + step * 0.1, 2),
                "y": round(CHART_PAD + inner_h - height, 2),
                "w": round(step * 0.8, 2),
                "h": round(height, 2),
                "title": f"{day}: {percent(page, ratio) or '–'}",
            }
        )
        last = index == len(rows) - 1
        if index % LABEL_EVERY == 0 or (last and index % LABEL_EVERY > LABEL_EVERY // 2):
            labels.append({"x": round(CHART_LEFT + (index + 0.5) * step, 2), "text": day})
    grid = [
        {"y": round(CHART_PAD + inner_h * (1 - level / 100), 2), "label": f"{level} %"}
        for level in (0, 50, 100)
    ]
    return {"w": CHART_W, "h": CHART_H, "left": CHART_LEFT, "right": CHART_W - CHART_PAD,
            "bars": bars, "grid": grid, "labels": labels,
            "label_y": CHART_H - CHART_PAD + 16}  # fmt: skip
