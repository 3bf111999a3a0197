"""API tokens: secrets are random, stored only hashed, verifiable until revoked."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from slaclock.service.compose import services_on
from slaclock.store.models import TokenRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_create_then_verify(db: Engine) -> None:
    services = services_on(db)
    token_id, secret = services.tokens.create("agent", "anna's laptop", NOW)
    info = services.tokens.verify(secret, NOW)
    assert info is not None
    assert (info.id, info.name, info.role) == (token_id, "anna's laptop", "agent")
    assert services.tokens.verify(secret + "x", NOW) is None


def test_only_the_hash_is_stored(db: Engine) -> None:
    services = services_on(db)
    _, secret = services.tokens.create("admin", "root", NOW)
    with db.connect() as conn:
        stored = conn.execute(select(TokenRow.secret_sha256)).scalar_one()
        row_text = repr(conn.execute(select(TokenRow.__table__)).one())
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in row_text


def test_secrets_differ(db: Engine) -> None:
    services = services_on(db)
    secrets = {services.tokens.create("viewer", f"v{i}", NOW)[1] for i in range(5)}
    assert len(secrets) == 5


def test_revoke(db: Engine) -> None:
    services = services_on(db)
    token_id, secret = services.tokens.create("ingest", "zendesk", NOW)
    assert services.tokens.revoke(token_id) is True
    assert services.tokens.verify(secret, NOW) is None
    assert services.tokens.revoke(token_id) is False
    assert services.tokens.revoke("tok_missing") is False
    [listed] = services.tokens.list()
    assert listed.revoked_at is not None


def test_unknown_role_is_refused(db: Engine) -> None:
    with pytest.raises(ValueError, match="unknown role 'root'"):
        services_on(db).tokens.create("root", "x", NOW)


def test_last_used_is_recorded_coarsely(db: Engine) -> None:
    services = services_on(db)
    _, secret = services.tokens.create("viewer", "board", NOW)
    services.tokens.verify(secret, NOW)
    services.tokens.verify(secret, NOW + timedelta(seconds=10))
    assert services.tokens.list()[0].last_used_at == NOW
    services.tokens.verify(secret, NOW + timedelta(minutes=5))
    assert services.tokens.list()[0].last_used_at == NOW + timedelta(minutes=5)


def test_list_in_creation_order(db: Engine) -> None:
    services = services_on(db)
    first, _ = services.tokens.create("admin", "a", NOW)
    second, _ = services.tokens.create("viewer", "b", NOW + timedelta(seconds=1))
    assert [t.id for t in services.tokens.list()] == [first, second]
