"""``/docs`` serves Swagger UI from the package, under a Content-Security-Policy
(issue 26, part 6): nothing is loaded from another origin."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.api.docs_ui import STATIC_DIR
from slaclock.web import create_site

ROOT = Path(__file__).resolve().parents[2]
ASSETS = {
    "/docs/assets/swagger-ui-bundle.js": "javascript",
    "/docs/assets/swagger-ui.css": "text/css",
    "/docs/assets/favicon-32x32.png": "image/png",
}


@pytest.fixture(params=["api", "site"])
def client(request: pytest.FixtureRequest, sqlite_api: Any) -> TestClient:
    """The API alone, and the API with the dashboard beside it (what `serve` runs)."""
    if request.param == "api":
        return sqlite_api.client
    return TestClient(create_site(sqlite_api.services, sqlite_api.clock.now))


def _policy(response: Any) -> dict[str, list[str]]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in (d.strip() for d in directives)}


def test_the_docs_page_loads_nothing_from_another_origin(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//[a-z0-9]", page.text, re.IGNORECASE), page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(sources) == sorted(ASSETS)
    assert "'/openapi.json'" in page.text and '"validatorUrl": null' in page.text


def test_the_assets_are_served_from_the_package(client: TestClient) -> None:
    for path, kind in ASSETS.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], (path, response.headers)
        assert response.content == (STATIC_DIR / path.rsplit("/", 1)[1]).read_bytes()
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/docs/assets/nosuch.js").status_code == 404


def test_the_page_and_its_files_need_no_token_and_the_schema_stays_open(
    client: TestClient,
) -> None:
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/api/v1/summary").status_code == 401


def test_the_policy_allows_only_this_origin_and_the_pages_own_script(
    client: TestClient,
) -> None:
    page = client.get("/docs")
    policy = _policy(page)
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_redoc_is_not_served(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_the_vendored_files_carry_their_licence_and_version() -> None:
    names = {p.name for p in STATIC_DIR.iterdir()}
    assert {"LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt", "package.json"} <= names
    package = json.loads((STATIC_DIR / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == "swagger-ui-dist" and package["license"] == "Apache-2.0"
    assert package["version"].startswith("5.")


def test_every_vendored_file_is_packaged() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["*"]
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    unpackaged = [p.name for p in files if not any(fnmatch.fnmatch(p.name, g) for g in globs)]
    assert unpackaged == []
