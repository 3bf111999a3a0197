"""API tokens: random secrets handed out once, kept only as their SHA-256.

A token's secret is ``slk_`` + 32 random bytes (URL-safe base64); its id is short
and public (``tok_...``) so logs and the token list can name it without leaking it.
A stolen database yields hashes of high-entropy secrets, which cannot be reversed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from slaclock.store.db import write_connection
from slaclock.store.models import TokenRow

ROLES: tuple[str, ...] = ("admin", "agent", "viewer", "ingest")
SECRET_PREFIX = "slk_"
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    """What a token may do and who it was given to; never the secret."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenService:
    """Create, verify, list and revoke API tokens."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, role: str, name: str, now: datetime) -> tuple[str, str]:
        """A new token for ``role``; returns ``(token_id, secret)`` — the only time the
        secret is seen."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        token_id = "tok_" + secrets.token_hex(6)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        row = {
            "id": token_id,
            "name": name,
            "role": role,
            "secret_sha256": hash_secret(secret),
            "created_at": now,
        }
        with write_connection(self._engine) as conn:
            conn.execute(insert(TokenRow), [row])
        return token_id, secret

    def verify(self, secret: str, now: datetime) -> TokenInfo | None:
        """The token whose secret this is, unless unknown or revoked."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(TokenRow).where(TokenRow.secret_sha256 == hash_secret(secret))
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        info = _info(row)
        if info.last_used_at is None or now - info.last_used_at >= LAST_USED_RESOLUTION:
            with write_connection(self._engine) as conn:
                conn.execute(
                    update(TokenRow).where(TokenRow.id == info.id).values(last_used_at=now)
                )
        return info

    def list(self) -> list[TokenInfo]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(TokenRow).order_by(TokenRow.created_at, TokenRow.id))
            return [_info(row) for row in rows]

    def revoke(self, token_id: str, now: datetime | None = None) -> bool:
        """Revoke a token; False when no such token (or it was already revoked).

        ``now`` is the revocation instant; the contract's ``revoke(token_id)`` gives
        none, and then the current UTC time is recorded.
        """
        with write_connection(self._engine) as conn:
            row = conn.execute(select(TokenRow).where(TokenRow.id == token_id)).first()
            if row is None or row.revoked_at is not None:
                return False
            revoked_at = now or _utc_now()
            conn.execute(
                update(TokenRow).where(TokenRow.id == token_id).values(revoked_at=revoked_at)
            )
        return True


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _info(row: Row[Any]) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        role=row.role,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
