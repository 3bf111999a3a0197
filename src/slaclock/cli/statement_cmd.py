"""``slaclock report statement``: a customer's contract statements for a period, as
JSON, CSV, HTML or PDF (docs/reports.md, "Contract statements")."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from slaclock.cli.service_cmd import DbUrl, fail, services_at, utc_now

__all__ = ["statement"]

FORMATS = ("json", "csv", "html", "pdf")


def statement(
    customer: Annotated[str, typer.Option(help="the customer's id (customer.id)")],
    period: Annotated[str, typer.Option(help="a month (2026-03) or a quarter (2026-Q1)")],
    contract: Annotated[str | None, typer.Option(help="this contract only")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="verdicts as of this instant (default: now)")
    ] = None,
    format: Annotated[str, typer.Option(help="json, csv, html or pdf (pdf needs --output)")] = (
        "json"
    ),
    output: Annotated[
        Path | None, typer.Option(help="write here instead of standard output")
    ] = None,
    database_url: DbUrl = None,
) -> None:
    """A customer's statement per contract that applies: attainment per metric and
    overall against the target, each breach, the credit tier and the amount owed, and
    the attainment of the last 12 periods."""
    from slaclock.service.reports import ReportError, report_instant
    from slaclock.service.statements import customer_statements, rendered

    if format not in FORMATS:
        raise fail(f"--format: expected one of {', '.join(FORMATS)}, not {format!r}")
    if format == "pdf" and output is None:
        raise fail("--format pdf needs --output FILE")
    services = services_at(database_url)
    try:
        at = report_instant(as_of, "--as-of", "UTC") if as_of else utc_now()
        found = customer_statements(services, customer, period, at, contract)
    except ReportError as exc:
        message = str(exc)  # "period: …" names the option --period
        named = message.split(":", 1)[0] in ("customer", "period", "contract")
        raise fail(f"--{message}" if named else message) from None
    finally:
        services.close()
    if not found:
        label = period.strip()
        raise fail(
            f"contract {contract!r} does not apply to customer {customer!r} in {label!r}"
            if contract
            else f"no contract applies to customer {customer!r} in {label!r}"
        )
    body, _ = rendered(found, format)
    if format == "json":
        body += b"\n"
    if output is not None:
        output.write_bytes(body)
        return
    sys.stdout.write(body.decode())
    sys.stdout.flush()
