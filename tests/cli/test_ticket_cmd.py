"""``slaclock ticket customer-link``: the link the API would make, printed alone on the
last line; refused without the secret, the base URL or the ticket (issue 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.service.compose import open_services
from slaclock.service.customer_links import read_customer_token

SECRET = "cli-customer-links-0123456789"
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - {id: std, name: Standard, calendar: always, targets: {first_response: {within: 1h}}}
"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    services = open_services(url, upgrade=True)
    now = datetime.now(UTC)
    services.config_apply(CONFIG, "test", now - timedelta(hours=1))
    at = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = {"id": "c", "ticket": "T-1", "at": at, "type": "ticket.created", "by": "customer",
               "fields": {"status": "new"}}  # fmt: skip
    assert not services.ingest([created], now).rejected
    services.close()
    return url


def run(*args: str, **env: str | None) -> Any:
    settings = {"SLACLOCK_CUSTOMER_LINK_SECRET": SECRET, "SLACLOCK_BASE_URL": None, **env}
    return CliRunner().invoke(app, ["ticket", "customer-link", *args], env=settings)


def test_the_link_is_the_last_line_and_reads_back(db_url: str) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    result = run(
        "T-1", "--days", "7", "--database-url", db_url, SLACLOCK_BASE_URL="https://sla.example"
    )
    assert result.exit_code == 0, result.output
    first, url = result.stdout.strip().splitlines()
    assert first.startswith("customer link for T-1, valid until ")
    assert url.startswith("https://sla.example/status/")
    claim = read_customer_token(SECRET, url.rpartition("/")[2], before)
    assert claim.ticket == "T-1"
    assert timedelta(days=7) <= claim.expires - before <= timedelta(days=7, minutes=1)
    assert first.endswith(claim.expires.strftime("%Y-%m-%dT%H:%M:%SZ"))


def test_the_base_url_option_and_the_default_lifetime(db_url: str) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    result = run("T-1", "--base-url", "http://127.0.0.1:8000/", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:8000/status/")
    claim = read_customer_token(SECRET, url.rpartition("/")[2], before)
    assert timedelta(days=30) <= claim.expires - before <= timedelta(days=30, minutes=1)


def test_refusals(db_url: str) -> None:
    base = ("--base-url", "https://sla.example", "--database-url", db_url)
    no_secret = run("T-1", *base, SLACLOCK_CUSTOMER_LINK_SECRET=None)
    assert no_secret.exit_code == 2 and "SLACLOCK_CUSTOMER_LINK_SECRET" in no_secret.stderr
    no_base = run("T-1", "--database-url", db_url)
    assert no_base.exit_code == 2 and "--base-url" in no_base.stderr
    unknown = run("T-404", *base)
    assert unknown.exit_code == 2 and "no ticket 'T-404'" in unknown.stderr
    for days in ("0", "366"):
        out_of_bounds = run("T-1", "--days", days, *base)
        assert out_of_bounds.exit_code == 2 and "--days" in out_of_bounds.stderr
    assert all(r.stdout == "" for r in (no_secret, no_base, unknown))
