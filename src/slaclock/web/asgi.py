"""The ASGI entry point for uvicorn (``--factory``): the API with the dashboard, and the
process's notification worker.

Like ``slaclock.api.asgi.build``, each worker process builds its own services from
``SLACLOCK_DATABASE_URL`` through the composition root. Unless
``SLACLOCK_NOTIFY_WORKER=0`` (``slaclock serve --no-worker``), it also runs a
notification worker in a thread for the app's lifetime: on PostgreSQL the workers of
several processes share the work (``SKIP LOCKED``), never firing an entry twice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from slaclock.service.compose import notification_worker, open_services
from slaclock.web.site import create_site

__all__ = ["NOTIFY_WORKER_ENV", "build"]

NOTIFY_WORKER_ENV = "SLACLOCK_NOTIFY_WORKER"


def build() -> FastAPI:
    """A fresh site (API + dashboard) on the configured database."""
    services = open_services()
    app = create_site(services)
    if os.environ.get(NOTIFY_WORKER_ENV, "1") != "0":

        @asynccontextmanager
        async def with_worker(app: FastAPI) -> AsyncIterator[None]:
            worker, close = notification_worker(services, os.environ, lambda: datetime.now(UTC))
            thread = threading.Thread(target=worker.run, name="slaclock-notify", daemon=True)
            thread.start()
            try:
                yield
            finally:
                worker.shutdown()
                thread.join(timeout=10)
                close()

        app.router.lifespan_context = with_worker
    return app
