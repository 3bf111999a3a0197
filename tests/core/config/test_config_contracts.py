"""The ``contracts:`` section (reports.md, "Contracts and service credits"): the spec's
example loads; each error names its line, key path and value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock.core.config import config_from_mapping, parse_config
from slaclock.core.model import Condition, ConditionGroup, Contract, CreditTier, Fee

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any
Where = Callable[[str, str], int]

#: The example of reports.md, one key a line so that problems can name their line.
EXAMPLE = """\
contracts:
  - id: enterprise-eu
    name: Enterprise support, EU
    customers: {all: [{field: customer.plan, op: eq, value: enterprise}]}
    period: month
    tz: Europe/Amsterdam
    fee: {amount: 5000, currency: EUR}
    metrics: [first_response, resolution]
    target: 95%
    credits:
      - {below: 95%, credit: 10%}
      - {below: 90%, credit: 25%}
      - {below: 80%, credit: 50%}
    cap: 50%
    exclude: {any: [{field: tags, op: contains, value: customer_caused}]}
"""


def contract(*edits: tuple[str, str]) -> str:
    """The whole file with the example contract, each ``(old, new)`` of it replaced once."""
    text = EXAMPLE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return BASE + POLICY + text


def test_the_spec_example_loads() -> None:
    (loaded,) = parse_config(contract()).contracts
    assert loaded == Contract(
        id="enterprise-eu",
        name="Enterprise support, EU",
        customers=ConditionGroup(all=(Condition("customer.plan", "eq", "enterprise"),)),
        period="month",
        tz=ZoneInfo("Europe/Amsterdam"),
        fee=Fee(Decimal("5000"), "EUR"),
        metrics=("first_response", "resolution"),
        target=Decimal("0.95"),
        credits=(
            CreditTier(Decimal("0.95"), Decimal("0.10")),
            CreditTier(Decimal("0.90"), Decimal("0.25")),
            CreditTier(Decimal("0.80"), Decimal("0.50")),
        ),
        cap=Decimal("0.50"),
        exclude=ConditionGroup(any=(Condition("tags", "contains", "customer_caused"),)),
    )


def test_optional_keys_default() -> None:
    text = contract(
        ("    name: Enterprise support, EU\n", ""),
        ("    cap: 50%\n", ""),
        ("    exclude: {any: [{field: tags, op: contains, value: customer_caused}]}\n", ""),
    )
    (loaded,) = parse_config(text).contracts
    assert (loaded.name, loaded.cap, loaded.exclude) == ("enterprise-eu", Decimal(1), None)


def test_no_contracts_is_no_contracts() -> None:
    assert parse_config(BASE + POLICY).contracts == ()
    assert parse_config(BASE + POLICY + "contracts: []\n").contracts == ()


@pytest.mark.parametrize(
    ("written", "fraction"),
    [("0%", "0"), ("100%", "1"), ("99.95%", "0.9995"), ("12.345678%", "0.12345678")],
)
def test_percentages_are_exact_fractions(written: str, fraction: str) -> None:
    (loaded,) = parse_config(contract(("target: 95%", f"target: {written!r}"))).contracts
    assert loaded.target == Decimal(fraction)


@pytest.mark.parametrize(
    ("written", "amount"),
    [("5000", "5000"), ("4999.99", "4999.99"), ("'4999.99'", "4999.99"), ("0", "0")],
)
def test_fee_amounts_are_exact_decimals(written: str, amount: str) -> None:
    (loaded,) = parse_config(contract(("amount: 5000", f"amount: {written}"))).contracts
    assert loaded.fee.amount == Decimal(amount)
    assert str(loaded.fee.amount) == amount


def test_a_quarterly_contract_on_a_custom_metric() -> None:
    metrics = "metrics:\n  handover:\n    start: [{event: created}]\n    stop: [{event: solved}]\n"
    text = contract(
        ("period: month", "period: quarter"), ("[first_response, resolution]", "[handover]")
    )
    (loaded,) = parse_config(text + metrics).contracts
    assert (loaded.period, loaded.metrics) == ("quarter", ("handover",))


def test_json_and_already_parsed_data_load_too() -> None:
    mapping = {
        "policies": [{"id": "p", "calendar": "c", "targets": {}}],
        "calendars": [{"id": "c", "tz": "UTC", "always_open": True}],
        "contracts": [
            {
                "id": "c1",
                "customers": {},
                "period": "quarter",
                "tz": "America/Sao_Paulo",
                "fee": {"amount": "120.50", "currency": "BRL"},
                "metrics": ["resolution"],
                "target": "99%",
                "credits": [{"below": "99%", "credit": "5%"}],
            }
        ],
    }
    (loaded,) = config_from_mapping(mapping).contracts
    assert (loaded.fee, loaded.tz.key, loaded.customers) == (
        Fee(Decimal("120.50"), "BRL"),
        "America/Sao_Paulo",
        ConditionGroup(),
    )


# ------------------------------------------------------------------------- errors


def test_contracts_must_be_a_list(find: Finder) -> None:
    text = BASE + POLICY + "contracts: {id: x}\n"
    find.expect(text, "contracts", "contracts:", {"id": "x"}, "expected a list")


TIERS = EXAMPLE[EXAMPLE.index("    credits:") : EXAMPLE.index("    cap:")]


def error(old: str, new: str, path: str, needle: str, value: object, says: str, name: str) -> Any:
    """One case of :func:`test_each_error_names_its_place`."""
    return pytest.param((old, new), path, needle, value, says, id=name)


@pytest.mark.parametrize(
    ("edit", "path", "needle", "value", "says"),
    [
        error("id: enterprise-eu", "id: Enterprise EU", "contracts[0].id", "Enterprise EU",
              "Enterprise EU", "[a-z0-9_-]+", "bad id"),
        error("id: enterprise-eu", "id: ''", "contracts[0].id", "id: ''", "", "[a-z0-9_-]+",
              "empty id"),
        error("name: Enterprise support, EU", "name: ''", "contracts[0].name", "name: ''", "",
              "expected a name", "empty name"),
        error("    period: month\n", "", "contracts[0]", "- id: enterprise-eu", None,
              "missing required key 'period'", "missing key"),
        error("    cap: 50%\n", "    cap: 50%\n    ceiling: 60%\n", "contracts[0].ceiling",
              "ceiling", "ceiling", "unknown key 'ceiling'", "unknown key"),
        error("op: eq, value: enterprise", "op: equals, value: enterprise",
              "contracts[0].customers.all[0].op", "customers:", "equals", "operator",
              "customers condition"),
        error("op: contains, value: customer_caused", "op: contains",
              "contracts[0].exclude.any[0].value", "exclude:", None, "needs a value",
              "exclude condition"),
        error("period: month", "period: year", "contracts[0].period", "period: year", "year",
              "month, quarter", "period"),
        error("fee: {amount: 5000, currency: EUR}", "fee: {amount: 5000}", "contracts[0].fee",
              "fee:", None, "missing required key 'currency'", "fee without currency"),
        error("[first_response, resolution]", "[first_response, resolutoin]",
              "contracts[0].metrics[1]", "metrics:", "resolutoin", "built-in metric",
              "unknown metric"),
        error("[first_response, resolution]", "[]", "contracts[0].metrics", "metrics:", [],
              "at least one metric", "no metrics"),
        error("[first_response, resolution]", "[resolution, resolution]",
              "contracts[0].metrics[1]", "metrics:", "resolution", "listed twice",
              "metric twice"),
        error("cap: 50%", "cap: 150%", "contracts[0].cap", "cap:", "150%",
              "between 0% and 100%", "cap over 100%"),
        error(TIERS, "    credits: []\n", "contracts[0].credits", "credits:", [],
              "at least one tier", "no tiers"),
        error("{below: 90%, credit: 25%}", "{below: 90%, credit: 25}",
              "contracts[0].credits[1].credit", "below: 90%", 25, "ambiguous",
              "credit without %"),
        error("{below: 90%, credit: 25%}", "{below: 95%, credit: 25%}",
              "contracts[0].credits[1].below", "credit: 25%", "95%",
              "lower than the tier before's (95%)", "below not decreasing"),
        error("{below: 80%, credit: 50%}", "{below: 80%, credit: 25%}",
              "contracts[0].credits[2].credit", "below: 80%", "25%",
              "greater than the tier before's (25%)", "credit not increasing"),
    ],
)  # fmt: skip
def test_each_error_names_its_place(
    find: Finder, edit: tuple[str, str], path: str, needle: str, value: object, says: str
) -> None:
    find.expect(contract(edit), path, needle, value, says)


def test_duplicate_id(find: Finder) -> None:
    text = contract() + EXAMPLE.removeprefix("contracts:\n")
    problem = find.one(text)
    assert (problem.path, problem.value) == ("contracts[1].id", "enterprise-eu")
    assert problem.line == len(contract().splitlines()) + 1
    assert "duplicate id in contracts" in problem.message


@pytest.mark.parametrize("zone", ["Europe/Amsterdamm", "CET+1", "../etc/passwd", "''"])
def test_bad_time_zone(find: Finder, zone: str) -> None:
    text = contract(("tz: Europe/Amsterdam", f"tz: {zone}"))
    value = "" if zone == "''" else zone
    find.expect(text, "contracts[0].tz", "    tz: ", value, "unknown time zone")


@pytest.mark.parametrize("amount", ["-1", "'5,000'", "true", ".nan", "'1e3'", "[5000]"])
def test_bad_fee_amount(find: Finder, where: Where, amount: str) -> None:
    text = contract(("amount: 5000", f"amount: {amount}"))
    problem = find.one(text)
    assert (problem.path, problem.line) == ("contracts[0].fee.amount", where(text, "fee:"))
    assert "expected an amount: a decimal number of 0 or more" in problem.message


@pytest.mark.parametrize(("amount", "value"), [("1000000000000000", 10**15), ("0.00001", 1e-05)])
def test_fee_amount_out_of_bounds(find: Finder, amount: str, value: object) -> None:
    text = contract(("amount: 5000", f"amount: {amount}"))
    find.expect(
        text, "contracts[0].fee.amount", "fee:", value, "below 10^15 with at most 4 decimals"
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "€", "123"])
def test_bad_currency(find: Finder, currency: str) -> None:
    text = contract(("currency: EUR", f"currency: {currency!r}"))
    find.expect(text, "contracts[0].fee.currency", "fee:", currency, "ISO 4217")


@pytest.mark.parametrize(
    ("written", "value", "says"),
    [
        ("95", 95, "a plain number is ambiguous"),
        ("0.95", 0.95, "a plain number is ambiguous"),
        ("'95 %'", "95 %", "such as '95%'"),
        ("'-5%'", "-5%", "such as '95%'"),
        ("'95.1234567%'", "95.1234567%", "at most 6 decimals"),
        ("'100.5%'", "100.5%", "between 0% and 100%"),
        ("high", "high", "such as '95%'"),
    ],
)
def test_bad_target(find: Finder, written: str, value: object, says: str) -> None:
    text = contract(("target: 95%", f"target: {written}"))
    find.expect(text, "contracts[0].target", "target:", value, says)


def test_credit_tier_keys(find: Finder, where: Where) -> None:
    text = contract(("{below: 90%, credit: 25%}", "{under: 90%, credit: 25%}"))
    line = where(text, "under: 90%")
    assert [(p.path, p.line) for p in find.problems(text)] == [
        ("contracts[0].credits[1].under", line),
        ("contracts[0].credits[1]", line),
    ]


def test_every_problem_of_a_contract_is_reported(find: Finder) -> None:
    text = contract(
        ("period: month", "period: weekly"),
        ("tz: Europe/Amsterdam", "tz: Mars/Base"),
        ("cap: 50%", "cap: 50"),
    )
    assert [p.path for p in find.problems(text)] == [
        "contracts[0].period",
        "contracts[0].tz",
        "contracts[0].cap",
    ]
