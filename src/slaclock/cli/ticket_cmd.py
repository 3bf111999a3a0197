"""``slaclock ticket``: acting on one ticket of the service. ``ticket customer-link``
makes the signed, expiring link that shows the ticket's customer when a reply or a fix
is due (docs/dashboard.md, "Customer view"), as ``POST /api/v1/tickets/{id}/customer-link``
does."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from slaclock.cli.service_cmd import DbUrl, fail, services_at, utc_now

__all__ = ["register"]


def customer_link(
    ticket: Annotated[str, typer.Argument(metavar="TICKET", help="the ticket's id")],
    days: Annotated[
        int | None,
        typer.Option(min=1, max=365, help="days the link works (default 30)"),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="SLACLOCK_BASE_URL",
            metavar="URL",
            help="the dashboard's address the customer opens (e.g. https://sla.example.com)",
        ),
    ] = None,
    database_url: DbUrl = None,
) -> None:
    """Make a customer link for TICKET: its expiry, then the link alone on the last line.
    Needs SLACLOCK_CUSTOMER_LINK_SECRET (the server's)."""
    from slaclock.service.customer_links import LinksDisabled, link_expiry, link_secret

    try:
        secret = link_secret(os.environ)
    except LinksDisabled as exc:
        raise fail(str(exc)) from None
    if not base_url:
        raise fail("give --base-url URL or set SLACLOCK_BASE_URL: the address the link opens")
    expires = link_expiry(utc_now(), days)
    link = services_at(database_url).customer_link(ticket, secret, base_url, expires)
    if link is None:
        raise fail(f"no ticket {ticket!r}")
    typer.echo(f"customer link for {ticket}, valid until {link.to_json()['expires_at']}")
    typer.echo(link.url)


def register(app: typer.Typer) -> None:
    """Add the ``ticket`` group."""
    ticket = typer.Typer(help="Acting on one ticket.", no_args_is_help=True)
    ticket.command("customer-link")(customer_link)
    app.add_typer(ticket, name="ticket")
