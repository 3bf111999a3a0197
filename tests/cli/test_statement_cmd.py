"""issue 23: ``slaclock report statement`` — the service's statements as JSON, CSV, HTML
and PDF; a customer no contract applies to, and bad parameters, exit 2 naming them."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.service.compose import open_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.statements import CONFIG_TEXT, Rows

MID = datetime(2026, 3, 12, 10, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """acme (enterprise): 20 instances judged in March 2026, 2 breached; freeco: none."""
    path = tmp_path_factory.mktemp("statement") / "db.sqlite"
    services = open_services(f"sqlite:///{path}", upgrade=True)
    services.config_apply(CONFIG_TEXT, "test", MID - timedelta(days=60))
    rows = Rows()
    for n in range(20):
        t = rows.ticket(f"acme-{n}", "acme")
        rows.judged(t, "resolution", "breached" if n < 2 else "met", MID + timedelta(hours=n))
    rows.ticket("F-1", "freeco", plan="free")
    rows.save(services.db.engine)
    services.close()
    return f"sqlite:///{path}"


def _run(url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(
        app,
        ["report", "statement", "--customer", "acme", "--period", "2026-03",
         "--as-of", "2026-04-10", "--database-url", url, *args],
    )  # fmt: skip
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.stderr


def test_json_and_csv_tell_the_same_statement(url: str) -> None:
    [body] = json.loads(_run(url))
    assert (body["customer"], body["contract"], body["period"]) == (
        "acme", "enterprise-eu", "2026-03")  # fmt: skip
    assert (body["met"], body["breached"], body["attainment"]) == (18, 2, 0.9)
    assert (body["credit_percent"], body["credit_amount"]) == (10, "500.00")
    assert body["as_of"] == "2026-04-10T00:00:00Z" and len(body["history"]) == 12
    read = list(csv.DictReader(io.StringIO(_run(url, "--format", "csv"))))
    assert read[0]["record"] == "summary" and read[0]["credit_amount"] == "500.00"
    assert [r["ticket"] for r in read if r["record"] == "breach"] == ["acme-0", "acme-1"]


def test_html_and_pdf_files(url: str, tmp_path: Path) -> None:
    page = tmp_path / "s.html"
    assert _run(url, "--format", "html", "--output", str(page)) == ""
    html = page.read_text()
    assert html.count('<circle class="point"') == 12 and "500.00 EUR" in html
    pdf = tmp_path / "s.pdf"
    _run(url, "--format", "pdf", "--output", str(pdf), "--contract", "enterprise-eu")
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--customer", "freeco"), "no contract applies to customer 'freeco' in '2026-03'"),
        (("--contract", "premium"), "contract 'premium' does not apply to customer 'acme'"),
        (("--period", "2026-3"), "--period: not a period: '2026-3'"),
        (("--contract", "gold"), "--contract: unknown contract 'gold'"),
        (("--as-of", "soon"), "--as-of: 'soon' is neither a date"),
        (("--format", "docx"), "--format: expected one of json, csv, html, pdf"),
        (("--format", "pdf"), "--format pdf needs --output FILE"),
    ],
)
def test_errors_exit_2_naming_the_problem(url: str, args: tuple[str, ...], words: str) -> None:
    assert words in _run(url, *args, code=2)
