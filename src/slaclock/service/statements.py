"""Contract statements (reports.md, "Contracts and service credits"): per customer and
period, what each contract that applies promised, what was attained, every breach, the
service credit owed, and the attainment of the last :data:`HISTORY` periods for a chart.

Which contract applies, and what it counts (docs/reports.md, "Contract statements"):

- A contract applies to a customer (``customer.id``) with a ticket created before the
  period's end (and before ``as_of``) whose current fields match the contract's
  ``customers``, so a customer with nothing judged in a period still gets its
  statement (100%, no credit).
- It counts the SLA instances (never OLAs, never cancelled ones) of its ``metrics``
  judged in the period as of ``as_of`` (the compliance report's verdicts and judgement
  instants) whose customer at the judgement instant is that customer and whose ticket's
  current fields match ``customers`` and do not match ``exclude``.
- A period is a month or quarter in the contract's zone (``core.contracts``): a label
  of another kind (``2026-Q1`` for a monthly contract) does not name one of its periods.
- A breach's ``overdue_seconds`` is the open time past the target on the instance's
  calendar (``elapsed - target``, as the compliance report's mean overrun); for a clock
  not stopped by ``as_of``, as far as ``as_of``.

The database reads are a few, whatever the number of customers
(``store/report_statements.py``): the tickets with their fields once per run, then two
queries per contract; the conditions are evaluated here, once per ticket.
Rendering (HTML, PDF, the chart) is in :mod:`slaclock.service.statement_render`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson

from slaclock.core.conditions import evaluate, get_path
from slaclock.core.contracts import (
    Credit,
    Period,
    attainment,
    credit_for,
    parse_period,
    periods_before,
)
from slaclock.core.model import Condition, ConditionGroup, Config, Contract
from slaclock.service.exports import Column, csv_chunks
from slaclock.service.formats import iso_z
from slaclock.service.reports import ReportError
from slaclock.store.database import Tx
from slaclock.store.report_statements import StatementQuery

if TYPE_CHECKING:
    from slaclock.core.calendar import Calendar
    from slaclock.service.app_state import Services

__all__ = [
    "FORMATS",
    "HISTORY",
    "STATEMENT_COLUMNS",
    "Breach",
    "HistoryPoint",
    "MetricFigures",
    "Statement",
    "all_statements",
    "content_disposition",
    "customer_statements",
    "rendered",
    "statement",
    "statement_rows",
    "statements_for_all",
]

#: Periods the chart shows: the statement's own and the ones before it.
HISTORY = 12
#: The formats a statement is written in.
FORMATS = ("json", "csv", "html", "pdf")
_CENT = Decimal("0.01")


# ------------------------------------------------------------------------- values


@dataclass(frozen=True)
class MetricFigures:
    """One metric's counts in a statement."""

    metric: str
    met: int
    breached: int

    @property
    def attainment(self) -> Fraction:
        return attainment(self.met, self.breached)


@dataclass(frozen=True)
class Breach:
    """A breached instance of the statement: when it was due, when its clock stopped
    (None: still running as of the statement), when it was judged, how late."""

    ticket: str
    metric: str
    cycle: int
    due_at: datetime | None
    stopped_at: datetime | None
    judged_at: datetime
    overdue_seconds: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket, "metric": self.metric, "cycle": self.cycle,
            "due_at": iso_z(self.due_at), "stopped_at": iso_z(self.stopped_at),
            "judged_at": iso_z(self.judged_at), "overdue_seconds": self.overdue_seconds,
        }  # fmt: skip


@dataclass(frozen=True)
class HistoryPoint:
    """One period of the chart: its counts and attainment."""

    period: Period
    met: int
    breached: int

    @property
    def attainment(self) -> Fraction:
        return attainment(self.met, self.breached)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label, "from": iso_z(self.period.start),
            "to": iso_z(self.period.end), "met": self.met, "breached": self.breached,
            "attainment": ratio(self.attainment),
        }  # fmt: skip


@dataclass(frozen=True)
class Statement:
    """One contract's statement for one customer and period, as of ``as_of``."""

    customer: str
    contract: Contract
    period: Period
    as_of: datetime
    credit: Credit
    metrics: tuple[MetricFigures, ...]  # in the contract's order
    breaches: tuple[Breach, ...]  # by judgement instant
    history: tuple[HistoryPoint, ...]  # oldest first; the last is this period

    @property
    def fee_text(self) -> str:
        """The fee as written in a statement: ``"5000.00"``."""
        return money(self.contract.fee.amount)

    @property
    def credit_percent(self) -> int | float:
        """The credit as a percentage of the fee: ``10``, or ``12.5``."""
        return number(self.credit.percent)

    def to_json(self) -> dict[str, Any]:
        """reports.md's statement object, with the fee, tier, cap and history beside."""
        c, credit, tier = self.contract, self.credit, self.credit.tier
        return {
            "customer": self.customer, "contract": c.id, "contract_name": c.name,
            "period": self.period.label, "from": iso_z(self.period.start),
            "to": iso_z(self.period.end), "tz": c.tz.key, "as_of": iso_z(self.as_of),
            "met": credit.met, "breached": credit.breached,
            "attainment": ratio(credit.attainment), "target": number(c.target),
            "tier": None if tier is None else {
                "below": number(tier.below), "credit": number(tier.credit)},
            "cap": number(c.cap), "credit_percent": self.credit_percent,
            "credit_amount": credit.amount_text, "currency": credit.currency,
            "fee": {"amount": self.fee_text, "currency": c.fee.currency},
            "metrics": {
                m.metric: {"met": m.met, "breached": m.breached,
                           "attainment": ratio(m.attainment)}
                for m in self.metrics
            },
            "breaches": [b.to_json() for b in self.breaches],
            "history": [h.to_json() for h in self.history],
        }  # fmt: skip


def ratio(value: Fraction) -> float:
    """An attainment as JSON has it: 5 decimals, rounded half-even from the exact value."""
    return float(round(value, 5))


def number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: whole ones as integers (``10``, not ``10.0``)."""
    return int(value) if value == value.to_integral_value() else float(value)


def money(amount: Decimal) -> str:
    """An amount in cents, as text: ``"5000.00"`` (exact; more places are kept)."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return f"{amount.quantize(_CENT):f}"
    return f"{amount:f}"


# ---------------------------------------------------------------------- computing


def statement(
    tx: Tx,
    config: Config,
    customer: str,
    period_label: str,
    as_of: datetime,
    contract: str | None = None,
) -> list[Statement]:
    """The statements of ``customer`` for the period ``period_label`` (``2026-03`` or
    ``2026-Q1``), one per contract that applies (only ``contract``, when named), in the
    configuration's order: empty when none does. ReportError names a bad parameter."""
    if not customer or not customer.strip():
        raise ReportError("customer: expected a customer id")
    return _statements(tx, config, (customer,), period_label, as_of, contract)


def statements_for_all(
    tx: Tx, config: Config, period_label: str, as_of: datetime, contract: str | None = None
) -> list[Statement]:
    """The statements of every customer of every contract (only ``contract``, when
    named) for the period: by customer, then in the configuration's order."""
    found = _statements(tx, config, None, period_label, as_of, contract)
    order = {c.id: n for n, c in enumerate(config.contracts)}
    return sorted(found, key=lambda s: (s.customer, order[s.contract.id]))


def customer_statements(
    services: Services,
    customer: str,
    period_label: str,
    as_of: datetime,
    contract: str | None = None,
) -> list[Statement]:
    """:func:`statement` on the service's database under its current configuration."""
    config = services.config_current()[2]
    with services.db.reading() as tx:
        return statement(tx, config, customer, period_label, as_of, contract)


def all_statements(
    services: Services, period_label: str, as_of: datetime, contract: str | None = None
) -> list[Statement]:
    """:func:`statements_for_all` on the service's database under its current
    configuration: every customer's statements for the period."""
    config = services.config_current()[2]
    with services.db.reading() as tx:
        return statements_for_all(tx, config, period_label, as_of, contract)


def _statements(
    tx: Tx,
    config: Config,
    customers: tuple[str, ...] | None,
    label: str,
    as_of: datetime,
    contract_id: str | None,
) -> list[Statement]:
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ReportError(f"as_of: {as_of.isoformat()} has no time zone offset")
    chosen = _contracts_for(config, label, contract_id)
    if not chosen:
        return []
    tickets = _Tickets(tx, customers, min(max(p.end for _, p in chosen), as_of))
    found: list[Statement] = []
    for contract, period in chosen:
        found += _for_contract(tx, config, contract, period, as_of, customers, tickets)
    return found


def _contracts_for(
    config: Config, label: str, contract_id: str | None
) -> list[tuple[Contract, Period]]:
    """The contracts asked for with their period named ``label`` (none when the
    configuration has none): ReportError when the label is no period, the contract is
    unknown, or no contract runs by such periods."""
    chosen = config.contracts
    if contract_id is not None:
        chosen = tuple(c for c in config.contracts if c.id == contract_id)
        if not chosen:
            known = ", ".join(c.id for c in config.contracts) or "none is configured"
            raise ReportError(f"contract: unknown contract {contract_id!r}; expected {known}")
    if not chosen:  # no contract applies to anyone; the label must still be a period
        try:
            parse_period(label.strip(), ZoneInfo("UTC"))
        except ValueError as exc:
            raise ReportError(f"period: {exc}") from None
        return []
    out: list[tuple[Contract, Period]] = []
    for contract in chosen:
        try:
            period = parse_period(label.strip(), contract.tz)
        except ValueError as exc:
            raise ReportError(f"period: {exc}") from None
        if period.kind == contract.period:
            out.append((contract, period))
    if not out:
        kinds = " or ".join(sorted({c.period for c in chosen}))
        raise ReportError(
            f"period: {label.strip()!r} is a {period.kind}; the contracts run by {kinds}"
            f" (e.g. {'2026-03' if 'month' in kinds else '2026-Q1'})"
        )
    return out


class _Tickets:
    """The tickets of a statement run: the customers' tickets created before the
    latest period's end, and the fields of every ticket an instance names, read once."""

    def __init__(self, tx: Tx, customers: tuple[str, ...] | None, before: datetime) -> None:
        self._tx = tx
        self.rows = tx.statements.tickets(customers, before)
        self.fields: dict[str, Mapping[str, Any]] = {
            row["ticket"]: row["fields"] or {} for row in self.rows
        }

    def customers_of(self, covered: _Covered, before: datetime) -> list[str]:
        """The customers with a ticket (not deleted) created before ``before`` that
        matches the contract's ``customers``."""
        found: set[str] = set()
        for row in self.rows:
            if row["customer"] in found or row["deleted"] or row["created_at"] >= before:
                continue
            if covered.matches(row["ticket"], self.fields[row["ticket"]])[0]:
                found.add(row["customer"])
        return sorted(found)

    def load(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Read the fields of the tickets of ``rows`` not known yet (moved since to a
        customer whose tickets were not read)."""
        missing = {row["ticket"] for row in rows} - self.fields.keys()
        if missing:
            found = self._tx.statements.fields(sorted(missing))
            self.fields.update({ticket: fields or {} for ticket, fields in found.items()})


class _Covered:
    """Whether a ticket counts for a contract: its current fields match ``customers``
    and not ``exclude``. Evaluated once per ticket, and once per distinct value of the
    fields the conditions read (a plan, the tags): tickets mostly repeat a few."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._paths = sorted(_paths(contract.customers) | _paths(contract.exclude))
        self._known: dict[str, tuple[bool, bool]] = {}
        self._by_values: dict[bytes, tuple[bool, bool]] = {}

    def matches(self, ticket: str, fields: Mapping[str, Any]) -> tuple[bool, bool]:
        """(matches ``customers``, counts: matches it and not ``exclude``)."""
        known = self._known.get(ticket)
        if known is None:
            try:
                values = orjson.dumps([get_path(fields, path) for path in self._paths])
            except orjson.JSONEncodeError:  # an integer past 64 bits: no shortcut
                known = self._evaluate(fields)
            else:
                known = self._by_values.get(values)
                if known is None:
                    known = self._by_values[values] = self._evaluate(fields)
            self._known[ticket] = known
        return known

    def _evaluate(self, fields: Mapping[str, Any]) -> tuple[bool, bool]:
        c = self.contract
        covered = evaluate(c.customers, fields)
        return covered, covered and not (c.exclude is not None and evaluate(c.exclude, fields))


def _paths(node: Condition | ConditionGroup | None) -> set[str]:
    """The fields a condition reads."""
    if node is None:
        return set()
    if isinstance(node, Condition):
        return {node.field}
    return {path for child in (*node.all, *(node.any or ())) for path in _paths(child)}


def _for_contract(
    tx: Tx,
    config: Config,
    contract: Contract,
    period: Period,
    as_of: datetime,
    customers: tuple[str, ...] | None,
    tickets: _Tickets,
) -> list[Statement]:
    covered = _Covered(contract)
    applies = tickets.customers_of(covered, min(period.end, as_of))
    if not applies:
        return []
    if customers is None and len(applies) < 100:  # only theirs (a handful: an IN list)
        customers = tuple(applies)
    query = StatementQuery(period.start, period.end, as_of, contract.metrics, customers)
    earlier = periods_before(period, HISTORY - 1)
    bounds = [p.start for p in earlier] + [period.start]
    counted = tx.statements.counts(bounds, query)
    judged_rows = tx.statements.judged(query)
    tickets.load(counted)
    tickets.load(judged_rows)

    def counts(row: Mapping[str, Any]) -> bool:
        return covered.matches(row["ticket"], tickets.fields.get(row["ticket"], {}))[1]

    history: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for row in filter(counts, counted):
        got = history[row["customer"]].setdefault(row["period"], [0, 0])
        got[0] += row["met"]
        got[1] += row["breached"]
    judged: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in filter(counts, judged_rows):
        judged[row["customer"]].append(row)
    return [
        _statement_of(customer, contract, period, as_of, earlier, history[customer],
                      judged[customer], config.calendars)
        for customer in applies
    ]  # fmt: skip


def _statement_of(
    customer: str,
    contract: Contract,
    period: Period,
    as_of: datetime,
    earlier: Sequence[Period],
    history: Mapping[int, Sequence[int]],
    rows: Sequence[Mapping[str, Any]],
    calendars: Mapping[str, Calendar],
) -> Statement:
    per_metric = {m: [0, 0] for m in contract.metrics}
    breaches = []
    for row in rows:
        breached = row["verdict"] == "breached"
        per_metric[row["metric"]][1 if breached else 0] += 1
        if breached:
            breaches.append(_breach(row, as_of, calendars))
    met = sum(m for m, _ in per_metric.values())
    missed = sum(b for _, b in per_metric.values())
    points = [HistoryPoint(p, *history.get(k, (0, 0))) for k, p in enumerate(earlier)]
    points.append(HistoryPoint(period, met, missed))
    return Statement(
        customer=customer,
        contract=contract,
        period=period,
        as_of=as_of,
        credit=credit_for(contract, met, missed),
        metrics=tuple(MetricFigures(m, *per_metric[m]) for m in contract.metrics),
        breaches=tuple(breaches),
        history=tuple(points),
    )


def _breach(row: Mapping[str, Any], as_of: datetime, calendars: Mapping[str, Calendar]) -> Breach:
    """A breached row, with the open time past its target as far as ``as_of``."""
    stopped = row["stopped_at"] if row["stopped_at"] and row["stopped_at"] <= as_of else None
    overdue = float(row["elapsed_seconds"]) - float(row["target_seconds"] or 0)
    calendar = calendars.get(row["calendar"] or "")
    if stopped is None and calendar is not None:
        since = row["projected_at"]
        if row["state"] == "running" and since is not None and since < as_of:
            overdue += calendar.elapsed(since, as_of)  # open time since the projection
        if row["due_at"] is not None:  # no more than the open time from due to as_of
            overdue = min(overdue, calendar.elapsed(row["due_at"], as_of))
    return Breach(
        ticket=row["ticket"],
        metric=row["metric"],
        cycle=int(row["cycle"]),
        due_at=row["due_at"],
        stopped_at=stopped,
        judged_at=row["judged_at"],
        overdue_seconds=max(0, round(overdue)),
    )


# ----------------------------------------------------------------------- CSV, JSON

#: The CSV of statements: one table, a ``record`` per row — ``summary`` (the whole
#: period), ``metric`` (one per metric), ``breach`` (one per breach) and ``history``
#: (one per period of the chart, oldest first) — each with the statement's keys.
STATEMENT_COLUMNS: tuple[Column, ...] = (
    Column("record", "text"), Column("customer", "text"), Column("contract", "text"),
    Column("period", "text"), Column("from", "instant"), Column("to", "instant"),
    Column("metric", "text"), Column("met", "int"), Column("breached", "int"),
    Column("attainment", "ratio"), Column("target", "ratio"), Column("fee", "decimal"),
    Column("credit_percent", "decimal"), Column("credit_amount", "decimal"),
    Column("currency", "text"), Column("ticket", "text"), Column("due_at", "instant"),
    Column("stopped_at", "instant"), Column("overdue_seconds", "seconds"),
)  # fmt: skip


def statement_rows(statements: Sequence[Statement]) -> Iterator[dict[str, Any]]:
    """The rows of :data:`STATEMENT_COLUMNS` for ``statements``, one after the other."""
    for s in statements:
        keys = {"customer": s.customer, "contract": s.contract.id, "period": s.period.label,
                "from": s.period.start, "to": s.period.end}  # fmt: skip
        c = s.credit
        yield {
            **keys, "record": "summary", "met": c.met, "breached": c.breached,
            "attainment": float(c.attainment), "target": float(s.contract.target),
            "fee": s.contract.fee.amount, "credit_percent": c.percent,
            "credit_amount": c.amount, "currency": c.currency,
        }  # fmt: skip
        for m in s.metrics:
            yield {**keys, "record": "metric", "metric": m.metric, "met": m.met,
                   "breached": m.breached, "attainment": float(m.attainment)}  # fmt: skip
        for b in s.breaches:
            yield {**keys, "record": "breach", "metric": b.metric, "ticket": b.ticket,
                   "due_at": b.due_at, "stopped_at": b.stopped_at,
                   "overdue_seconds": b.overdue_seconds}  # fmt: skip
        for h in s.history:
            yield {**keys, "record": "history", "period": h.period.label,
                   "from": h.period.start, "to": h.period.end, "met": h.met,
                   "breached": h.breached, "attainment": float(h.attainment)}  # fmt: skip


#: How each format is handed over: a page opens in the browser, files are saved.
_DISPOSITIONS = {"csv": "attachment", "html": "inline", "pdf": "attachment"}
#: What a download's file name keeps of the customer id and period.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(customer: str, period: str, format: str) -> str:
    """The ``Content-Disposition`` of a statement download: ``statement-<customer>-
    <period>.<format>``, the name reduced to safe characters."""
    name = _UNSAFE_IN_NAME.sub("_", f"statement-{customer}-{period.strip()}")[:120]
    return f'{_DISPOSITIONS.get(format, "attachment")}; filename="{name}.{format}"'


def rendered(statements: Sequence[Statement], format: str) -> tuple[bytes, str]:
    """``statements`` written in ``format`` (:data:`FORMATS`) and the media type: a
    JSON array of statement objects, the CSV of :data:`STATEMENT_COLUMNS` (instants in
    the first contract's zone, with their offset), an HTML page or a PDF document."""
    if format == "json":
        return orjson.dumps([s.to_json() for s in statements]), "application/json"
    if format == "csv":
        tz = statements[0].contract.tz if statements else "UTC"
        text = "".join(csv_chunks(STATEMENT_COLUMNS, statement_rows(statements), tz))
        return text.encode(), "text/csv; charset=utf-8"
    if format == "html":
        from slaclock.service.statement_render import statements_html

        return statements_html(statements).encode(), "text/html; charset=utf-8"
    if format == "pdf":
        from slaclock.service.statement_render import statements_pdf

        return statements_pdf(statements), "application/pdf"
    raise ReportError(f"format: {format!r}; expected one of {', '.join(FORMATS)}")
