"""``slaclock report``: the reports of reports.md from the service's database, as a
table on the terminal, or JSON, CSV or XLSX (docs/reports.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slaclock.cli.service_cmd import DbUrl, fail, services_at, utc_now
from slaclock.cli.statement_cmd import statement

if TYPE_CHECKING:
    from slaclock.service.reports import Window

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
Where = Annotated[list[str] | None, typer.Option(help="a filter, grouping=value (repeatable)")]


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
    where: Where = None,
    as_of: AsOf = None,
    format: Format = "table",
    output: Output = None,
    database_url: DbUrl = None,
) -> None:
    """Compliance per group and time bucket: met, breached, open, compliance, goal
    attainment, and elapsed times (avg, min, p50, p90, max)."""
    from slaclock.service.reports import ReportError, ReportParams

    _check_format(format)
    filters = _filters(where, kind)
    services = services_at(database_url)
    try:
        params = ReportParams(
            **_window(from_, to, as_of, tz),
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


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise fail(f"--format: expected one of {', '.join(FORMATS)}, not {format!r}")


def _window(from_: str, to: str, as_of: str | None, tz: str) -> Window:
    """``start``, ``end`` and ``as_of`` (now unless given) of a report's options;
    ReportError naming the option that is neither a date nor an instant."""
    from slaclock.service.reports import report_window

    return report_window(from_, to, as_of, tz, utc_now(), ("--from", "--to", "--as-of"))


def _filters(where: list[str] | None, kind: str | None = None) -> dict[str, str]:
    filters = {} if kind is None else {"kind": kind}
    for item in where or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise fail(f"--where: expected grouping=value, not {item!r}")
        filters[name.strip()] = value.strip()
    return filters


def log(
    from_: From,
    to: To,
    tz: Tz = "UTC",
    where: Where = None,
    ticket: Annotated[str | None, typer.Option(help="one ticket's instances")] = None,
    judged: Annotated[str | None, typer.Option(help="met, breached, open (comma-separated)")] = (
        None
    ),
    sort: Annotated[str, typer.Option(help="judged, due, started, elapsed or overdue")] = "judged",
    descending: Annotated[bool, typer.Option("--desc", help="largest first")] = False,
    as_of: AsOf = None,
    format: Format = "csv",
    output: Output = None,
    database_url: DbUrl = None,
) -> None:
    """The SLA log: one row per instance judged in the range (or open and started in
    it) with every column of reports.md, streamed (a progress bar on long exports)."""
    from slaclock.service.report_log import LOG_COLUMNS, LogParams
    from slaclock.service.reports import ReportError

    _check_format(format)
    services = services_at(database_url)
    try:
        params = LogParams(
            **_window(from_, to, as_of, tz),
            filters=_filters(where),
            ticket=ticket,
            judged=tuple(v.strip() for v in judged.split(",") if v.strip()) if judged else (),
            sort=sort,
            descending=descending,
        )
        rows = services.sla_log_rows(params)
    except ReportError as exc:
        raise fail(str(exc)) from None
    with _progress(output is not None) as counted:
        write_report(LOG_COLUMNS, counted(rows), tz, format, output, "sla-log", LOG_TABLE)


#: The log's columns the terminal table shows.
LOG_TABLE = frozenset({"ticket", "metric", "cycle", "judged", "elapsed_seconds",
                       "remaining_seconds"})  # fmt: skip


def breach(name: str, help_text: str, **options: Any) -> Any:
    """A command running the breach-analysis report ``name``; ``options`` are its own
    options as (Typer annotation, default)."""

    def command(
        from_: From,
        to: To,
        tz: Tz = "UTC",
        where: Where = None,
        as_of: AsOf = None,
        format: Format = "table",
        output: Output = None,
        database_url: DbUrl = None,
        **own: Any,
    ) -> None:
        from slaclock.service.breach_analysis import BreachParams
        from slaclock.service.reports import ReportError

        _check_format(format)
        services = services_at(database_url)
        try:
            params = BreachParams(
                **_window(from_, to, as_of, tz),
                tz=tz,
                filters=_filters(where),
            )
            report = services.breach_report(name, params, _options(own))
        except ReportError as exc:
            raise fail(str(exc)) from None
        write_report(report.columns, report.rows, tz, format, output, name)

    command.__doc__ = help_text
    command.__name__ = name
    return _with_options(command, options)


def _options(given: dict[str, Any]) -> dict[str, Any]:
    """The report's own options: comma-separated dimensions as a tuple."""
    out = dict(given)
    if isinstance(out.get("dimensions"), str):
        out["dimensions"] = tuple(d.strip() for d in out["dimensions"].split(",") if d.strip())
    return out


def _with_options(command: Any, options: dict[str, Any]) -> Any:
    """``command`` with the keyword-only parameters ``options`` in its signature, so
    Typer offers them (``**own`` is not a signature Typer reads)."""
    import inspect
    from typing import get_type_hints

    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)  # the annotations, resolved
    shared = [
        p.replace(annotation=hints[p.name])
        for p in signature.parameters.values()
        if p.kind != p.VAR_KEYWORD
    ]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                          default=default)
        for name, (annotation, default) in options.items()
    ]  # fmt: skip

    def wrapper(**kwargs: Any) -> None:
        own = {name: kwargs.pop(name) for name in options}
        command(**kwargs, **own)

    wrapper.__doc__ = command.__doc__
    wrapper.__name__ = command.__name__
    wrapper.__signature__ = signature.replace(parameters=[*shared, *extra])  # type: ignore[attr-defined]
    return wrapper


def _progress(show: bool) -> Any:
    """A context giving ``counted(rows)``: the rows, with a Rich progress line on
    standard error while they are written (when writing a file)."""
    import contextlib

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    @contextlib.contextmanager
    def context() -> Any:
        if not show:
            yield lambda rows: rows
            return
        columns = (SpinnerColumn(), TextColumn("{task.completed:,} rows"), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task("export", total=None)

            def counted(rows: Any) -> Any:
                for row in rows:
                    progress.advance(task)
                    yield row

            yield counted

    return context()


def snapshot(
    report: Annotated[str, typer.Argument(help="compliance, log, heatmap, trend, top, …")],
    param: Annotated[
        list[str] | None, typer.Option(help="a parameter name=value, as the API's (repeatable)")
    ] = None,
    format: Annotated[str, typer.Option(help="json, csv or xlsx")] = "json",
    author: Annotated[str, typer.Option(help="recorded with the snapshot")] = "cli",
    database_url: DbUrl = None,
) -> None:
    """Produce a report and keep its bytes for disputes: prints the snapshot's id and
    SHA-256 (``as_of`` is fixed now unless given)."""
    from slaclock.service.reports import ReportError

    params = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise fail(f"--param: expected name=value, not {item!r}")
        params[name.strip()] = value.strip()
    services = services_at(database_url)
    try:
        taken = services.snapshot_take(report, params, format, author, utc_now())
    except ReportError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{taken.id}\tsha256:{taken.sha256}\t{taken.size} bytes\t"
               f"config v{taken.config_version}\tas of {taken.as_of.isoformat()}")  # fmt: skip


def snapshots(
    limit: Annotated[int, typer.Option(min=1, max=500, help="at most this many")] = 50,
    database_url: DbUrl = None,
) -> None:
    """List the latest snapshots: id, report, format, as_of, SHA-256, author, taken."""
    for found in services_at(database_url).snapshots(limit):
        typer.echo(
            f"{found.id}\t{found.report}\t{found.format}\t{found.as_of.isoformat()}\t"
            f"sha256:{found.sha256}\t{found.author}\t{found.created_at.isoformat()}"
        )


def snapshot_get(
    snapshot_id: Annotated[str, typer.Argument(help="the id snapshot printed (s_...)")],
    output: Output = None,
    database_url: DbUrl = None,
) -> None:
    """Write a snapshot's bytes, exactly as produced, after checking their SHA-256."""
    import hashlib

    found = services_at(database_url).snapshot(snapshot_id, with_content=True)
    if found is None or found.content is None:
        raise fail(f"no snapshot {snapshot_id!r}")
    if hashlib.sha256(found.content).hexdigest() != found.sha256:
        raise fail(f"snapshot {snapshot_id}: its bytes no longer match their SHA-256")
    if output is None:
        sys.stdout.buffer.write(found.content)
        sys.stdout.flush()
    else:
        output.write_bytes(found.content)


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
    report.command("statement")(statement)
    report.command("log")(log)
    report.command("snapshot")(snapshot)
    report.command("snapshots")(snapshots)
    report.command("snapshot-get")(snapshot_get)
    report.command("heatmap")(
        breach(
            "heatmap",
            "Breaches by local weekday x hour of the due time (or the creation).",
            by=(Annotated[str, typer.Option(help="due or created")], "due"),
        )
    )
    report.command("trend")(
        breach(
            "trend",
            "Breaches per time bucket, every bucket of the range listed.",
            bucket=(Annotated[str, typer.Option(help="hour, day, week or month")], "day"),
        )
    )
    report.command("top")(
        breach(
            "top",
            "The policies, groups, customers and agents with the most breaches.",
            dimensions=(
                Annotated[str, typer.Option(help="groupings, comma-separated")],
                "policy,group,customer,assignee",
            ),
            limit=(Annotated[int, typer.Option(min=1, max=100, help="values per grouping")], 10),
        )
    )
    report.command("attribution")(
        breach("attribution", "OLA attribution: the OLA breaches behind each SLA breach.")
    )
    report.command("pauses")(breach(
        "pauses", "Paused time by assignee and status, and the clocks parked in pauses.",
        threshold=(Annotated[float, typer.Option(min=0, max=1,
                                                 help="a paused share above it is parked")], 0.5),
    ))  # fmt: skip
    app.add_typer(report, name="report")
