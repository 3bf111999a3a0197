"""issue 23, "Contract statements": each statement's counts, attainment, tier and credit
equal the same figures computed in plain Python from the stored rows, on SQLite and
PostgreSQL — each tier boundary (attainment exactly at ``below``), the cap, exclusions,
a period with nothing judged, half-even cents, a customer with two contracts, one with
none, month bounds across Amsterdam's DST changes, the 12 periods of the chart, breaches
still running; and a generated workload through ingest. The renderers: JSON of the
spec's shape, CSV read back, HTML with the chart's 12 points, PDF with the text."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.core.config import parse_config
from slaclock.core.model import Config, Contract
from slaclock.core.workload import generate_events
from slaclock.service.compose import services_on
from slaclock.service.ingest import Limits
from slaclock.service.reports import ReportError
from slaclock.service.statements import (
    STATEMENT_COLUMNS,
    Statement,
    rendered,
    statement,
    statements_for_all,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.statements import CONFIG_TEXT, CONTRACTS, EXAMPLE, Rows, expected

CONFIG = parse_config(CONFIG_TEXT)
CONTRACT = {c.id: c for c in CONFIG.contracts}
AS_OF = datetime(2026, 4, 10, tzinfo=UTC)
MID = datetime(2026, 3, 12, 10, tzinfo=UTC)


def run(db: Engine, customer: str, label: str = "2026-03", **kw: Any) -> list[Statement]:
    services = services_on(db)
    with services.db.reading() as tx:
        return statement(tx, CONFIG, customer, label, kw.pop("as_of", AS_OF), **kw)


def check_plain(db: Engine, s: Statement, as_of: datetime = AS_OF) -> dict[str, Any]:
    """``s`` agrees with the plain-Python figures of its contract, customer and period."""
    want = expected(db, s.contract, s.customer, s.period.start, s.period.end, as_of)
    assert (s.credit.met, s.credit.breached) == (want["met"], want["breached"])
    assert s.credit.attainment == want["attainment"]
    assert {m.metric: (m.met, m.breached) for m in s.metrics} == want["metrics"]
    assert {(b.ticket, b.metric, b.judged_at) for b in s.breaches} == want["breaches"]
    assert (s.credit.rate, s.credit.amount) == (want["credit_rate"], want["credit_amount"])
    return want


def twenty(rows: Rows, customer: str, breached: int, **ticket: Any) -> None:
    """20 judged instances in March, ``breached`` of them late, half of each metric."""
    for n in range(20):
        t = rows.ticket(f"{customer}-{n}", customer, **ticket)
        metric = "first_response" if n % 2 else "resolution"
        verdict = "breached" if n < breached else "met"
        rows.judged(t, metric, verdict, MID + timedelta(hours=n), overdue=900 * (n + 1))


# ------------------------------------------------------------------ tiers and cap


@pytest.mark.parametrize(
    ("breached", "below", "percent", "amount"),
    [
        (0, None, 0, "0.00"),
        (1, None, 0, "0.00"),  # 95% exactly: not below 95%
        (2, "0.95", 10, "500.00"),  # 90% exactly: below 95%, not below 90%
        (3, "0.90", 25, "1250.00"),
        (4, "0.90", 25, "1250.00"),  # 80% exactly: not below 80%
        (5, "0.80", 40, "2000.00"),  # the 50% tier, capped at 40%
    ],
)
def test_each_tier_boundary_and_the_cap(
    db: Engine, breached: int, below: str | None, percent: int, amount: str
) -> None:
    rows = Rows()
    twenty(rows, "acme", breached)
    rows.save(db)
    [s] = run(db, "acme")
    check_plain(db, s)
    assert s.credit.attainment == Fraction(20 - breached, 20)
    assert (None if s.credit.tier is None else str(s.credit.tier.below)) == below
    body = s.to_json()
    assert body["credit_percent"] == percent and isinstance(body["credit_percent"], int)
    assert body["credit_amount"] == amount and body["currency"] == "EUR"
    assert body["attainment"] == round((20 - breached) / 20, 5)
    assert body["met"] + body["breached"] == 20 and len(body["breaches"]) == breached


def test_the_json_has_the_spec_shape(db: Engine) -> None:
    rows = Rows()
    for n in range(44):  # the spec's example: 41 met, 3 breached
        t = rows.ticket(f"T-{n}", "acme")
        rows.judged(t, "first_response" if n < 21 else "resolution",
                    "breached" if n in (0, 30, 31) else "met", MID + timedelta(minutes=n),
                    overdue=5400)  # fmt: skip
    rows.save(db)
    [s] = run(db, "acme")
    body = s.to_json()
    assert {k: body[k] for k in ("customer", "contract", "period", "from", "to", "met",
                                 "breached", "attainment", "target", "credit_percent",
                                 "credit_amount", "currency")} == {
        "customer": "acme", "contract": "enterprise-eu", "period": "2026-03",
        "from": "2026-02-28T23:00:00Z", "to": "2026-03-31T22:00:00Z", "met": 41,
        "breached": 3, "attainment": 0.93182, "target": 0.95, "credit_percent": 10,
        "credit_amount": "500.00", "currency": "EUR",
    }  # fmt: skip
    assert body["metrics"] == {
        "first_response": {"met": 20, "breached": 1, "attainment": 0.95238},
        "resolution": {"met": 21, "breached": 2, "attainment": 0.91304},
    }
    first = body["breaches"][0]
    assert first == {
        "ticket": "T-0", "metric": "first_response", "cycle": 0,
        "due_at": "2026-03-12T08:30:00Z", "stopped_at": "2026-03-12T10:00:00Z",
        "judged_at": "2026-03-12T10:00:00Z", "overdue_seconds": 5400,
    }  # fmt: skip
    assert [b["ticket"] for b in body["breaches"]] == ["T-0", "T-30", "T-31"]
    assert body["fee"] == {"amount": "5000.00", "currency": "EUR"}
    assert body["tier"] == {"below": 0.95, "credit": 0.1} and body["cap"] == 0.4
    assert len(body["history"]) == 12 and body["history"][-1]["period"] == "2026-03"


# ------------------------------------------------------------ what a statement counts


def test_exclusions_other_plans_olas_cancelled_and_later_verdicts_are_left_out(
    db: Engine,
) -> None:
    rows = Rows()
    twenty(rows, "acme", 1)  # 19 met, 1 breached: 95%, no credit
    caused = rows.ticket("X-1", "acme", tags=["customer_caused"])
    rows.judged(caused, "resolution", "breached", MID, overdue=60)
    other = rows.ticket("X-2", "acme", plan="pro")  # the customer's ticket on another plan
    rows.judged(other, "resolution", "breached", MID, overdue=60)
    rows.judged(rows.ticket("X-3", "acme"), "engineering_triage", "breached", MID, overdue=1)
    rows.judged(rows.ticket("X-4", "acme"), "first_response", "breached", MID, kind="ola")
    rows.judged(rows.ticket("X-5", "acme"), "first_response", "met", MID, state="cancelled")
    rows.judged(rows.ticket("X-6", "acme"), "resolution", "breached", AS_OF + timedelta(1))
    moved = rows.ticket("X-7", "bolt")  # judged while the ticket was acme's
    rows.judged(moved, "resolution", "breached", MID, customer="acme")
    rows.save(db)
    [s] = run(db, "acme")
    want = check_plain(db, s)
    assert (want["met"], want["breached"]) == (19, 2)
    assert {b.ticket for b in s.breaches} == {"acme-0", "X-7"}
    assert s.credit.percent == 10  # 19/21, without the exclusions 19/22 and more


def test_a_period_with_nothing_judged_is_100_percent_and_owes_nothing(db: Engine) -> None:
    rows = Rows()
    rows.ticket("T-1", "acme", created=datetime(2026, 1, 5, tzinfo=UTC))
    rows.judged("T-1", "resolution", "breached", datetime(2026, 1, 6, tzinfo=UTC))
    rows.save(db)
    [s] = run(db, "acme")
    check_plain(db, s)
    body = s.to_json()
    assert (body["met"], body["breached"], body["attainment"]) == (0, 0, 1.0)
    assert (body["credit_percent"], body["credit_amount"], body["tier"]) == (0, "0.00", None)
    assert body["metrics"] == {m: {"met": 0, "breached": 0, "attainment": 1.0}
                               for m in ("first_response", "resolution")}  # fmt: skip
    assert body["breaches"] == []
    assert body["history"][-3]["attainment"] == 0.0  # January
    # a customer whose first ticket came after the period has no statement for it
    assert run(db, "acme", "2025-12") == []


def test_credit_amounts_are_rounded_half_even_to_cents(db: Engine) -> None:
    rows = Rows()
    for n in range(10):  # 80% < 90%: 10% of 100.25 = 10.025 -> 10.02 (half-even)
        t = rows.ticket(f"P-{n}", "pico", plan="pro", premium=True)
        rows.judged(t, "first_response", "breached" if n < 2 else "met", MID)
        rows.judged(t, "resolution", "breached", MID)  # not one of its metrics
    rows.save(db)
    [s] = run(db, "pico")
    check_plain(db, s)
    assert s.contract.id == "premium"
    assert s.credit.amount == Decimal("10.02") and s.to_json()["credit_amount"] == "10.02"


def test_a_customer_with_two_contracts_gets_two_statements(db: Engine) -> None:
    rows = Rows()
    twenty(rows, "acme", 3, premium=True)
    rows.save(db)
    both = run(db, "acme")
    assert [s.contract.id for s in both] == ["enterprise-eu", "premium"]
    for s in both:
        check_plain(db, s)
    assert both[1].credit.breached == 1  # first_response only: ticket 1 of 0, 1, 2
    [only] = run(db, "acme", contract="premium")
    assert only.to_json() == both[1].to_json()


def test_a_customer_no_contract_applies_to_gets_none(db: Engine) -> None:
    rows = Rows()
    twenty(rows, "freeco", 3, plan="free")
    rows.save(db)
    assert run(db, "freeco") == []
    assert run(db, "nobody") == []
    assert run(db, "freeco", contract="enterprise-eu") == []


def test_statements_for_all_covers_every_customer_of_every_contract(db: Engine) -> None:
    rows = Rows()
    twenty(rows, "acme", 2, premium=True)
    twenty(rows, "bolt", 0)
    twenty(rows, "freeco", 5, plan="free")
    rows.ticket("quiet", "quietco", plan="pro", premium=True)
    rows.save(db)
    services = services_on(db)
    with services.db.reading() as tx:
        found = statements_for_all(tx, CONFIG, "2026-03", AS_OF)
    assert [(s.customer, s.contract.id) for s in found] == [
        ("acme", "enterprise-eu"), ("acme", "premium"), ("bolt", "enterprise-eu"),
        ("quietco", "premium"),
    ]  # fmt: skip
    for s in found:
        check_plain(db, s)
        assert s.to_json() == run(db, s.customer, contract=s.contract.id)[0].to_json()


# -------------------------------------------------------------- periods and history


def test_month_bounds_follow_amsterdam_across_dst(db: Engine) -> None:
    rows = Rows()
    t = rows.ticket("T-1", "acme")
    second = timedelta(seconds=1)
    edges = [
        datetime(2026, 2, 28, 23, tzinfo=UTC),  # March 1st, 00:00 CET
        datetime(2026, 3, 31, 22, tzinfo=UTC),  # April 1st, 00:00 CEST
        datetime(2026, 9, 30, 22, tzinfo=UTC),  # October 1st, 00:00 CEST
        datetime(2026, 10, 31, 23, tzinfo=UTC),  # November 1st, 00:00 CET
    ]
    for edge in edges:
        rows.judged(t, "resolution", "breached", edge - second)  # the month before
        rows.judged(t, "resolution", "met", edge)  # the month from the edge
    rows.save(db)
    late = datetime(2026, 12, 1, tzinfo=UTC)
    by_month = {}
    for label in ("2026-02", "2026-03", "2026-04", "2026-09", "2026-10", "2026-11"):
        [s] = run(db, "acme", label, as_of=late)
        check_plain(db, s, late)
        by_month[label] = (s.credit.met, s.credit.breached)
    assert by_month == {"2026-02": (0, 1), "2026-03": (1, 1), "2026-04": (1, 0),
                        "2026-09": (0, 1), "2026-10": (1, 1), "2026-11": (1, 0)}  # fmt: skip
    [october] = run(db, "acme", "2026-10", as_of=late)
    assert (october.to_json()["from"], october.to_json()["to"]) == (
        "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z")  # fmt: skip


def test_the_history_holds_the_last_12_periods(db: Engine) -> None:
    rows = Rows()
    t = rows.ticket("T-1", "acme")
    x = rows.ticket("X-1", "acme", tags=["customer_caused"])
    for (year, month), (met, breached) in {(2026, 2): (3, 1), (2025, 6): (1, 1),
                                           (2025, 12): (0, 2)}.items():  # fmt: skip
        at = datetime(year, month, 10, tzinfo=UTC)
        for n in range(met + breached):
            rows.judged(t, "resolution", "met" if n < met else "breached", at)
        rows.judged(x, "resolution", "breached", at)  # excluded
    rows.judged(t, "first_response", "breached", datetime(2025, 3, 10, tzinfo=UTC))  # 13th
    rows.judged(t, "first_response", "met", MID)
    rows.save(db)
    [s] = run(db, "acme")
    labels = [h.period.label for h in s.history]
    assert labels == [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    got = {h.period.label: (h.met, h.breached) for h in s.history if h.met + h.breached}
    assert got == {"2025-06": (1, 1), "2025-12": (0, 2), "2026-02": (3, 1), "2026-03": (1, 0)}
    for h in s.history:  # each period as its own statement
        want = expected(db, s.contract, "acme", h.period.start, h.period.end, AS_OF)
        assert (h.met, h.breached) == (want["met"], want["breached"])
    assert s.to_json()["history"][7] == {
        "period": "2025-11", "from": "2025-10-31T23:00:00Z", "to": "2025-11-30T23:00:00Z",
        "met": 0, "breached": 0, "attainment": 1.0,
    }  # fmt: skip


def test_a_quarterly_contract_and_labels_of_the_other_kind(db: Engine) -> None:
    rows = Rows()
    t = rows.ticket("U-1", "usco", plan="pro", region="US")
    rows.judged(t, "resolution", "met", datetime(2026, 1, 1, 5, tzinfo=UTC))  # Q1 in New York
    rows.judged(t, "resolution", "breached", datetime(2026, 1, 1, 4, tzinfo=UTC))  # Q4 there
    rows.save(db)
    [s] = run(db, "usco", "2026-Q1")
    check_plain(db, s)
    assert (s.credit.met, s.credit.breached, s.to_json()["from"]) == (
        1, 0, "2026-01-01T05:00:00Z")  # fmt: skip
    assert [h.period.label for h in s.history][-2:] == ["2025-Q4", "2026-Q1"]
    assert run(db, "usco", "2026-03") == []  # a month: the monthly contracts only
    with pytest.raises(ReportError, match=r"^period: '2026-03' is a month"):
        run(db, "usco", "2026-03", contract="us-quarterly")


def test_breaches_still_running_are_late_as_far_as_as_of(db: Engine) -> None:
    rows = Rows()
    t = rows.ticket("T-1", "acme")
    due = datetime(2026, 3, 20, 9, tzinfo=UTC)
    rows.running_breach(t, "resolution", due, projected=due + timedelta(hours=1))
    stopped_later = rows.ticket("T-2", "acme")
    rows.judged(stopped_later, "resolution", "breached", due + timedelta(hours=5), overdue=18000)
    rows.save(db)
    as_of = due + timedelta(hours=2)
    [s] = run(db, "acme", as_of=as_of)
    check_plain(db, s, as_of)
    assert [
        (b.ticket, b.due_at, b.stopped_at, b.judged_at, b.overdue_seconds) for b in s.breaches
    ] == [("T-1", due, None, due, 7200), ("T-2", due, None, due, 7200)]
    [later] = run(db, "acme", as_of=AS_OF)
    overdue = int((AS_OF - due).total_seconds())  # 24x7: open time is wall time
    assert [(b.ticket, b.stopped_at, b.overdue_seconds) for b in later.breaches] == [
        ("T-1", None, overdue), ("T-2", due + timedelta(hours=5), 18000)]  # fmt: skip


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        (dict(label="2026-13"), r"^period: not a period: '2026-13'"),
        (dict(label="March"), r"^period: not a period"),
        (dict(contract="gold"), r"^contract: unknown contract 'gold'; expected enterprise-eu"),
        (dict(customer=" "), r"^customer: expected a customer id"),
        (dict(as_of=datetime(2026, 4, 1)), r"^as_of: .* has no time zone offset"),
        (dict(label="2026-Q1", contract="premium"), r"^period: '2026-Q1' is a quarter"),
    ],
)
def test_bad_parameters_are_named(db: Engine, kw: dict[str, Any], words: str) -> None:
    kw = dict(kw)
    with pytest.raises(ReportError, match=words):
        run(db, kw.pop("customer", "acme"), kw.pop("label", "2026-03"), **kw)


def test_a_configuration_without_contracts_has_no_statements(db: Engine) -> None:
    bare = parse_config(CONFIG_TEXT.split("\ncontracts:")[0])
    services = services_on(db)
    with services.db.reading() as tx:
        assert statement(tx, bare, "acme", "2026-03", AS_OF) == []
        assert statements_for_all(tx, bare, "2026-Q2", AS_OF) == []
        with pytest.raises(ReportError, match=r"^period: not a period"):
            statement(tx, bare, "acme", "2026-3", AS_OF)


# ---------------------------------------------------------------- a real workload


@pytest.fixture
def generated(db: Engine) -> Iterator[tuple[Engine, Config]]:
    """150 generated tickets from January 20 to April 10, 2026; contracts on the
    workload's plans, leaving out its feature requests."""
    contracts = CONTRACTS.replace(
        "{field: customer.plan, op: eq, value: enterprise}",
        "{field: customer.plan, op: in, value: [enterprise, business]}",
    ).replace("value: customer_caused", "value: feature-request")
    text = EXAMPLE + contracts
    config = parse_config(text)
    services = services_on(db)
    services.limits = Limits(future_skew=timedelta(days=400))
    start = datetime(2026, 1, 20, tzinfo=UTC)
    services.config_apply(text, "test", start - timedelta(days=1))
    events = list(generate_events(config, 150, 80, 11, start))
    assert not services.ingest(events, AS_OF).rejected
    yield db, config


def test_a_generated_workload_agrees_with_plain_python(
    generated: tuple[Engine, Config],
) -> None:
    db, config = generated
    contract: Contract = config.contracts[0]
    assert contract.exclude is not None
    services = services_on(db)
    with services.db.reading() as tx:
        found = statements_for_all(tx, config, "2026-03", AS_OF, contract="enterprise-eu")
    assert len(found) >= 5
    judged = 0
    for s in found:
        check_plain(db, s)
        judged += s.credit.met + s.credit.breached
        for h in s.history[:-1]:
            want = expected(db, contract, s.customer, h.period.start, h.period.end, AS_OF)
            assert (h.met, h.breached) == (want["met"], want["breached"])
    assert judged > 30 and any(s.breaches for s in found)


# ---------------------------------------------------------------------- renderers


@pytest.fixture
def two(db: Engine) -> list[Statement]:
    rows = Rows()
    twenty(rows, "acme", 3, premium=True)
    rows.judged("acme-0", "resolution", "breached", datetime(2025, 11, 3, tzinfo=UTC))
    rows.save(db)
    return run(db, "acme")


def test_rendered_json_and_csv(two: list[Statement]) -> None:
    import orjson

    body, media = rendered(two, "json")
    assert media == "application/json"
    assert orjson.loads(body) == [s.to_json() for s in two]
    text, media = rendered(two, "csv")
    assert media.startswith("text/csv")
    read = list(csv.DictReader(io.StringIO(text.decode())))
    first = [r for r in read if r["contract"] == "enterprise-eu"]
    assert [r["record"] for r in first] == (
        ["summary"] + ["metric"] * 2 + ["breach"] * 3 + ["history"] * 12)  # fmt: skip
    summary = first[0]
    assert (summary["met"], summary["breached"], summary["credit_amount"]) == ("17", "3", "1250.00")
    assert (summary["attainment"], summary["attainment_pct"]) == ("0.85", "85.00%")
    assert summary["from"] == "2026-03-01T00:00:00+01:00" and summary["fee"] == "5000"
    breach = first[3]
    assert (breach["ticket"], breach["overdue_seconds"], breach["overdue"]) == (
        "acme-0", "900", "15m")  # fmt: skip
    assert next(r["period"] for r in first if r["record"] == "history") == "2025-04"
    assert len(read[0]) == len(STATEMENT_COLUMNS) + 3  # the readable twins


def test_rendered_html_has_the_chart_with_12_points(two: list[Statement]) -> None:
    page, media = rendered(two, "html")
    html = page.decode()
    assert media.startswith("text/html") and html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 2 and html.count('<circle class="point"') == 24
    assert html.count("<polyline") == 2 and html.count('class="target"') == 2
    assert "1250.00 EUR" in html and "10.02 EUR" not in html and "Enterprise support, EU" in html
    assert "acme-0" in html and "2025-11: 0%" in html and "target 95%" in html
    assert "break-after: page" in html


def test_rendered_pdf_has_the_text_and_is_reproducible(two: list[Statement]) -> None:
    from pypdf import PdfReader

    body, media = rendered(two, "pdf")
    assert media == "application/pdf" and body.startswith(b"%PDF")
    assert rendered(two, "pdf")[0] == body
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "acme" in text and "1250.00 EUR" in text
    assert "Enterprise support, EU" in text and "Premium first response" in text
    assert "2025-04" in text and "2026-03" in text  # the chart's first and last labels
    empty, _ = rendered([], "pdf")
    assert empty.startswith(b"%PDF")


def test_an_unknown_format_is_named(two: list[Statement]) -> None:
    with pytest.raises(ReportError, match=r"^format: 'docx'"):
        rendered(two, "docx")
