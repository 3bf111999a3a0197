"""A world for the contract-statement tests (service, API, CLI): the example
configuration with three contracts, ticket and instance rows written straight into
the projection tables (so each count, tier boundary and period edge is exactly what
the test says), and the statement's figures computed in plain Python from the stored
rows, independently of the service's queries.

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from kit.statements import CONFIG_TEXT, Rows, expected
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from slaclock.core.conditions import evaluate
from slaclock.core.model import Contract
from slaclock.store.models import InstanceRow, TicketRow

AMS = ZoneInfo("Europe/Amsterdam")
EXAMPLE = (Path(__file__).resolve().parents[1] / "data" / "example_config.yaml").read_text()

#: ``enterprise-eu`` is the spec's example with a cap below its last tier;
#: ``premium`` has a fee whose credit needs half-even rounding (100.25 x 10% = 10.025);
#: ``us-quarterly`` runs by quarter in New York.
CONTRACTS = """
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
    cap: 40%
    exclude: {any: [{field: tags, op: contains, value: customer_caused}]}
  - id: premium
    name: Premium first response
    customers: {all: [{field: customer.premium, op: eq, value: true}]}
    period: month
    tz: Europe/Amsterdam
    fee: {amount: 100.25, currency: EUR}
    metrics: [first_response]
    target: 90%
    credits:
      - {below: 90%, credit: 10%}
  - id: us-quarterly
    name: US quarterly
    customers: {all: [{field: customer.region, op: eq, value: US}]}
    period: quarter
    tz: America/New_York
    fee: {amount: 3000, currency: USD}
    metrics: [resolution]
    target: 99%
    credits:
      - {below: 99%, credit: 5%}
"""
CONFIG_TEXT = EXAMPLE + CONTRACTS


class Rows:
    """Ticket and instance rows to write into a migrated database."""

    def __init__(self) -> None:
        self.tickets: dict[str, dict[str, Any]] = {}
        self.instances: list[dict[str, Any]] = []

    def ticket(
        self,
        ticket: str,
        customer: str,
        plan: str = "enterprise",
        *,
        premium: bool = False,
        region: str = "EU",
        tags: Iterable[str] = (),
        created: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    ) -> str:
        fields = {
            "status": "solved",
            "priority": "normal",
            "tags": list(tags),
            "customer": {"id": customer, "plan": plan, "premium": premium, "region": region},
        }
        self.tickets[ticket] = {
            "id": ticket, "created": True, "deleted": False, "status": "solved",
            "customer_id": customer, "customer_plan": plan, "created_at": created,
            "projected_at": created, "fields": fields,
        }  # fmt: skip
        return ticket

    def judged(
        self,
        ticket: str,
        metric: str,
        verdict: str,
        at: datetime,
        *,
        overdue: int = 0,
        kind: str = "sla",
        customer: str | None = None,
        target: int = 3600,
        state: str | None = None,
    ) -> None:
        """An instance stopped at ``at``: met 10 minutes early, or breached ``overdue``
        seconds late (on the 24x7 calendar, so open time is wall time)."""
        late = verdict == "breached"
        due = at - timedelta(seconds=overdue) if late else at + timedelta(minutes=10)
        elapsed = target + overdue if late else target - 600
        self._add(ticket, metric, kind, customer, state or verdict, due, at, target, elapsed)

    def running_breach(
        self, ticket: str, metric: str, due: datetime, projected: datetime, target: int = 3600
    ) -> None:
        """A clock still running past ``due``, last projected at ``projected``."""
        elapsed = target + (projected - due).total_seconds()
        self._add(ticket, metric, "sla", None, "running", due, None, target, elapsed,
                  overdue_from=due)  # fmt: skip
        self.tickets[ticket]["projected_at"] = projected

    def _add(
        self,
        ticket: str,
        metric: str,
        kind: str,
        customer: str | None,
        state: str,
        due: datetime,
        stopped: datetime | None,
        target: int,
        elapsed: float,
        overdue_from: datetime | None = None,
    ) -> None:
        cycle = sum(1 for i in self.instances if (i["ticket_id"], i["metric"]) == (ticket, metric))
        owner = customer or self.tickets[ticket]["customer_id"]
        self.instances.append({
            "ticket_id": ticket, "kind": kind, "metric": metric, "cycle": cycle,
            "policy": "enterprise", "policy_version": 1, "calendar": "24x7", "state": state,
            "open": stopped is None, "breached": state == "breached" or overdue_from is not None,
            "started_at": due - timedelta(seconds=target), "due_at": due, "stopped_at": stopped,
            "overdue_from": overdue_from, "target_seconds": float(target),
            "elapsed_seconds": float(elapsed), "paused_seconds": 0.0, "sort_key": 0,
            "dim_customer": owner, "customer_id": owner, "json": {}, "digest": "x",
        })  # fmt: skip

    def save(self, engine: Engine) -> None:
        with engine.begin() as conn:
            if self.tickets:
                conn.execute(insert(TicketRow), list(self.tickets.values()))
            if self.instances:
                conn.execute(insert(InstanceRow), self.instances)


# ------------------------------------------------------------------- plain Python


def stored(engine: Engine) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every instance row, and every ticket row by id."""
    with engine.connect() as conn:
        instances = [dict(r._mapping) for r in conn.execute(select(*InstanceRow.__table__.c))]
        tickets = {r.id: dict(r._mapping) for r in conn.execute(select(*TicketRow.__table__.c))}
    return instances, tickets


def verdict(row: Mapping[str, Any], as_of: datetime) -> tuple[str, datetime] | None:
    """reports.md's table: (met or breached, judgement instant); None: not judged."""
    if row["state"] == "cancelled" or row["started_at"] is None or row["started_at"] > as_of:
        return None
    stopped = row["stopped_at"]
    if row["state"] in ("met", "breached") and stopped is not None and stopped <= as_of:
        return row["state"], stopped
    overdue = {"breached": row["due_at"], "running": row["overdue_from"]}.get(row["state"])
    return ("breached", row["due_at"]) if overdue is not None and overdue <= as_of else None


def expected(
    engine: Engine,
    contract: Contract,
    customer: str,
    start: datetime,
    end: datetime,
    as_of: datetime,
) -> dict[str, Any]:
    """The statement's figures from the stored rows: ``met``, ``breached``,
    ``metrics`` {m: (met, breached)}, ``breaches`` {(ticket, metric, judged_at)},
    ``credit_amount`` (Decimal) and ``credit_rate``."""
    instances, tickets = stored(engine)
    per_metric = {m: [0, 0] for m in contract.metrics}
    breaches = set()
    for row in instances:
        found = verdict(row, as_of)
        if row["kind"] != "sla" or row["metric"] not in contract.metrics or found is None:
            continue
        if row["dim_customer"] != customer or not start <= found[1] < end:
            continue
        fields = tickets[row["ticket_id"]]["fields"] or {}
        if not evaluate(contract.customers, fields):
            continue
        if contract.exclude is not None and evaluate(contract.exclude, fields):
            continue
        per_metric[row["metric"]][found[0] == "breached"] += 1
        if found[0] == "breached":
            breaches.add((row["ticket_id"], row["metric"], found[1]))
    met = sum(m for m, _ in per_metric.values())
    breached = sum(b for _, b in per_metric.values())
    achieved = Fraction(1) if met + breached == 0 else Fraction(met, met + breached)
    rates = [t.credit for t in contract.credits if achieved < Fraction(t.below)]
    rate = min(max(rates), contract.cap) if rates else Decimal(0)
    amount = (contract.fee.amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return {
        "met": met, "breached": breached, "attainment": achieved,
        "metrics": {m: tuple(v) for m, v in per_metric.items()}, "breaches": breaches,
        "credit_rate": rate, "credit_amount": amount,
    }  # fmt: skip
