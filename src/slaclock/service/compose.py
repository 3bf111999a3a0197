"""The composition root: the one place that opens a database and builds :class:`Services`.

The CLI commands, the ASGI entry points of the API and the dashboard, and the demo
all get their ``Services`` here; none of them opens the database itself, so how a
process connects (the URL, the SQLite set-up, the schema upgrade) is decided once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from slaclock.service.app_state import Services
from slaclock.service.ingest import DEFAULT_MAX_TICKET_EVENTS, Limits
from slaclock.store.database import Database
from slaclock.store.db import default_url

if TYPE_CHECKING:
    from slaclock.service.deliverer import Sender
    from slaclock.service.worker import Worker

__all__ = [
    "BASE_URL_ENV",
    "MAX_TICKET_EVENTS_ENV",
    "database_url",
    "max_ticket_events",
    "notification_worker",
    "open_services",
    "services_on",
    "upgrade_database",
]

MAX_TICKET_EVENTS_ENV = "SLACLOCK_MAX_TICKET_EVENTS"
#: Sends a notification worker keeps in flight at once (threads, and HTTP connections).
SEND_CONCURRENCY = 16
#: The address people reach the dashboard at: the links in messages.
BASE_URL_ENV = "SLACLOCK_BASE_URL"


def database_url(url: str | None = None) -> str:
    """``url``, else ``SLACLOCK_DATABASE_URL``, else the SQLite file ``./var/slaclock.db``."""
    return url or default_url()


def open_services(url: str | None = None, *, upgrade: bool = False) -> Services:
    """Services on the database at ``url`` (see :func:`database_url`); with ``upgrade``
    its schema is brought up to date first."""
    limit = max_ticket_events(os.environ)
    database = Database.open(database_url(url))
    if upgrade:
        database.upgrade()
    return Services(database, Limits(max_ticket_events=limit))


def max_ticket_events(environ: Mapping[str, str]) -> int:
    """``SLACLOCK_MAX_TICKET_EVENTS`` of ``environ`` (a whole number ≥ 1), else the
    default; a bad value is an error naming the variable, not a silent default."""
    text = environ.get(MAX_TICKET_EVENTS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_TICKET_EVENTS
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{MAX_TICKET_EVENTS_ENV}: expected a whole number ≥ 1, not {text!r}")
    return int(text)


def upgrade_database(url: str | None = None) -> None:
    """Create or migrate the schema of the database at ``url``, then let it go."""
    database = Database.open(database_url(url))
    try:
        database.upgrade()
    finally:
        database.close()


def services_on(engine: Engine) -> Services:
    """Services on an engine made elsewhere (a test's scratch database, a benchmark's)."""
    return Services(Database(engine))


def notification_worker(
    services: Services, environ: Mapping[str, str], now: Callable[[], datetime]
) -> tuple[Worker, Callable[[], None]]:
    """The notification worker of this process and a ``close`` for what it opened: it
    delivers webhooks always and email when ``SLACLOCK_SMTP_URL`` is set."""
    import httpx

    from slaclock.service.acknowledgements import ACK_SECRET_ENV
    from slaclock.service.channels.email import smtp_settings
    from slaclock.service.worker import Worker, webhook_sender

    client = httpx.Client(limits=httpx.Limits(max_connections=SEND_CONCURRENCY))
    base_url = environ.get(BASE_URL_ENV, "")
    hooks = webhook_sender(services, environ, client, base_url)
    senders: dict[str, Sender] = {"webhook": hooks, "slack": hooks}
    smtp = smtp_settings(environ)
    if smtp is not None:
        from slaclock.service.email_sender import email_sender

        senders["email"] = email_sender(services, smtp, base_url)
    ack_secret = environ.get(ACK_SECRET_ENV) or None
    pool = ThreadPoolExecutor(SEND_CONCURRENCY, thread_name_prefix="slaclock-send")

    def close() -> None:
        pool.shutdown(wait=True)
        client.close()

    return Worker(services, senders, now, base_url, ack_secret, pool), close
