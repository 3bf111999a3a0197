"""issue 24, "Tests in a real browser": the reports pages in chromium — download a CSV
and an XLSX as a person does (a click on the link) and check their contents against
the API's report; the breaches page and its downloads; the overview's tiles and chart
on the dashboard."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

RANGE = "from=2026-03-01&to=2026-03-07&tz=UTC"


def _api(tab: Any, path: str) -> dict[str, Any]:
    response = httpx.get(
        tab.site.url + path,
        headers={"Authorization": f"Bearer {tab.site.tokens['viewer']}"},
        timeout=20,
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _download(tab: Any, selector: str) -> tuple[str, bytes]:
    """Click the link and keep the file the browser saves: its name and bytes."""
    with tab.page.expect_download() as info:
        tab.page.click(selector)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.fixture
def reports(viewer_tab: Any) -> Any:
    viewer_tab.open("/reports?" + RANGE)
    return viewer_tab


def test_the_daily_compliance_downloads_as_csv_with_the_apis_figures(reports: Any) -> None:
    name, body = _download(
        reports,
        "section[aria-labelledby='by-day'] p.downloads a[type='text/csv']",
    )
    assert name == "compliance.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    api = _api(reports, "/api/v1/reports/compliance?" + RANGE + "&bucket=day")
    assert [(r["met"], r["breached"], r["open"]) for r in rows] == [
        (str(r["met"]), str(r["breached"]), str(r["open"])) for r in api["rows"]
    ]
    assert sum(int(r["met"]) + int(r["breached"]) for r in rows) > 0


def test_the_grouped_compliance_downloads_as_xlsx_with_the_apis_figures(reports: Any) -> None:
    name, body = _download(reports, "section[aria-labelledby='by-group'] p.downloads a:not([type])")
    assert name == "compliance.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(lines) if "met" in row)
    header = lines[header_at]
    table = [dict(zip(header, row, strict=False)) for row in lines[header_at + 1 :]]
    api = _api(reports, "/api/v1/reports/compliance?" + RANGE + "&by=group")
    assert [(r["group"], r["met"], r["breached"]) for r in table] == [
        (r["group"], r["met"], r["breached"]) for r in api["rows"]
    ]


def test_the_breaches_page_and_its_attribution_download(viewer_tab: Any) -> None:
    viewer_tab.open("/reports/breaches?" + RANGE)
    assert viewer_tab.page.locator("h1").inner_text() == "Breaches and pauses"
    api = _api(viewer_tab, "/api/v1/reports/attribution?" + RANGE)
    summary = viewer_tab.page.locator("#attribution ~ p").first.inner_text()
    assert f"Of {api['sla_breaches']} SLA breaches" in summary
    name, body = _download(
        viewer_tab, "section[aria-labelledby='attribution'] p.downloads a[type='text/csv']"
    )
    assert name == "attribution.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["ticket"] for r in rows] == [r["ticket"] for r in api["rows"]]
    assert not viewer_tab.errors


def test_the_dashboard_shows_the_overview_tiles_and_chart(viewer_tab: Any) -> None:
    viewer_tab.open("/")
    cards = viewer_tab.page.locator(".kept .card.rate")
    assert cards.count() == 3
    texts = [cards.nth(i).inner_text() for i in range(3)]
    assert "Compliance today" in texts[0] and "Compliance this week" in texts[1]
    assert all(("%" in t or "–" in t) and "met" in t for t in texts)
    bars = viewer_tab.page.locator("svg[aria-labelledby='overview-chart-title'] rect.bar")
    assert bars.count() == 30
    with viewer_tab.page.expect_navigation():
        viewer_tab.page.click("text=The figures by day, by group and the breach heatmap in Reports")
    assert "/reports?from=" in viewer_tab.page.url
