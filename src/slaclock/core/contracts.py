"""Contract periods, attainment and service credits (reports.md, "Contracts and service
credits").

Three small pieces of arithmetic, pure and exact:

- **Periods.** A period is a calendar month (``2026-03``) or quarter (``2026-Q1``) in
  the contract's time zone. It runs from the first instant of its first local day to
  the first instant of the next period's: ``[start, end)``, as aware UTC datetimes.
  DST is handled by :func:`slaclock.core.calendar.localtime.local_to_utc`, the one
  place that knows about it (a local midnight that does not exist maps to the first
  instant after the gap).
- **Attainment.** ``met / (met + breached)``, an exact :class:`~fractions.Fraction`;
  1 (100%) when nothing was judged.
- **Credit.** The largest ``credit`` whose ``below`` exceeds the attainment (strictly),
  capped at ``cap``, times the fee; an exact Decimal rounded half-even to cents.

Percentages in the model are Decimal fractions (``95%`` is ``Decimal("0.95")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from slaclock.core.calendar.localtime import local_to_utc
from slaclock.core.model import Contract, CreditTier

__all__ = [
    "Credit",
    "Period",
    "PeriodKind",
    "attainment",
    "credit_for",
    "credit_rate",
    "parse_period",
    "period_at",
    "periods_before",
]

PeriodKind = Literal["month", "quarter"]

#: Enough digits that a fee (< 10^15, 4 decimals) times a rate (6 decimals) is exact.
_MONEY = Context(prec=60, rounding=ROUND_HALF_EVEN)
_CENT = Decimal("0.01")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """One month or quarter of a time zone; ``start`` and ``end`` are UTC, ``end`` excluded."""

    kind: PeriodKind
    year: int
    first_month: int  # 1-12: the period's first month
    tz: ZoneInfo
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """``2026-03`` for a month, ``2026-Q1`` for a quarter."""
        if self.kind == "month":
            return f"{self.year:04d}-{self.first_month:02d}"
        return f"{self.year:04d}-Q{(self.first_month - 1) // 3 + 1}"

    def previous(self) -> Period:
        """The period just before this one, of the same kind and time zone."""
        year, month = _add_months(self.year, self.first_month, -_length(self.kind))
        return _make(self.kind, year, month, self.tz)


def parse_period(label: str, tz: ZoneInfo, kind: PeriodKind | None = None) -> Period:
    """``"2026-03"`` or ``"2026-Q1"`` in ``tz``; ValueError when ``label`` is neither
    (or not of ``kind``, when given)."""
    year_text, _, rest = label.partition("-")
    if len(year_text) != 4 or not year_text.isdigit():
        raise ValueError(f"not a period: {label!r}; expected 2026-03 or 2026-Q1")
    year = int(year_text)
    if len(rest) == 2 and rest.isdigit() and 1 <= int(rest) <= 12:
        found: PeriodKind = "month"
        first_month = int(rest)
    elif len(rest) == 2 and rest[0] == "Q" and rest[1] in "1234":
        found = "quarter"
        first_month = 3 * (int(rest[1]) - 1) + 1
    else:
        raise ValueError(f"not a period: {label!r}; expected 2026-03 or 2026-Q1")
    if not 1900 <= year <= 9998:
        raise ValueError(f"period out of range (years 1900 to 9998): {label!r}")
    if kind is not None and found != kind:
        raise ValueError(f"not a {kind}: {label!r}")
    return _make(found, year, first_month, tz)


def period_at(instant: datetime, kind: PeriodKind, tz: ZoneInfo) -> Period:
    """The period of ``kind`` in ``tz`` that contains ``instant`` (an aware datetime)."""
    if instant.tzinfo is None:
        raise ValueError("expected an aware datetime")
    local = instant.astimezone(tz)
    first_month = local.month - (local.month - 1) % _length(kind)
    return _make(kind, local.year, first_month, tz)


def periods_before(period: Period, count: int) -> list[Period]:
    """The ``count`` periods just before ``period``, oldest first (``period`` excluded)."""
    found: list[Period] = []
    current = period
    for _ in range(count):
        current = current.previous()
        found.append(current)
    return found[::-1]


def _length(kind: PeriodKind) -> int:
    """Months in a period."""
    return 1 if kind == "month" else 3


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _make(kind: PeriodKind, year: int, first_month: int, tz: ZoneInfo) -> Period:
    end_year, end_month = _add_months(year, first_month, _length(kind))
    return Period(
        kind=kind,
        year=year,
        first_month=first_month,
        tz=tz,
        start=_local_midnight(year, first_month, tz),
        end=_local_midnight(end_year, end_month, tz),
    )


def _local_midnight(year: int, month: int, tz: ZoneInfo) -> datetime:
    """The first instant of the 1st of ``month`` in ``tz``, in UTC."""
    wall = datetime(year, month, 1)  # noqa: DTZ001  (a local wall time, naive on purpose)
    return datetime.fromtimestamp(local_to_utc(wall, tz), UTC)


# ------------------------------------------------------------------ attainment, credit


def attainment(met: int, breached: int) -> Fraction:
    """``met / (met + breached)``, exactly; 1 (100%) when nothing was judged."""
    if met < 0 or breached < 0:
        raise ValueError("met and breached are counts: 0 or more")
    judged = met + breached
    return Fraction(1) if judged == 0 else Fraction(met, judged)


def credit_rate(
    tiers: tuple[CreditTier, ...], cap: Decimal, achieved: Fraction
) -> tuple[CreditTier | None, Decimal]:
    """The tier earned at attainment ``achieved`` and the fraction of the fee it earns.

    The tier is the one with the largest ``credit`` among those whose ``below`` is
    strictly greater than ``achieved`` (None: no tier, nothing earned); the rate is its
    ``credit``, capped at ``cap``.
    """
    earned = [tier for tier in tiers if achieved < Fraction(tier.below)]
    if not earned:
        return None, Decimal(0)
    tier = max(earned, key=lambda t: t.credit)
    return tier, min(tier.credit, cap)


@dataclass(frozen=True)
class Credit:
    """What a contract owes a customer for one period."""

    met: int
    breached: int
    attainment: Fraction  # exact; 1 when nothing was judged
    tier: CreditTier | None  # None: no tier earned
    rate: Decimal  # the fraction of the fee owed, after the cap (0.1 = 10%)
    amount: Decimal  # rate x fee, rounded half-even to cents: Decimal("500.00")
    currency: str

    @property
    def amount_text(self) -> str:
        """The amount as written in a statement: ``"500.00"``."""
        return f"{self.amount:f}"

    @property
    def percent(self) -> Decimal:
        """The rate as a percentage: ``Decimal("10")`` for 10%."""
        percent = self.rate * 100
        if percent == percent.to_integral_value():
            return percent.quantize(Decimal(1))
        return percent.normalize()


def credit_for(contract: Contract, met: int, breached: int) -> Credit:
    """The credit a customer earns in a period with ``met`` and ``breached`` instances."""
    achieved = attainment(met, breached)
    tier, rate = credit_rate(contract.credits, contract.cap, achieved)
    amount = _MONEY.multiply(contract.fee.amount, rate).quantize(_CENT, context=_MONEY)
    return Credit(met, breached, achieved, tier, rate, amount, contract.fee.currency)
