"""issue 24: the reports page — compliance by day (an SVG chart and its table), by a
grouping, the weekday × hour heatmap, CSV and XLSX downloads with the same figures as
``Services.compliance``, bad parameters named on the page, readers only."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.breach_analysis import BreachParams
from slaclock.service.reports import ReportParams, report_instant

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
Site = Any
START = datetime(2026, 3, 2, tzinfo=UTC)
RANGE = {"from": "2026-03-02", "to": "2026-03-09", "tz": "UTC"}


@pytest.fixture
def loaded(site: Site) -> Site:
    """80 generated tickets over the week from Monday 2026-03-02, the clock at its end."""
    events = list(generate_events(parse_config(CONFIG), 80, 7, 3, START))
    assert not site.services.ingest(events, START + timedelta(days=7)).rejected
    site.clock.at = START + timedelta(days=7)
    return site


def _params(**more: Any) -> ReportParams:
    return ReportParams(
        start=report_instant("2026-03-02", "from", "UTC"),
        end=report_instant("2026-03-09", "to", "UTC"),
        as_of=START + timedelta(days=7),
        tz="UTC",
        **more,
    )


CELL = r"<t[hd][^>]*>(.*?)</t[hd]>"


def _table(html: str, css: str) -> list[list[str]]:
    body = html.split(f'<table class="{css}">', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_page_shows_the_services_figures(loaded: Site, text_of: Any) -> None:
    client = loaded.signed_in("viewer")
    got = client.get("/reports", params={**RANGE, "by": "priority"})
    assert got.status_code == 200, got.text
    text = text_of(got.text)
    for heading in ("Compliance by day", "Compliance by Priority", "Breaches by weekday and hour"):
        assert heading in text
    report = loaded.services.compliance(_params(by=("priority",)))
    rows = _table(got.text, "report grouped")
    assert sum(r["met"] + r["breached"] for r in report.rows) > 10
    assert [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows] == [
        (row["priority"] or "–", row["met"], row["breached"], row["open"]) for row in report.rows
    ]
    judged = [r for r in report.rows if r["compliance"] is not None]
    shown = {r[0]: r[4] for r in rows}
    for row in judged:
        assert shown[row["priority"]] == f"{round(100 * row['compliance'], 1)} %".replace(
            ".0 %", " %"
        )


def test_the_chart_has_one_bar_per_day_and_a_table_beside_it(loaded: Site) -> None:
    got = loaded.signed_in().get("/reports", params=RANGE)
    svg = got.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('<rect class="bar"') == 7
    daily = loaded.services.compliance(_params(bucket="day"))
    rows = _table(got.text, "report daily")
    assert [int(r[1]) for r in rows] == [row["met"] for row in daily.rows]
    assert "<script" not in svg and "style=" not in got.text


def test_the_heatmap_is_shaded_and_numbered(loaded: Site) -> None:
    got = loaded.signed_in().get("/reports", params=RANGE)
    rows = _table(got.text, "heatmap")
    assert len(rows) == 7 and all(len(r) == 25 for r in rows)
    params = BreachParams(start=_params().start, end=_params().end, as_of=_params().as_of)
    heatmap = loaded.services.breach_report("heatmap", params, {})
    assert sum(int(n) for r in rows for n in r[1:]) == sum(r["breached"] for r in heatmap.rows)
    assert re.search(r'class="shade-[1-4]">[1-9]', got.text)


def test_the_default_range_is_the_last_30_days(loaded: Site) -> None:
    got = loaded.signed_in().get("/reports", params={"tz": "UTC"})
    assert got.status_code == 200
    assert 'value="2026-02-08"' in got.text and 'value="2026-03-10"' in got.text
    svg = got.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('<rect class="bar"') == 30


def test_downloads_match_the_page(loaded: Site) -> None:
    client = loaded.signed_in("agent")
    report = loaded.services.compliance(_params(by=("group",)))
    query = {**RANGE, "view": "compliance", "by": "group"}
    as_csv = client.get("/reports/download", params={**query, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    read = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["group"], int(r["met"]), int(r["breached"])) for r in read] == [
        (r["group"] or "", r["met"], r["breached"]) for r in report.rows
    ]
    as_xlsx = client.get("/reports/download", params={**query, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    header = [cell.value for cell in sheet[2]]
    met = header.index("met") + 1
    assert [sheet.cell(line, met).value for line in range(3, 3 + len(report.rows))] == [
        r["met"] for r in report.rows
    ]
    heat = client.get("/reports/download", params={**RANGE, "view": "heatmap", "format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(heat.text)))) == 168
    daily = client.get("/reports/download", params={**RANGE, "view": "daily", "format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(daily.text)))) == 7


def test_the_page_links_its_downloads(loaded: Site) -> None:
    got = loaded.signed_in().get("/reports", params={**RANGE, "by": "plan"})
    links = re.findall(r'href="(/reports/download\?[^"]+)"', got.text)
    assert len(links) == 6
    for link in links:
        answer = loaded.signed_in().get(link.replace("&amp;", "&"))
        assert answer.status_code == 200, link


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"from": "yesterday"}, "from: 'yesterday'"),
        ({"from": "2026-03-09", "to": "2026-03-02"}, "to: "),
        ({"by": "colour"}, "by"),
    ],
)
def test_a_bad_parameter_is_named(
    loaded: Site, text_of: Any, params: dict[str, str], words: str
) -> None:
    got = loaded.signed_in().get("/reports", params=params)
    assert got.status_code == 400
    assert words in text_of(got.text)
    bad = loaded.signed_in().get(
        "/reports/download", params={**params, "view": "heatmap", "format": "csv"}
    )
    assert bad.status_code == 400
    wrong = loaded.signed_in().get("/reports/download", params={"view": "pie", "format": "csv"})
    assert wrong.status_code == 400 and "pie" in text_of(wrong.text)


@pytest.mark.parametrize("role", ["admin", "agent", "viewer"])
def test_readers_see_it_in_the_navigation(site: Site, role: str) -> None:
    got = site.signed_in(role).get("/reports")
    assert got.status_code == 200
    assert '<a href="/reports" aria-current="page">' in got.text


def test_ingest_and_strangers_do_not(site: Site) -> None:
    client = site.browser()
    client.cookies.set("slaclock_token", site.tokens["ingest"], domain="dash.test")
    for path in ("/reports", "/reports/download?view=heatmap&format=csv"):
        assert client.get(path).status_code == 403
        stranger = site.browser().get(path, follow_redirects=False)
        assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
