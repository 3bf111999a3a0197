"""``slaclock report``: the reports of reports.md from the service's database, as a
table on the terminal, or JSON, CSV or XLSX (docs/reports.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from slaclock.cli.service_cmd import DbUrl, fail, services_at, utc_now

__all__ = ["register"]

FORMATS = ("table", "json", "csv", "xlsx")
#: The compliance figures the terminal table shows (the files carry them all).
TABLE_FIGURES = frozenset({
    "met", "breached", "open", "compliance", "goal_attainment", "met_elapsed_p50",
    "met_elapsed_p90", "breached_overdue_avg",
})  # fmt: skip
From = Annotated[str, typer.Option("--from", help="a date (local midnight in --tz) or an instant")]
To = Annotated[str, typer.Option("--to", help="the end, excluded; as --from")]
AsOf = Annotated[str | None, typer.Option(help="verdicts as of this instant (default: now)")]
Tz = Annotated[str, typer.Option(help="the IANA zone of dates and buckets")]
Format = Annotated[str, typer.Option(help="table, json, csv or xlsx (xlsx needs --output)")]
Output = Annotated[Path | None, typer.Option(help="write here instead of standard output")]


def compliance(
    from_: From,
    to: To,
    by: Annotated[str | None, typer.Option(help="groupings, comma-separated: group,metric")] = None,
    bucket: Annotated[str | None, typer.Option(help="hour, day, week or month")] = None,
    tz: Tz = "UTC",
    date: Annotated[str, typer.Option(help="judged (by judgement) or started (cohorts)")] = (
        "judged"
    ),
    kind: Annotated[str | None, typer.Option(help="sla or ola only")] = None,
    where: Annotated[
        list[str] | None, typer.Option(help="a filter, grouping=value (repeatable)")
    ] = None,
    as_of: AsOf = None,
    format: Format = "table",
    output: Output = None,
    database_url: DbUrl = None,
) -> None:
    """Compliance per group and time bucket: met, breached, open, compliance, goal
    attainment, and elapsed times (avg, min, p50, p90, max)."""
    from slaclock.service.reports import ReportError, ReportParams, report_instant

    if format not in FORMATS:
        raise fail(f"--format: expected one of {', '.join(FORMATS)}, not {format!r}")
    filters = {} if kind is None else {"kind": kind}
    for item in where or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise fail(f"--where: expected grouping=value, not {item!r}")
        filters[name.strip()] = value.strip()
    services = services_at(database_url)
    try:
        params = ReportParams(
            start=report_instant(from_, "--from", tz),
            end=report_instant(to, "--to", tz),
            as_of=report_instant(as_of, "--as-of", tz) if as_of else utc_now(),
            by=tuple(n.strip() for n in by.split(",") if n.strip()) if by else (),
            bucket=bucket,
            tz=tz,
            date="started" if date == "started" else "judged",
            filters=filters,
        )
        if date not in ("judged", "started"):
            raise ReportError(f"--date: expected judged or started, not {date!r}")
        report = services.compliance(params)
    except ReportError as exc:
        raise fail(str(exc)) from None
    write_report(report.columns, report.rows, tz, format, output, "compliance", TABLE_FIGURES)


def write_report(
    columns: Any,
    rows: Any,
    tz: str,
    format: str,
    output: Path | None,
    name: str,
    table_figures: frozenset[str] | None = None,
) -> None:
    """``rows`` in ``format`` to ``output`` (standard output when None); the table
    shows the text and instant columns and, of the rest, ``table_figures`` (all when
    None): a terminal is narrower than a spreadsheet."""
    from slaclock.service.exports import csv_chunks, json_chunks, write_xlsx

    if format == "xlsx":
        if output is None:
            raise fail("--format xlsx needs --output FILE")
        write_xlsx(columns, rows, output, tz, sheet=name.title())
        return
    if format == "table":
        shown = [
            c for c in columns
            if table_figures is None or c.kind in ("text", "instant") or c.name in table_figures
        ]  # fmt: skip
        _print_table(shown, rows, tz)
        return
    chunks = csv_chunks(columns, rows, tz) if format == "csv" else json_chunks(columns, rows)
    if output is None:
        sys.stdout.writelines(chunks)
        return
    with open(output, "w", encoding="utf-8", newline="") as out:
        out.writelines(chunks)


def _print_table(columns: Any, rows: Any, tz: str) -> None:
    """The readable columns of the report as a Rich table."""
    from rich.console import Console
    from rich.table import Table

    from slaclock.service.exports.columns import duration_text, percent_text, zone_named

    zone, zone_name = zone_named(tz)
    table = Table(caption=f"Times in {zone_name}")
    for column in columns:
        table.add_column(column.name, justify="left" if column.kind == "text" else "right")
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column.name)
            if value is None:
                cells.append("")
            elif column.kind == "seconds":
                cells.append(duration_text(value))
            elif column.kind == "ratio":
                cells.append(percent_text(value))
            elif column.kind == "instant":
                cells.append(value.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
            else:
                cells.append(str(value))
        table.add_row(*cells)
    Console(width=200).print(table)


def register(app: typer.Typer) -> None:
    """Add the ``report`` group."""
    report = typer.Typer(help="Reports: compliance and more (docs/reports.md).",
                         no_args_is_help=True)  # fmt: skip
    report.command("compliance")(compliance)
    app.add_typer(report, name="report")
