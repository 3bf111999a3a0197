"""The ASGI entry point for uvicorn (``--factory``): the API with the dashboard.

Like ``slaclock.api.asgi.build``, each worker builds its own engine and services
from ``SLACLOCK_DATABASE_URL``.
"""

from __future__ import annotations

from fastapi import FastAPI

from slaclock.service.compose import services_on
from slaclock.store.db import make_engine
from slaclock.web.site import create_site

__all__ = ["build"]


def build() -> FastAPI:
    """A fresh site (API + dashboard) on the configured database."""
    return create_site(services_on(make_engine()))
