"""issue 24, "Reports": the breaches page (most breaches by policy, group and customer;
OLA attribution; pause usage) and the contract statements page (every customer's
statement for a period, each as HTML, PDF and CSV), with the figures of the service's
reports, downloads through the page session, bad parameters named, readers only."""

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
from slaclock.service.reports import report_instant
from slaclock.service.statements import all_statements

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DEMO = (Path(__file__).parents[2] / "demo" / "config.yaml").read_text()
Site = Any
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=30)
RANGE = {"from": "2026-03-02", "to": "2026-04-01", "tz": "UTC"}


@pytest.fixture
def loaded(site: Site) -> Site:
    """300 generated tickets of the demo configuration (OLAs, contracts) over March."""
    site.services.config_apply(DEMO, "test", START)
    events = list(generate_events(parse_config(DEMO), 300, 30, 3, START))
    assert not site.services.ingest(events, END).rejected
    site.clock.at = END
    return site


def _params() -> BreachParams:
    return BreachParams(
        start=report_instant("2026-03-02", "from", "UTC"),
        end=report_instant("2026-04-01", "to", "UTC"),
        as_of=END,
        tz="UTC",
    )


def _body_rows(html: str, css: str) -> list[list[str]]:
    body = html.split(f'<table class="{css}">', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_breaches_page_shows_the_services_figures(loaded: Site, text_of: Any) -> None:
    got = loaded.signed_in("viewer").get("/reports/breaches", params=RANGE)
    assert got.status_code == 200, got.text
    services = loaded.services
    top = services.breach_report("top", _params(), {}).rows
    names = {  # a customer's name as its tickets say (the report counts by id)
        t.customer: t.customer_name
        for t in (services.ticket(f"T-{n:06d}") for n in range(1, 301))
        if t is not None and t.customer_name
    }
    assert names
    for dimension in ("policy", "customer"):
        expected = [
            (str(r["rank"]), names.get(r["value"], r["value"]) if dimension == "customer"
             else r["value"], str(r["breached"]), str(r["judged"]))
            for r in top if r["dimension"] == dimension
        ]  # fmt: skip
        assert expected
        shown = [tuple(row[:4]) for row in _body_rows(got.text, f"report top-{dimension}")]
        assert shown == expected
    attribution = services.breach_report("attribution", _params(), {}).to_json()
    assert attribution["attributed"] >= 1  # the demo's OLAs are breached before some SLAs
    text = text_of(got.text)
    assert (
        f"Of {attribution['sla_breaches']} SLA breaches judged in this range, "
        f"{attribution['attributed']} had an internal team's OLA breached first." in text
    )
    pairs = _body_rows(got.text, "report attribution")
    assert [row[0] for row in pairs] == [row["ticket"] for row in attribution["rows"]][:50]
    pauses = services.breach_report("pauses", _params(), {}).to_json()
    by_assignee = [r for r in pauses["rows"] if r["dimension"] == "assignee"]
    shown = _body_rows(got.text, "report pauses-assignee")
    assert [int(row[1]) for row in shown] == [r["instances"] for r in by_assignee]
    assert f"of their life: {pauses['parked_total']}" in text


@pytest.mark.parametrize("view", ["top", "attribution", "pauses"])
def test_each_breach_view_downloads_with_the_reports_rows(loaded: Site, view: str) -> None:
    client = loaded.signed_in("viewer")
    page = client.get("/reports/breaches", params=RANGE).text
    links = re.findall(rf'href="(/reports/download\?view={view}&amp;[^"]+)"', page)
    assert len(links) == 2  # CSV and XLSX
    report = loaded.services.breach_report(view, _params(), {})
    got = client.get(links[0].replace("&amp;", "&"))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == len(report.rows)
    assert [r[report.columns[0].name] for r in rows] == [
        str(r[report.columns[0].name]) for r in report.rows
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(links[1].replace("&amp;", "&")).content)
    ).active
    assert sheet is not None and sheet.max_row >= len(report.rows) + 1


def test_the_statements_page_lists_every_customers_statement(loaded: Site) -> None:
    client = loaded.signed_in("viewer")
    got = client.get("/reports/statements", params={"period": "2026-03"})
    assert got.status_code == 200, got.text
    expected = all_statements(loaded.services, "2026-03", END)
    assert expected, "the demo's contracts apply to some customers in March"
    rows = _body_rows(got.text, "report statements")
    names = loaded.services.customer_names([s.customer for s in expected])
    assert names, "the generated customers have names"
    assert [(row[0], row[2], row[3]) for row in rows] == [
        (names.get(s.customer, s.customer), str(s.credit.met), str(s.credit.breached))
        for s in expected
    ]
    first = expected[0]
    links = re.findall(r'href="(/reports/statement\?[^"]+)"', got.text)
    pdf = next(
        link for link in links if "format=pdf" in link and f"customer={first.customer}" in link
    )
    answer = client.get(pdf.replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert answer.headers["content-disposition"].startswith("attachment;")
    html = client.get(pdf.replace("&amp;", "&").replace("format=pdf", "format=html"))
    assert html.status_code == 200 and first.customer in html.text
    every = client.get("/reports/statement", params={"period": "2026-03", "format": "csv"})
    customers = [row["customer"] for row in csv.DictReader(io.StringIO(every.text))]
    assert set(customers) == {s.customer for s in expected}


def test_the_default_period_is_last_month_in_the_viewers_zone(loaded: Site) -> None:
    loaded.clock.at = datetime(2026, 4, 30, 23, 30, tzinfo=UTC)  # 1 May in Amsterdam
    page = loaded.signed_in("viewer").get("/reports/statements", params={"tz": "Europe/Amsterdam"})
    assert 'name="period" value="2026-04"' in page.text
    page = loaded.signed_in("viewer").get("/reports/statements", params={"tz": "UTC"})
    assert 'name="period" value="2026-03"' in page.text


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("/reports/statements", {"period": "March"}, "period"),
        ("/reports/statement", {"period": "2026-03", "format": "docx"}, "Unknown format docx"),
        ("/reports/statement", {"period": "2026-03", "format": "pdf"}, "Choose a customer"),
        ("/reports/breaches", {"from": "yesterday"}, "from"),
    ],
)
def test_a_bad_parameter_is_named(
    loaded: Site, path: str, params: dict[str, str], words: str, text_of: Any
) -> None:
    got = loaded.signed_in("viewer").get(path, params=params)
    assert got.status_code == 400
    assert words in text_of(got.text)


def test_a_customer_without_a_contract_is_a_404(loaded: Site) -> None:
    got = loaded.signed_in("viewer").get(
        "/reports/statement", params={"period": "2026-03", "format": "pdf", "customer": "nobody"}
    )
    assert got.status_code == 404


def test_ingest_and_strangers_do_not(site: Site) -> None:
    client = site.browser()
    client.cookies.set("slaclock_token", site.tokens["ingest"], domain="dash.test")
    for path in (
        "/reports/breaches",
        "/reports/statements",
        "/reports/statement?period=2026-03&format=csv",
    ):
        assert client.get(path).status_code == 403
        stranger = site.browser().get(path, follow_redirects=False)
        assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
