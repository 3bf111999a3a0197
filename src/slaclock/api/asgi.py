"""The ASGI entry point uvicorn imports in each worker process (``--factory``).

Each worker builds its own services from ``SLACLOCK_DATABASE_URL`` (the ``serve``
command sets it) through the composition root, so several processes share only the
database.
"""

from __future__ import annotations

from fastapi import FastAPI

from slaclock.api.app import create_app
from slaclock.service.compose import open_services

__all__ = ["build"]


def build() -> FastAPI:
    """A fresh app on the configured database (the schema is upgraded by ``serve``)."""
    return create_app(open_services())
