"""The ``contracts:`` section: promised attainment per customer and period, and the
service credits owed when it is missed (reports.md, "Contracts and service credits").

Percentages are strings ending in ``%`` (``95%``, ``99.95%``), between 0% and 100%,
with at most six decimals; a plain number is refused, as ``95`` and ``0.95`` would
both be plausible. They become exact Decimal fractions (``95%`` -> ``Decimal("0.95")``).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.core.config.checks import (
    check_choice,
    check_id,
    check_keys,
    check_list,
    check_mapping,
    check_name,
    parse_entries,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_conditions import parse_condition_group
from slaclock.core.model import Contract, CreditTier, Fee

__all__ = ["parse_contracts", "parse_percent"]

_REQUIRED = ("id", "customers", "period", "tz", "fee", "metrics", "target", "credits")
_OPTIONAL = ("name", "cap", "exclude")
_PERIODS = ("month", "quarter")

_PERCENT = re.compile(r"^(\d+(?:\.\d{1,6})?)%$")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Fees stay far inside Decimal's 28 digits, so a credit is computed exactly.
_MAX_AMOUNT = Decimal(10) ** 15
_MAX_AMOUNT_DECIMALS = 4


def parse_contracts(p: Problems, value: Any, known: Known) -> tuple[Contract, ...]:
    parsed = parse_entries(
        p, "contracts", value, lambda path, entry: _parse_contract(p, path, entry, known)
    )
    return tuple(parsed.values())


def _parse_contract(p: Problems, path: KeyPath, value: Any, known: Known) -> Contract | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, _REQUIRED, _OPTIONAL):
        return None
    contract_id = check_id(p, (*path, "id"), mapping["id"])
    name = check_name(p, path, mapping)
    customers = parse_condition_group(p, (*path, "customers"), mapping["customers"])
    exclude = None
    if "exclude" in mapping:
        exclude = parse_condition_group(p, (*path, "exclude"), mapping["exclude"])
    period = check_choice(p, (*path, "period"), mapping["period"], _PERIODS, "a period:")
    tz = _parse_tz(p, (*path, "tz"), mapping["tz"])
    fee = _parse_fee(p, (*path, "fee"), mapping["fee"])
    metrics = _parse_metrics(p, (*path, "metrics"), mapping["metrics"], known)
    target = parse_percent(p, (*path, "target"), mapping["target"])
    credits = _parse_credits(p, (*path, "credits"), mapping["credits"])
    cap = parse_percent(p, (*path, "cap"), mapping.get("cap", "100%"))
    parts = (contract_id, name, customers, period, tz, fee, metrics, target, credits, cap)
    if any(part is None for part in parts) or ("exclude" in mapping and exclude is None):
        return None
    assert contract_id is not None and name is not None and customers is not None
    assert tz is not None and fee is not None and metrics is not None
    assert target is not None and credits is not None and cap is not None
    return Contract(
        id=contract_id,
        name=name,
        customers=customers,
        period=period,  # type: ignore[arg-type]  # checked: one of _PERIODS
        tz=tz,
        fee=fee,
        metrics=metrics,
        target=target,
        credits=credits,
        cap=cap,
        exclude=exclude,
    )


def parse_percent(p: Problems, path: KeyPath, value: Any) -> Decimal | None:
    """``"95%"`` -> ``Decimal("0.95")``; between 0% and 100%."""
    match = _PERCENT.match(value) if isinstance(value, str) else None
    if match is None:
        expected = "expected a percentage such as '95%' or '99.95%' (at most 6 decimals)"
        if isinstance(value, int | float) and not isinstance(value, bool):
            expected += "; a plain number is ambiguous (95 or 0.95?): write it with %"
        p.add(path, expected, value)
        return None
    percent = Decimal(match.group(1))
    if percent > 100:
        p.add(path, "expected a percentage between 0% and 100%", value)
        return None
    return percent.scaleb(-2)  # exact: moves the decimal point


def _parse_tz(p: Problems, path: KeyPath, value: Any) -> ZoneInfo | None:
    if isinstance(value, str) and value:
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    p.add(path, "unknown time zone: expected an IANA name such as Europe/Amsterdam", value)
    return None


def _parse_fee(p: Problems, path: KeyPath, value: Any) -> Fee | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, ("amount", "currency")):
        return None
    amount = _parse_amount(p, (*path, "amount"), mapping["amount"])
    currency = mapping["currency"]
    if not (isinstance(currency, str) and _CURRENCY.match(currency)):
        p.add(
            (*path, "currency"),
            "expected a currency code of three capital letters (ISO 4217) such as EUR",
            currency,
        )
        return None
    return None if amount is None else Fee(amount, currency)


def _parse_amount(p: Problems, path: KeyPath, value: Any) -> Decimal | None:
    """A number or a decimal string (``5000``, ``4999.99``, ``"4999.99"``), exactly."""
    amount = None
    if isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        amount = Decimal(repr(value))  # the shortest text giving this float: as written
    elif isinstance(value, str) and _AMOUNT.match(value.strip()):
        amount = Decimal(value.strip())
    if amount is None or amount < 0:
        p.add(path, "expected an amount: a decimal number of 0 or more", value)
        return None
    exponent = amount.normalize().as_tuple().exponent  # -2 for 4999.99
    decimals = -exponent if isinstance(exponent, int) else 0
    if amount >= _MAX_AMOUNT or decimals > _MAX_AMOUNT_DECIMALS:
        p.add(path, "expected an amount below 10^15 with at most 4 decimals", value)
        return None
    return amount


def _check_filled_list(p: Problems, path: KeyPath, value: Any, one: str) -> list[Any] | None:
    """A list with at least one entry; ``one`` says what an entry is."""
    entries = check_list(p, path, value)
    if entries == []:
        p.add(path, f"expected at least one {one}", value)
        return None
    return entries


def _parse_metrics(p: Problems, path: KeyPath, value: Any, known: Known) -> tuple[str, ...] | None:
    entries = _check_filled_list(p, path, value, "metric")
    if entries is None:
        return None
    ok = True
    for index, name in enumerate(entries):
        if not (isinstance(name, str) and name in known.metrics):
            p.add((*path, index), "expected a built-in metric or one under metrics:", name)
            ok = False
        elif entries.index(name) < index:
            p.add((*path, index), "metric listed twice", name)
            ok = False
    return tuple(entries) if ok else None


def _parse_credits(p: Problems, path: KeyPath, value: Any) -> tuple[CreditTier, ...] | None:
    """Tiers from the mildest miss down: ``below`` decreasing, ``credit`` increasing."""
    entries = _check_filled_list(p, path, value, "tier {below: N%, credit: N%}")
    if entries is None:
        return None
    tiers = [_parse_tier(p, (*path, i), entry) for i, entry in enumerate(entries)]
    ok = all(tier is not None for tier in tiers)
    for index in range(1, len(tiers)):
        tier, before = tiers[index], tiers[index - 1]
        if tier is None or before is None:
            continue
        if tier.below >= before.below:
            p.add(
                (*path, index, "below"),
                f"expected a 'below' lower than the tier before's ({entries[index - 1]['below']}): "
                "tiers go from the highest 'below' down",
                entries[index]["below"],
            )
            ok = False
        if tier.credit <= before.credit:
            p.add(
                (*path, index, "credit"),
                f"expected a 'credit' greater than the tier before's "
                f"({entries[index - 1]['credit']}): a worse attainment earns more",
                entries[index]["credit"],
            )
            ok = False
    return tuple(t for t in tiers if t is not None) if ok else None


def _parse_tier(p: Problems, path: KeyPath, value: Any) -> CreditTier | None:
    mapping = check_mapping(p, path, value)
    if mapping is None or not check_keys(p, path, mapping, ("below", "credit")):
        return None
    below = parse_percent(p, (*path, "below"), mapping["below"])
    credit = parse_percent(p, (*path, "credit"), mapping["credit"])
    if below is None or credit is None:
        return None
    return CreditTier(below=below, credit=credit)
