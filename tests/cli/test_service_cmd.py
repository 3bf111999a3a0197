"""The service commands: token, config, db, serve's refusal, rebuild — on a SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from slaclock.api import create_app
from slaclock.cli.main import app
from slaclock.service.compose import open_services

CONFIG = Path(__file__).resolve().parents[1] / "data" / "example_config.yaml"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_token_create_prints_the_token_alone_on_the_last_line(db_url: str) -> None:
    result = run("token", "create", "--role", "admin", "--name", "ops", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    secret = result.stdout.rstrip("\n").splitlines()[-1]
    assert secret and " " not in secret
    services = open_services(db_url)
    client = TestClient(create_app(services, lambda: NOW))
    response = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["ops"]


def test_token_list_and_revoke(db_url: str) -> None:
    created = run("token", "create", "--role", "viewer", "--name", "wall", "--database-url", db_url)
    secret = created.stdout.splitlines()[-1]
    listed = run("token", "list", "--database-url", db_url)
    token_id = listed.stdout.split("\t")[0]
    assert "\tviewer\twall\t" in listed.stdout and "active" in listed.stdout
    assert run("token", "revoke", token_id, "--database-url", db_url).exit_code == 0
    assert "revoked" in run("token", "list", "--database-url", db_url).stdout
    assert open_services(db_url).tokens.verify(secret, NOW) is None
    again = run("token", "revoke", token_id, "--database-url", db_url)
    assert again.exit_code == 2 and token_id in again.stderr


def test_token_create_refuses_an_unknown_role(db_url: str) -> None:
    result = run("token", "create", "--role", "root", "--name", "x", "--database-url", db_url)
    assert result.exit_code == 2
    assert "root" in result.stderr


def test_config_apply_then_show(db_url: str) -> None:
    assert run("config", "show", "--database-url", db_url).exit_code == 2
    applied = run("config", "apply", str(CONFIG), "--author", "lead", "--database-url", db_url)
    assert applied.exit_code == 0, applied.output
    assert "version 1" in applied.stdout
    shown = run("config", "show", "--database-url", db_url)
    assert shown.stdout == CONFIG.read_text(encoding="utf-8")
    versions = open_services(db_url).config_versions()
    assert [(v.version, v.author) for v in versions] == [(1, "lead")]


def test_config_apply_of_an_invalid_file_exits_2_and_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG.read_text().replace("tz: America/New_York", "tz: Mars/Base"))
    result = run("config", "apply", str(bad), "--database-url", db_url)
    assert result.exit_code == 2
    assert "Mars/Base" in result.stderr and f"{bad}:" in result.stderr
    assert open_services(db_url).config_current()[0] == 0


def test_config_apply_if_version_refuses_a_stale_base(db_url: str, tmp_path: Path) -> None:
    changed = tmp_path / "changed.yaml"
    changed.write_text(CONFIG.read_text().replace("within: 16h}", "within: 12h}"))
    first = run("config", "apply", str(CONFIG), "--if-version", "0", "--database-url", db_url)
    assert first.exit_code == 0, first.output
    stale = run("config", "apply", str(changed), "--if-version", "0", "--database-url", db_url)
    assert stale.exit_code == 2
    assert "at version 1, not 0" in stale.stderr and "nothing applied" in stale.stderr
    assert open_services(db_url).config_current()[0] == 1
    fresh = run("config", "apply", str(changed), "--if-version", "1", "--database-url", db_url)
    assert fresh.exit_code == 0 and "version 2" in fresh.stdout


def test_db_upgrade_and_rebuild(db_url: str) -> None:
    assert run("db", "upgrade", "--database-url", db_url).exit_code == 0
    assert run("config", "apply", str(CONFIG), "--database-url", db_url).exit_code == 0
    result = run("rebuild", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert "tickets" in result.stdout


def test_serve_refuses_several_workers_on_sqlite(db_url: str) -> None:
    result = run("serve", "--workers", "2", "--database-url", db_url)
    assert result.exit_code == 2
    assert "PostgreSQL" in result.stderr


def test_demo_populates_a_fresh_database_without_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--no-serve", "--tickets", "150", "--days", "4")
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stdout
    secret = result.stdout.splitlines()[-1].split()[-1]
    services = open_services(f"sqlite:///{tmp_path / 'var' / 'demo.db'}")
    assert services.tokens.verify(secret, NOW).role == "admin"
    assert services.config_current()[0] == 1
    assert services.instance_count() > 0


def test_outbox_lists_dead_letters_and_retries_them(db_url: str) -> None:
    """A delivery the receiver refused for good is dead; outbox retry makes it pending
    again under the same id; a second retry is refused."""
    from datetime import UTC, datetime, timedelta

    from slaclock.service.compose import open_services
    from slaclock.service.worker import Worker

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    services = open_services(db_url, upgrade=True)
    services.config_apply(
        "calendars: [{id: always, tz: UTC, always_open: true}]\n"
        "webhooks: [{id: ops, url: 'http://127.0.0.1:9/x'}]\n"
        "policies: [{id: p, name: P, calendar: always, targets: {first_response: {within: 1h}},\n"
        "            escalations: [{after: 0m, notify: ['webhook:ops']}]}]\n",
        "test",
        now,
    )
    services.ingest([{"id": "c", "ticket": "T-1", "at": "2026-03-02T09:00:00Z",
                      "type": "ticket.created", "by": "customer",
                      "fields": {"status": "open", "priority": "high"}}], now)  # fmt: skip

    def refuse(delivery: object, at: datetime) -> None:
        from slaclock.service.channels import DeliveryError

        raise DeliveryError("HTTP 410 Gone", False)

    Worker(services, {"webhook": refuse}, lambda: now + timedelta(hours=1)).run_once()
    listed = run("outbox", "list", "--state", "dead", "--database-url", db_url)
    assert listed.exit_code == 0, listed.output
    [line] = listed.stdout.splitlines()
    delivery_id, state, attempts, kind, ticket, recipient = line.split("\t")[:6]
    assert (state, kind, ticket, recipient) == ("dead", "sla.breached", "T-1", "webhook:ops")
    assert attempts == "1"  # a 410 is final: no retry
    assert line.endswith("HTTP 410 Gone")
    retried = run("outbox", "retry", delivery_id, "--database-url", db_url)
    assert retried.exit_code == 0 and "pending again" in retried.stdout
    again = run("outbox", "retry", delivery_id, "--database-url", db_url)
    assert again.exit_code == 2 and "is not dead" in again.output
    assert run("outbox", "retry", "d_nope", "--database-url", db_url).exit_code == 2
    bad = run("outbox", "list", "--state", "lost", "--database-url", db_url)
    assert bad.exit_code == 2 and "expected one of" in bad.output
