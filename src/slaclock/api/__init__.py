"""The REST API (FastAPI): ``create_app(services, now)`` builds it; see docs/api.md."""

from slaclock.api.app import create_app

__all__ = ["create_app"]
