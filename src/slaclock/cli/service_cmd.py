"""Running and administering the service: ``serve``, ``db``, ``rebuild``, ``token``,
``config``, and ``demo`` (in :mod:`slaclock.cli.service_demo`).

Every command opens the database named by ``--database-url`` or
``SLACLOCK_DATABASE_URL`` (default: the SQLite file ``./var/slaclock.db``) through the
service's composition root (:mod:`slaclock.service.compose`). Commands print results on
stdout and problems on stderr, with exit code 2 for bad input.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from slaclock.cli.errors import exit_on_error
from slaclock.cli.inputs import read_input
from slaclock.cli.options import config_argument, config_option, one_config
from slaclock.core.errors import ConfigError

if TYPE_CHECKING:
    from slaclock.service.app_state import Services

__all__ = ["http_settings", "register"]

ROLES = ("admin", "agent", "viewer", "ingest")
DbUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="SLACLOCK_DATABASE_URL", help="SQLAlchemy URL"),
]


def utc_now() -> datetime:
    return datetime.now(UTC)


def services_at(url: str | None) -> Services:
    """Services on the database at ``url``, its schema brought up to date first
    (imported here: the service and SQLAlchemy cost start-up time other commands
    would pay)."""
    from slaclock.service.compose import open_services

    return open_services(url, upgrade=True)


def fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(2)


def http_settings(max_header_bytes: int) -> dict[str, Any]:
    """uvicorn's settings for a server that holds at most about ``max_header_bytes`` of
    a request's head: the h11 parser, which stops reading a head past that size (400,
    connection closed). uvicorn's default parser, httptools, gathers a header of any
    size before anything can look at it."""
    return {"http": "h11", "h11_max_incomplete_event_size": max_header_bytes}


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (PostgreSQL only)")] = 1,
    max_header_bytes: Annotated[
        int | None,
        typer.Option(
            min=1024,
            envvar="SLACLOCK_MAX_HEADER_BYTES",
            help="largest request target and header fields, in bytes (default 16384)",
        ),
    ] = None,
    no_worker: Annotated[
        bool,
        typer.Option("--no-worker", help="do not fire notifications here (run `slaclock worker`)"),
    ] = False,
    database_url: DbUrl = None,
) -> None:
    """Run the dashboard and REST API with uvicorn, upgrading the database schema first;
    each process also runs a notification worker unless told ``--no-worker``."""
    import uvicorn

    from slaclock.api.limits import DEFAULT_MAX_HEADER_BYTES, HEADER_BYTES_ENV
    from slaclock.service.compose import database_url as resolve_url
    from slaclock.service.compose import upgrade_database
    from slaclock.web.asgi import NOTIFY_WORKER_ENV

    url = resolve_url(database_url)
    if workers > 1 and url.startswith("sqlite"):
        raise fail("several workers need PostgreSQL: SQLite has a single writer; use --workers 1")
    upgrade_database(url)
    header_bytes = DEFAULT_MAX_HEADER_BYTES if max_header_bytes is None else max_header_bytes
    os.environ["SLACLOCK_DATABASE_URL"] = url  # each worker builds its engine from it
    os.environ[HEADER_BYTES_ENV] = str(header_bytes)  # and its header cap
    os.environ[NOTIFY_WORKER_ENV] = "0" if no_worker else "1"
    os.environ.setdefault("SLACLOCK_BASE_URL", f"http://{host}:{port}")  # links in messages
    if not os.environ.get("SLACLOCK_ACK_SECRET"):  # shared by this serve's processes only
        os.environ["SLACLOCK_ACK_SECRET"] = secrets.token_urlsafe(32)
        typer.echo("note: SLACLOCK_ACK_SECRET is not set: acknowledgement links last until restart")
    if not os.environ.get("SLACLOCK_CUSTOMER_LINK_SECRET"):  # none made up: links go to customers
        typer.echo("note: SLACLOCK_CUSTOMER_LINK_SECRET is not set: customer links are off")
    typer.echo(f"slaclock dashboard on http://{host}:{port}/ ({url.split('://')[0]})")
    typer.echo(f"REST API on http://{host}:{port}/api/v1 (docs at /docs)")
    uvicorn.run(
        "slaclock.web.asgi:build",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **http_settings(header_bytes),
    )


def worker(database_url: DbUrl = None) -> None:
    """Fire reminders and escalations when due and deliver their messages, until
    interrupted (SIGINT or SIGTERM). Several may run against PostgreSQL; one on SQLite."""
    import signal
    import threading

    from slaclock.service.compose import database_url as resolve_url
    from slaclock.service.compose import notification_worker

    url = resolve_url(database_url)
    services = services_at(url)
    notifier, close = notification_worker(services, os.environ, utc_now)
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()
        notifier.stop.set()
        services.schedule_changed.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    channels = ", ".join(sorted(notifier.senders))
    typer.echo(f"slaclock worker on {url.split('://')[0]}: delivering by {channels}")
    if "email" in notifier.senders and not notifier.base_url:
        typer.echo("warning: SLACLOCK_BASE_URL is not set: emails cannot link to tickets and fail")
    try:
        thread = threading.Thread(target=notifier.run, name="slaclock-notify")
        thread.start()
        while thread.is_alive():
            thread.join(timeout=0.5)
            if stopping.is_set():
                notifier.shutdown()
    finally:
        close()
        services.close()


def db_upgrade(database_url: DbUrl = None) -> None:
    """Create or migrate the database schema to the latest version."""
    from slaclock.service.compose import upgrade_database

    upgrade_database(database_url)
    typer.echo("database schema is up to date")


def rebuild(database_url: DbUrl = None) -> None:
    """Recompute every ticket's projection from the stored events."""
    from rich.progress import Progress

    services = services_at(database_url)
    with Progress() as progress:
        task = progress.add_task("rebuilding tickets", total=None)

        def report(done: int, total: int | None = None, *_: Any) -> None:
            progress.update(task, completed=done, total=total)

        counts = services.rebuild(report)
    typer.echo(f"rebuilt: {counts}")


def token_create(
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    name: Annotated[str, typer.Option(help="who or what the token is for")],
    database_url: DbUrl = None,
) -> None:
    """Create an API token; its secret is printed alone on the last line, once."""
    if role not in ROLES:
        raise fail(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    services = services_at(database_url)
    token_id, secret = services.tokens.create(role, name, utc_now())
    typer.echo(f"created token {token_id} ({role}) for {name!r}; keep the secret below")
    typer.echo(secret)


def token_list(database_url: DbUrl = None) -> None:
    """List tokens: id, role, name, created, revoked (never the secrets)."""
    services = services_at(database_url)
    for info in services.tokens.list():
        revoked = f"revoked {info.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if info.revoked_at else "active"
        created = f"{info.created_at:%Y-%m-%dT%H:%M:%SZ}"
        typer.echo(f"{info.id}\t{info.role}\t{info.name}\t{created}\t{revoked}")


def token_revoke(token_id: str, database_url: DbUrl = None) -> None:
    """Revoke a token by id; it stops working at once."""
    services = services_at(database_url)
    if not services.tokens.revoke(token_id):
        raise fail(f"no active token {token_id!r}")
    typer.echo(f"revoked {token_id}")


def outbox_list(
    state: Annotated[
        str | None,
        typer.Option(help="pending, held, failed, sent or dead (default: any)"),
    ] = None,
    ticket: Annotated[str | None, typer.Option(help="only this ticket's")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="at most this many")] = 100,
    database_url: DbUrl = None,
) -> None:
    """List notification deliveries, oldest first: id, status (pending, held for quiet
    hours, failed and retrying, sent, dead), attempts, type, ticket, recipient, channel,
    created, and the last error."""
    from slaclock.service.notifications import STATUSES, DeliveryFilters

    if state is not None and state not in STATUSES:
        raise fail(f"--state: expected one of {', '.join(STATUSES)}, not {state!r}")
    services = services_at(database_url)
    try:
        page = services.notifications(DeliveryFilters(ticket=ticket, state=state), None, limit)
    except ValueError as exc:
        raise fail(str(exc)) from None
    for row in page.rows:
        created = f"{row.created_at:%Y-%m-%dT%H:%M:%SZ}"
        error = row.last_error or ""
        typer.echo(
            f"{row.id}\t{row.status}\t{row.attempts}\t{row.type}\t{row.ticket}\t"
            f"{row.recipient}\t{row.channel}\t{created}\t{error}"
        )


def outbox_retry(
    delivery_id: Annotated[str, typer.Argument(help="the delivery's id (d_...)")],
    database_url: DbUrl = None,
) -> None:
    """Send a dead delivery again, under the same id (a running worker takes it)."""
    services = services_at(database_url)
    done = services.retry_notification(delivery_id, utc_now())
    if done is None:
        raise fail(f"no delivery {delivery_id!r}")
    if not done:
        raise fail(f"delivery {delivery_id!r} is not dead; only dead deliveries are retried")
    typer.echo(f"{delivery_id} is pending again")


def config_apply(
    file: Path | None = config_argument(),
    config: Path | None = config_option(required=False),
    author: Annotated[str | None, typer.Option(help="recorded with the version")] = None,
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            min=0,
            help="apply only if this is still the current version (0: none yet)",
        ),
    ] = None,
    database_url: DbUrl = None,
) -> None:
    """Validate the configuration file and store it as the new configuration version."""
    from slaclock.service.config_versions import ConfigConflict

    file = one_config(config, file)
    with exit_on_error():
        text = read_input(file, "configuration")
    services = services_at(database_url)
    with exit_on_error():
        try:
            version = services.config_apply(
                text, author or os.environ.get("USER", "cli"), utc_now(), if_version
            )
        except ConfigError as exc:  # name the file given, not the service's "<config>"
            problems = [dataclasses.replace(p, file=str(file)) for p in exc.problems]
            raise ConfigError(problems) from exc
        except ConfigConflict as exc:
            raise fail(
                f"--if-version: the configuration is at version {exc.current}, not "
                f"{exc.base}; nothing applied (see `slaclock config show`)"
            ) from exc
    typer.echo(f"applied {file} as configuration version {version}")


def config_show(database_url: DbUrl = None) -> None:
    """Print the current configuration text."""
    version, text, _ = services_at(database_url).config_current()
    if not version:
        raise fail("no configuration has been applied yet")
    typer.echo(text, nl=not text.endswith("\n"))


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``worker``, ``rebuild``, ``demo`` and the ``db``, ``token``, ``config``
    groups."""
    from slaclock.cli import service_demo

    app.command()(serve)
    app.command()(worker)
    app.command()(rebuild)
    app.command()(service_demo.demo)
    db = typer.Typer(help="Database schema.", no_args_is_help=True)
    db.command("upgrade")(db_upgrade)
    app.add_typer(db, name="db")
    token = typer.Typer(help="API tokens.", no_args_is_help=True)
    token.command("create")(token_create)
    token.command("list")(token_list)
    token.command("revoke")(token_revoke)
    app.add_typer(token, name="token")
    outbox = typer.Typer(help="Notification deliveries.", no_args_is_help=True)
    outbox.command("list")(outbox_list)
    outbox.command("retry")(outbox_retry)
    app.add_typer(outbox, name="outbox")
    config = typer.Typer(help="The service's configuration versions.", no_args_is_help=True)
    config.command("apply")(config_apply)
    config.command("show")(config_show)
    app.add_typer(config, name="config")
