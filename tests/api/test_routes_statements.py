"""issue 23: a customer's contract statements over the API — JSON of the spec's shape,
the same figures as CSV, an HTML page with the chart, a PDF; 404 for a customer no
contract applies to, 422 naming a bad parameter, readers only."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slaclock.api import create_app
from slaclock.api.roles import ROLES
from slaclock.service.compose import services_on

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.statements import CONFIG_TEXT, Rows

URL = "/api/v1/reports/statement"
MID = datetime(2026, 3, 12, 10, tzinfo=UTC)


@dataclass
class World:
    """The app on one database, with a token per role, and a fixed clock."""

    client: TestClient
    tokens: dict[str, str]

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(scope="module")
def loaded(module_db: Engine) -> World:
    """acme (enterprise and premium): 20 instances judged in March 2026, 3 breached;
    freeco (free plan): a ticket. The clock stands at April 10."""
    from slaclock.store.testing import clear

    clear(module_db)
    now = datetime(2026, 4, 10, tzinfo=UTC)
    services = services_on(module_db)
    services.config_apply(CONFIG_TEXT, "test", now - timedelta(days=60))
    rows = Rows()
    for n in range(20):
        t = rows.ticket(f"acme-{n}", "acme", premium=True)
        rows.judged(t, "first_response" if n % 2 else "resolution",
                    "breached" if n < 3 else "met", MID + timedelta(hours=n),
                    overdue=600)  # fmt: skip
    rows.ticket("F-1", "freeco", plan="free")
    rows.save(module_db)
    tokens = {role: services.tokens.create(role, role, now)[1] for role in ROLES}
    app = create_app(services, lambda: now, environ={})
    return World(TestClient(app, raise_server_exceptions=False), tokens)


def test_statements_as_json_csv_html_and_pdf(loaded: World) -> None:
    api = loaded
    query = {"customer": "acme", "period": "2026-03"}
    got = api.client.get(URL, params=query, headers=api.headers("viewer"))
    assert got.status_code == 200, got.text
    enterprise, premium = got.json()
    assert (enterprise["contract"], premium["contract"]) == ("enterprise-eu", "premium")
    assert enterprise["from"] == "2026-02-28T23:00:00Z" and enterprise["to"] == (
        "2026-03-31T22:00:00Z")  # fmt: skip
    assert (enterprise["met"], enterprise["breached"], enterprise["attainment"]) == (17, 3, 0.85)
    assert (enterprise["credit_percent"], enterprise["credit_amount"]) == (25, "1250.00")
    assert (premium["met"], premium["breached"], premium["credit_amount"]) == (9, 1, "0.00")
    assert enterprise["as_of"] == "2026-04-10T00:00:00Z" and len(enterprise["history"]) == 12
    assert [b["overdue_seconds"] for b in enterprise["breaches"]] == [600, 600, 600]

    as_csv = api.client.get(URL, params={**query, "format": "csv"}, headers=api.headers())
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="statement-acme-2026-03.csv"' in as_csv.headers["content-disposition"]
    read = list(csv.DictReader(io.StringIO(as_csv.text)))
    summaries = [r for r in read if r["record"] == "summary"]
    assert [(r["contract"], r["credit_amount"]) for r in summaries] == [
        ("enterprise-eu", "1250.00"), ("premium", "0.00")]  # fmt: skip

    page = api.client.get(URL, params={**query, "format": "html"}, headers=api.headers())
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count('<circle class="point"') == 24 and "1250.00 EUR" in page.text

    pdf = api.client.get(URL, params={**query, "format": "pdf", "contract": "enterprise-eu"},
                         headers=api.headers("agent"))  # fmt: skip
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"%%EOF" in pdf.content[-32:]


def test_as_of_sets_the_verdicts(loaded: World) -> None:
    api = loaded
    early = {"customer": "acme", "period": "2026-03", "as_of": "2026-03-12T12:30:00Z"}
    [enterprise, _] = api.client.get(URL, params=early, headers=api.headers()).json()
    assert (enterprise["met"], enterprise["breached"]) == (0, 3)  # stopped by 12:30
    assert enterprise["as_of"] == "2026-03-12T12:30:00Z"


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"customer": "freeco", "period": "2026-03"}, 404, "no contract applies to customer"),
        ({"customer": "nobody", "period": "2026-03"}, 404, "no contract applies"),
        ({"customer": "freeco", "period": "2026-03", "contract": "premium"}, 404,
         "contract 'premium' does not apply"),
        ({"customer": "acme", "period": "2026-13"}, 422, "period: not a period"),
        ({"customer": "acme", "period": "2026-03", "contract": "gold"}, 422,
         "contract: unknown contract 'gold'"),
        ({"customer": "acme", "period": "2026-Q1"}, 404, "no contract applies"),  # quarterly
        ({"customer": "acme", "period": "2026-Q1", "contract": "premium"}, 422,
         "period: '2026-Q1' is a quarter; the contracts run by month"),
        ({"customer": "acme", "period": "2026-03", "as_of": "yesterday"}, 422, "as_of:"),
        ({"customer": "acme", "period": "2026-03", "format": "docx"}, 422, "format"),
        ({"period": "2026-03"}, 422, "customer"),
    ],
)  # fmt: skip
def test_errors_are_problems_naming_what_is_wrong(
    loaded: World, params: dict[str, str], status: int, words: str
) -> None:
    got = loaded.client.get(URL, params=params, headers=loaded.headers())
    assert got.status_code == status, got.text
    assert got.headers["content-type"].startswith("application/problem+json")
    assert words in got.text


def test_only_readers_may_read_statements(loaded: World) -> None:
    query = {"customer": "acme", "period": "2026-03"}
    assert loaded.client.get(URL, params=query, headers=loaded.headers("ingest")).status_code == (
        403)  # fmt: skip
    assert loaded.client.get(URL, params=query).status_code == 401
