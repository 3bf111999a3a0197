"""Contract periods, attainment and service credits (slaclock.core.contracts).

Periods across DST in Europe/Amsterdam and America/Sao_Paulo, quarter labels, each
credit tier boundary, the cap, a period with nothing judged, half-even rounding to
cents, and a property test of the credit against a reference in plain integers and
fractions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.config import config_from_mapping
from slaclock.core.contracts import (
    attainment,
    credit_for,
    credit_rate,
    parse_period,
    period_at,
    periods_before,
)
from slaclock.core.model import ConditionGroup, Contract, CreditTier, Fee

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SETTINGS = settings(max_examples=300, deadline=None, database=None)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def percent(value: str) -> Decimal:
    return Decimal(value).scaleb(-2)


#: The example of reports.md, built directly: 5000 EUR, tiers 95/10, 90/25, 80/50, cap 50%.
def contract(
    amount: str = "5000",
    tiers: tuple[tuple[str, str], ...] = (("95", "10"), ("90", "25"), ("80", "50")),
    cap: str = "50",
) -> Contract:
    return Contract(
        id="enterprise-eu",
        name="Enterprise support, EU",
        customers=ConditionGroup(),
        period="month",
        tz=AMSTERDAM,
        fee=Fee(Decimal(amount), "EUR"),
        metrics=("first_response", "resolution"),
        target=percent("95"),
        credits=tuple(CreditTier(percent(b), percent(c)) for b, c in tiers),
        cap=percent(cap),
    )


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("label", "start", "end", "hours"),
    [
        # the spec's statement: March starts in CET, ends in CEST (one hour short)
        ("2026-03", "2026-02-28T23:00", "2026-03-31T22:00", 31 * 24 - 1),
        # October starts in CEST, ends in CET (one hour long)
        ("2026-10", "2026-09-30T22:00", "2026-10-31T23:00", 31 * 24 + 1),
        ("2026-07", "2026-06-30T22:00", "2026-07-31T22:00", 31 * 24),
        ("2026-Q1", "2025-12-31T23:00", "2026-03-31T22:00", 90 * 24 - 1),
        ("2026-Q2", "2026-03-31T22:00", "2026-06-30T22:00", 91 * 24),
        ("2026-Q4", "2026-09-30T22:00", "2026-12-31T23:00", 92 * 24 + 1),
    ],
)
def test_periods_in_amsterdam(label: str, start: str, end: str, hours: int) -> None:
    period = parse_period(label, AMSTERDAM)
    assert (period.start, period.end) == (utc(start), utc(end))
    assert period.end - period.start == timedelta(hours=hours)
    assert period.label == label
    assert period.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("label", "start", "end", "hours"),
    [
        # DST began on 2018-11-04 at local midnight (00:00 -> 01:00): a month an hour short
        ("2018-11", "2018-11-01T03:00", "2018-12-01T02:00", 30 * 24 - 1),
        # DST ended on 2019-02-17 (00:00 -> 23:00 the day before): an hour long
        ("2019-02", "2019-02-01T02:00", "2019-03-01T03:00", 28 * 24 + 1),
        ("2018-Q4", "2018-10-01T03:00", "2019-01-01T02:00", 92 * 24 - 1),
        # no DST since 2019
        ("2026-03", "2026-03-01T03:00", "2026-04-01T03:00", 31 * 24),
    ],
)
def test_periods_in_sao_paulo(label: str, start: str, end: str, hours: int) -> None:
    period = parse_period(label, SAO_PAULO)
    assert (period.start, period.end) == (utc(start), utc(end))
    assert period.end - period.start == timedelta(hours=hours)


def test_a_period_whose_first_midnight_does_not_exist_starts_after_the_gap() -> None:
    # Paraguay moved its clocks from 1990-10-01 00:00 (-04) to 01:00 (-03)
    period = parse_period("1990-10", ZoneInfo("America/Asuncion"))
    assert period.start == utc("1990-10-01T04:00")
    assert period.start.astimezone(period.tz).hour == 1


@pytest.mark.parametrize(
    "label",
    ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-q1", "2026-3", "26-03", "2026-03-01", ""],
)
def test_bad_labels(label: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_period(label, AMSTERDAM)


def test_a_label_of_the_other_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="not a quarter"):
        parse_period("2026-03", AMSTERDAM, "quarter")
    with pytest.raises(ValueError, match="not a month"):
        parse_period("2026-Q1", AMSTERDAM, "month")
    assert parse_period("2026-Q1", AMSTERDAM, "quarter").label == "2026-Q1"


def test_years_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_period("9999-Q4", AMSTERDAM)


@pytest.mark.parametrize(
    ("instant", "month", "quarter"),
    [
        ("2026-02-28T23:00:00", "2026-03", "2026-Q1"),  # the first instant of March
        ("2026-02-28T22:59:59.999999", "2026-02", "2026-Q1"),
        ("2026-03-31T21:59:59", "2026-03", "2026-Q1"),
        ("2026-03-31T22:00:00", "2026-04", "2026-Q2"),
        ("2025-12-31T23:00:00", "2026-01", "2026-Q1"),  # New Year in Amsterdam
        ("2025-12-31T22:59:59", "2025-12", "2025-Q4"),
    ],
)
def test_the_period_containing_an_instant(instant: str, month: str, quarter: str) -> None:
    at = utc(instant)
    assert period_at(at, "month", AMSTERDAM).label == month
    assert period_at(at, "quarter", AMSTERDAM).label == quarter


def test_period_at_needs_an_aware_instant() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_at(datetime(2026, 3, 1), "month", AMSTERDAM)


def test_the_periods_before_one() -> None:
    march = parse_period("2026-03", AMSTERDAM)
    assert [p.label for p in periods_before(march, 4)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert periods_before(march, 0) == []
    q1 = parse_period("2026-Q1", SAO_PAULO)
    assert [p.label for p in periods_before(q1, 5)] == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
    ]  # fmt: skip


@pytest.mark.parametrize("tz", [AMSTERDAM, SAO_PAULO])
@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_periods_tile_time(tz: ZoneInfo, kind: str) -> None:
    """Twelve years of periods, each ending where the next starts."""
    last = parse_period("2027-12" if kind == "month" else "2027-Q4", tz)
    periods = [*periods_before(last, 143 if kind == "month" else 47), last]
    for before, after in pairwise(periods):
        assert before.end == after.start
        assert before.start < before.end
    assert periods[0].label in ("2016-01", "2016-Q1")


@SETTINGS
@given(
    seconds=st.integers(utc("1990-01-01T00:00").timestamp(), utc("2040-01-01T00:00").timestamp()),
    zone=st.sampled_from(["Europe/Amsterdam", "America/Sao_Paulo", "Asia/Kathmandu", "UTC"]),
    kind=st.sampled_from(["month", "quarter"]),
)
def test_an_instant_lies_in_its_period(seconds: int, zone: str, kind: str) -> None:
    at = datetime.fromtimestamp(seconds, UTC)
    period = period_at(at, kind, ZoneInfo(zone))  # type: ignore[arg-type]
    assert period.start <= at < period.end
    assert parse_period(period.label, ZoneInfo(zone)) == period


# ------------------------------------------------------------------------ attainment


def test_attainment() -> None:
    assert attainment(41, 3) == Fraction(41, 44)
    assert attainment(0, 5) == 0
    assert attainment(0, 0) == 1  # nothing judged: 100%
    with pytest.raises(ValueError, match="counts"):
        attainment(-1, 2)


# ---------------------------------------------------------------------------- credit


def test_the_spec_statement() -> None:
    credit = credit_for(contract(), met=41, breached=3)  # 93.18%
    assert credit.attainment == Fraction(41, 44)
    assert credit.tier == CreditTier(percent("95"), percent("10"))
    assert (credit.rate, credit.percent) == (Decimal("0.10"), Decimal(10))
    assert (credit.amount, credit.amount_text, credit.currency) == (
        Decimal("500.00"),
        "500.00",
        "EUR",
    )


def test_the_credit_of_a_loaded_configuration() -> None:
    tiers = [{"below": "95%", "credit": "10%"}, {"below": "90%", "credit": "25%"}]
    mapping = {
        "calendars": [{"id": "c", "tz": "UTC", "always_open": True}],
        "policies": [{"id": "p", "calendar": "c", "targets": {}}],
        "contracts": [
            {
                "id": "eu",
                "customers": {},
                "period": "month",
                "tz": "Europe/Amsterdam",
                "fee": {"amount": 5000, "currency": "EUR"},
                "metrics": ["first_response", "resolution"],
                "target": "95%",
                "credits": tiers,
            }
        ],
    }
    (loaded,) = config_from_mapping(mapping).contracts
    assert credit_for(loaded, 41, 3).amount_text == "500.00"
    assert credit_for(loaded, 4, 1).amount_text == "1250.00"


@pytest.mark.parametrize(
    ("met", "breached", "credit_percent", "amount"),
    [
        (100, 0, 0, "0.00"),
        (19, 1, 0, "0.00"),  # exactly 95%: not below 95%, no tier
        (189, 11, 10, "500.00"),  # 94.5%
        (9, 1, 10, "500.00"),  # exactly 90%: not below 90%, so the 95% tier
        (179, 21, 25, "1250.00"),  # 89.5%
        (4, 1, 25, "1250.00"),  # exactly 80%: the 90% tier
        (79, 21, 50, "2500.00"),  # 79%
        (0, 7, 50, "2500.00"),  # 0%
    ],
)
def test_tier_boundaries(met: int, breached: int, credit_percent: int, amount: str) -> None:
    credit = credit_for(contract(), met, breached)
    assert (credit.percent, credit.amount_text) == (credit_percent, amount)


def test_the_cap_limits_the_credit() -> None:
    capped = contract(cap="30")
    assert credit_for(capped, 0, 1).amount_text == "1500.00"  # 50% tier, capped at 30%
    assert credit_for(capped, 179, 21).amount_text == "1250.00"  # 25%: under the cap
    assert credit_for(capped, 0, 1).tier == CreditTier(percent("80"), percent("50"))
    assert credit_for(contract(cap="0"), 0, 1).amount_text == "0.00"


def test_nothing_judged_earns_nothing() -> None:
    full = contract(tiers=(("100", "5"), ("95", "10")))  # even a tier below 100%
    credit = credit_for(full, 0, 0)
    assert (credit.attainment, credit.tier, credit.rate) == (1, None, 0)
    assert (credit.amount, credit.amount_text, credit.percent) == (Decimal("0.00"), "0.00", 0)


@pytest.mark.parametrize(
    ("amount", "credit_percent", "owed"),
    [
        ("0.05", "10", "0.00"),  # 0.005: half to the even 0.00
        ("0.15", "10", "0.02"),  # 0.015: half to the even 0.02
        ("0.25", "10", "0.02"),  # 0.025
        ("0.35", "10", "0.04"),  # 0.035
        ("5000", "33.3333", "1666.66"),  # 1666.665
        ("5000", "33.3335", "1666.68"),  # 1666.675
        ("333.33", "12.5", "41.67"),  # 41.66625: not a half, nearest
        ("999999999999999.9999", "100", "1000000000000000.00"),
        ("0.0001", "50", "0.00"),
    ],
)
def test_rounding_is_half_even_to_cents(amount: str, credit_percent: str, owed: str) -> None:
    credit = credit_for(contract(amount, tiers=(("100", credit_percent),), cap="100"), 0, 1)
    assert credit.amount_text == owed
    assert credit.amount == Decimal(owed)


def test_a_percent_that_is_not_whole() -> None:
    credit = credit_for(contract(tiers=(("100", "12.5"),), cap="100"), 0, 1)
    assert (credit.percent, str(credit.percent)) == (Decimal("12.5"), "12.5")


# ------------------------------------------------------------------ property: credit

_PERCENTS = st.decimals(0, 100, places=6, allow_nan=False, allow_infinity=False)
_TIERS = st.lists(st.tuples(_PERCENTS, _PERCENTS), max_size=6)


def reference_cents(
    tiers: list[tuple[Decimal, Decimal]], cap: Decimal, fee: Decimal, met: int, breached: int
) -> int:
    """The credit in whole cents, in integers and fractions, straight from the spec."""
    judged = met + breached
    best = Fraction(0)
    for below, credit in tiers:
        # attainment met/judged strictly below below% <=> 100 * met < below * judged
        if judged > 0 and 100 * met < Fraction(below) * judged:
            best = max(best, Fraction(credit))
    owed = Fraction(fee) * min(best, Fraction(cap)) / 100  # percents -> a fraction of the fee
    return round(owed * 100)  # round() of a Fraction goes half to even


@SETTINGS
@given(
    tiers=_TIERS,
    cap=_PERCENTS,
    fee=st.decimals(0, Decimal("1e15") - 1, places=4, allow_nan=False, allow_infinity=False),
    met=st.integers(0, 10_000),
    breached=st.integers(0, 10_000),
)
def test_the_credit_matches_a_reference(
    tiers: list[tuple[Decimal, Decimal]], cap: Decimal, fee: Decimal, met: int, breached: int
) -> None:
    built = Contract(
        id="c",
        name="c",
        customers=ConditionGroup(),
        period="month",
        tz=AMSTERDAM,
        fee=Fee(fee, "EUR"),
        metrics=("resolution",),
        target=Decimal(1),
        credits=tuple(CreditTier(b.scaleb(-2), c.scaleb(-2)) for b, c in tiers),
        cap=cap.scaleb(-2),
    )
    credit = credit_for(built, met, breached)
    assert credit.amount == Decimal(reference_cents(tiers, cap, fee, met, breached)).scaleb(-2)
    assert credit.amount.as_tuple().exponent == -2
    assert credit.rate <= built.cap


@SETTINGS
@given(tiers=_TIERS, achieved=st.fractions(0, 1))
def test_the_earned_tier_is_below_the_attainment_and_no_better_one_is(
    tiers: list[tuple[Decimal, Decimal]], achieved: Fraction
) -> None:
    model = tuple(CreditTier(b.scaleb(-2), c.scaleb(-2)) for b, c in tiers)
    tier, rate = credit_rate(model, Decimal(1), achieved)
    earning = [t for t in model if achieved < t.below]
    if tier is None:
        assert earning == [] and rate == 0
    else:
        assert achieved < tier.below
        assert all(t.credit <= tier.credit for t in earning)
        assert rate == tier.credit
