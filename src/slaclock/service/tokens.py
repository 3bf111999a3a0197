"""API tokens: random secrets handed out once, kept only as their SHA-256.

A token's secret is ``slk_`` + 32 random bytes (URL-safe base64); its id is short
and public (``tok_...``) so logs and the token list can name it without leaking it.
A stolen database yields hashes of high-entropy secrets, which cannot be reversed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from slaclock.store.database import Database
from slaclock.store.tokens import TokenInfo

__all__ = ["ROLES", "TokenInfo", "TokenService", "hash_secret"]

ROLES: tuple[str, ...] = ("admin", "agent", "viewer", "ingest")
SECRET_PREFIX = "slk_"
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenService:
    """Create, verify, list and revoke API tokens."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, role: str, name: str, now: datetime) -> tuple[str, str]:
        """A new token for ``role``; returns ``(token_id, secret)`` — the only time the
        secret is seen."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        info = TokenInfo(id="tok_" + secrets.token_hex(6), name=name, role=role, created_at=now)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        self._db.writing(lambda tx: tx.tokens.add(info, hash_secret(secret)))
        return info.id, secret

    def verify(self, secret: str, now: datetime) -> TokenInfo | None:
        """The token whose secret this is, unless unknown or revoked."""
        with self._db.reading() as tx:
            info = tx.tokens.by_secret(hash_secret(secret))
        if info is None or info.revoked_at is not None:
            return None
        if info.last_used_at is None or now - info.last_used_at >= LAST_USED_RESOLUTION:
            self._db.writing(lambda tx: tx.tokens.used(info.id, now))
        return info

    def list(self) -> list[TokenInfo]:
        with self._db.reading() as tx:
            return tx.tokens.listing()

    def revoke(self, token_id: str, now: datetime | None = None) -> bool:
        """Revoke a token; False when no such token (or it was already revoked).

        ``now`` is the revocation instant; the contract's ``revoke(token_id)`` gives
        none, and then the current UTC time is recorded.
        """
        at = now or datetime.now(UTC)
        return self._db.writing(lambda tx: tx.tokens.revoke(token_id, at))
