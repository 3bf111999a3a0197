"""The ASGI entry point for uvicorn (``--factory``): the API with the dashboard.

Like ``slaclock.api.asgi.build``, each worker builds its own services from
``SLACLOCK_DATABASE_URL`` through the composition root.
"""

from __future__ import annotations

from fastapi import FastAPI

from slaclock.service.compose import open_services
from slaclock.web.site import create_site

__all__ = ["build"]


def build() -> FastAPI:
    """A fresh site (API + dashboard) on the configured database."""
    return create_site(open_services())
