"""create_site: the API unchanged beside the pages, the uvicorn factory, packaged files."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import slaclock.web
from slaclock.store.db import make_engine, upgrade
from slaclock.web import asgi

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = Path(slaclock.web.__file__).resolve().parent


def test_the_api_answers_as_before(site: Any) -> None:
    headers = {"Authorization": f"Bearer {site.tokens['viewer']}"}
    summary = site.client.get("/api/v1/summary", headers=headers)
    assert summary.status_code == 200 and "totals" in summary.json()
    missing = site.client.get("/api/v1/tickets/T-404", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert site.client.get("/api/v1/queue").status_code == 401  # no cookie, no bearer
    assert site.client.get("/api/v1/queue?grop=x", headers=headers).status_code == 422


def test_the_uvicorn_factory_builds_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'factory.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SLACLOCK_DATABASE_URL", url)
    client = TestClient(asgi.build())
    assert client.get("/login").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_every_page_file_is_packaged() -> None:
    """Templates, styles, scripts and catalogues must ship in the wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["*"]
    files = [
        path for path in WEB_DIR.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    assert {p.name for p in files} >= {"base.html", "site.css", "site.js", "messages.po"}
    unpackaged = [p for p in files if not any(fnmatch.fnmatch(p.name, g) for g in globs)]
    assert unpackaged == []
