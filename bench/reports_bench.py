"""Reports over a million instances, on SQLite and PostgreSQL (issue 23).

    .venv/bin/python bench/reports_bench.py [--instances 1000000] [--tickets 20000]
        [--db sqlite|postgresql] (both by default)

The world: ``--tickets`` generated tickets over 90 days (the workload generator and the
example configuration) ingested through the service, so their instances, judgement
fields and tickets are real; then copied, each copy moved 91 days later with new ticket
ids, until there are ``--instances`` instances (years of history in a realistic shape;
the copies are written straight to the tables — the bench measures reports, not
ingest).

Timed, once each: compliance by group x month and by priority x metric x week over the
whole span, the weekday x hour heatmap, the whole SLA log exported as CSV, the contract
statements of every customer for one month (two contracts), and — in the
same run, as the reference — the group x month compliance computed by pandas from the
same rows (read once into a DataFrame; only the computing is timed). Targets (issue
23): compliance <= 1 s on PostgreSQL and <= 3 s on SQLite; CSV export >= 100,000 rows/s.
What-if has its own bench (bench/whatif_bench.py).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.breach_analysis import BreachParams, breach_heatmap
from slaclock.service.compose import services_on
from slaclock.service.exports import csv_chunks
from slaclock.service.ingest import Limits
from slaclock.service.report_log import LOG_COLUMNS, LogParams
from slaclock.service.reports import ReportParams, compliance_report
from slaclock.service.statements import statements_for_all
from slaclock.store.bulk import copy_rows
from slaclock.store.instances import INSTANCES
from slaclock.store.models import InstanceRow, TicketRow
from slaclock.store.testing import drop_scratch, postgres_unreachable_reason, scratch_engine

CONFIG = (
    (Path(__file__).parents[1] / "tests" / "data" / "example_config.yaml").read_text()
    + """
contracts:
  - id: enterprise
    customers: {all: [{field: customer.plan, op: eq, value: enterprise}]}
    period: month
    tz: Europe/Amsterdam
    fee: {amount: 5000, currency: EUR}
    metrics: [first_response, resolution]
    target: 95%
    credits: [{below: 95%, credit: 10%}, {below: 90%, credit: 25%}]
    cap: 50%
  - id: business
    customers: {all: [{field: customer.plan, op: eq, value: business}]}
    period: month
    tz: Europe/Amsterdam
    fee: {amount: 800, currency: EUR}
    metrics: [first_response]
    target: 90%
    credits: [{below: 90%, credit: 5%}]
"""
)
START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 90
SHIFT = timedelta(days=91)
TICKETS = TicketRow.__table__


def build(engine: Engine, tickets: int, instances: int) -> tuple[datetime, int]:
    """The world; returns the end of its span and its instance count."""
    services = services_on(engine)
    services.limits = Limits(future_skew=timedelta(days=4000))
    services.config_apply(CONFIG, "bench", START - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), tickets, DAYS, 17, START))
    for first in range(0, len(events), 10_000):
        services.ingest(events[first : first + 10_000], START + timedelta(days=DAYS))
    with engine.connect() as conn:
        seed_instances = [dict(r._mapping) for r in conn.execute(select(INSTANCES))]
        seed_tickets = [dict(r._mapping) for r in conn.execute(select(TICKETS))]
    copies = max(1, -(-instances // len(seed_instances)))
    for copy in range(1, copies):
        shift = SHIFT * copy
        with engine.begin() as conn:
            copy_rows(conn, TICKETS, [_moved(t, shift, copy, "id") for t in seed_tickets])
            copy_rows(conn, INSTANCES, [_moved(i, shift, copy, "ticket_id")
                                        for i in seed_instances])  # fmt: skip
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        total = conn.execute(select(func.count()).select_from(InstanceRow)).scalar_one()
    return START + SHIFT * copies, int(total)


def _moved(row: dict[str, Any], shift: timedelta, copy: int, key: str) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "pk"}
    out[key] = f"{row[key]}~{copy}"
    for name, value in row.items():
        if isinstance(value, datetime):
            out[name] = value + shift
    return out


def timed(work: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def run(kind: str, tickets: int, instances: int) -> list[tuple[str, str, str]]:
    directory = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    engine = scratch_engine(kind, directory)
    rows: list[tuple[str, str, str]] = []
    try:
        built, (end, total) = timed(lambda: build(engine, tickets, instances))
        print(f"{kind}: {total:,} instances built in {built:.0f} s", flush=True)
        services = services_on(engine)
        as_of = end
        whole = ReportParams(start=START, end=end, as_of=as_of, tz="Europe/Amsterdam")

        def report(by: tuple[str, ...], bucket: str) -> Any:
            params = ReportParams(start=whole.start, end=whole.end, as_of=as_of,
                                  by=by, bucket=bucket, tz=whole.tz)  # fmt: skip
            with services.db.reading() as tx:
                return compliance_report(tx, params)

        seconds, found = timed(lambda: report(("group",), "month"))
        rows.append(
            (kind, "compliance: group x month", f"{seconds:.2f} s ({len(found.rows)} rows)")
        )
        group_month = seconds
        seconds, found = timed(lambda: report(("priority", "metric"), "week"))
        rows.append((kind, "compliance: priority x metric x week",
                     f"{seconds:.2f} s ({len(found.rows)} rows)"))  # fmt: skip
        breach = BreachParams(start=START, end=end, as_of=as_of, tz="Europe/Amsterdam")

        def heatmap() -> Any:
            with services.db.reading() as tx:
                return breach_heatmap(tx, breach)

        seconds, found = timed(heatmap)
        rows.append((kind, "heatmap (weekday x hour of due)", f"{seconds:.2f} s"))
        log = LogParams(start=START, end=end, as_of=as_of)

        def export() -> int:
            written = 0
            for chunk in csv_chunks(LOG_COLUMNS, services.sla_log_rows(log), "UTC"):
                written += chunk.count("\n")
            return written - 1

        seconds, lines = timed(export)
        rate = f"{lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s"
        rows.append((kind, "SLA log CSV export", rate))
        config = services.config_current()[2]

        def statements() -> int:
            with services.db.reading() as tx:
                return len(statements_for_all(tx, config, "2026-02", as_of))

        seconds, count = timed(statements)
        rows.append((kind, "contract statements for every customer (2026-02)",
                     f"{count:,} statements in {seconds:.2f} s"))  # fmt: skip
        pandas_seconds = pandas_reference(engine, START, end, as_of)
        rows.append((kind, "pandas: group x month (reference, compute only)",
                     f"{pandas_seconds:.2f} s; slaclock / pandas = "
                     f"{group_month / pandas_seconds:.2f}"))  # fmt: skip
    finally:
        drop_scratch(engine)
    return rows


def pandas_reference(engine: Engine, start: datetime, end: datetime, as_of: datetime) -> float:
    """Compliance by group x month (UTC months, a simplification that costs pandas
    nothing) from the instance rows, judged by reports.md's rules."""
    i = InstanceRow
    query = select(i.state, i.stopped_at, i.due_at, i.overdue_from, i.started_at, i.dim_group,
                   i.elapsed_seconds)  # fmt: skip
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    began = time.perf_counter()
    for column in ("stopped_at", "due_at", "overdue_from", "started_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    ts = pd.Timestamp(as_of)
    stopped = frame.stopped_at.notna() & (frame.stopped_at <= ts)
    met = (frame.state == "met") & stopped
    breached_stopped = (frame.state == "breached") & stopped
    overdue = ((frame.state == "breached") & (frame.due_at <= ts)) | (
        (frame.state == "running") & (frame.overdue_from <= ts)
    )
    frame["verdict"] = "open"
    frame.loc[overdue, "verdict"] = "breached"
    frame.loc[breached_stopped, "verdict"] = "breached"
    frame.loc[met, "verdict"] = "met"
    frame["judged_at"] = frame.stopped_at.where(met | breached_stopped, frame.due_at)
    frame.loc[frame.verdict == "open", "judged_at"] = frame.started_at
    kept = frame[(frame.state != "cancelled") & (frame.judged_at >= pd.Timestamp(start))
                 & (frame.judged_at < pd.Timestamp(end))]  # fmt: skip
    month = kept.judged_at.dt.tz_convert("Europe/Amsterdam").dt.strftime("%Y-%m")
    table = (
        kept.assign(month=month)
        .groupby(["dim_group", "month"])
        .agg(
            met=("verdict", lambda v: (v == "met").sum()),
            breached=("verdict", lambda v: (v == "breached").sum()),
            p50=("elapsed_seconds", "median"),
        )
    )
    table["compliance"] = table.met / (table.met + table.breached)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    kinds = args.db or ["sqlite", "postgresql"]
    if "postgresql" in kinds and postgres_unreachable_reason():
        print(f"skipping PostgreSQL: {postgres_unreachable_reason()}")
        kinds.remove("postgresql")
    results = []
    for kind in kinds:
        results += run(kind, args.tickets, args.instances)
    print("\n| database | report | time |\n|---|---|---|")
    for kind, name, value in results:
        print(f"| {kind} | {name} | {value} |")


if __name__ == "__main__":
    main()
