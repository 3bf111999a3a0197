"""API token rows: who a token was given to, its role, and the SHA-256 of its secret.

The secret itself is never stored; the service makes it and hashes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from slaclock.store.models import TokenRow


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a token may do and who it was given to; never the secret."""

    id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


#: The columns of a :class:`TokenInfo`, in its fields' order.
_INFO_COLUMNS = (
    TokenRow.id, TokenRow.name, TokenRow.role, TokenRow.created_at, TokenRow.revoked_at,
    TokenRow.last_used_at,
)  # fmt: skip


class Tokens:
    """Token rows, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, info: TokenInfo, secret_sha256: str) -> None:
        self._conn.execute(
            insert(TokenRow),
            [
                {
                    "id": info.id,
                    "name": info.name,
                    "role": info.role,
                    "secret_sha256": secret_sha256,
                    "created_at": info.created_at,
                }
            ],
        )

    def by_secret(self, secret_sha256: str) -> TokenInfo | None:
        """The token with this secret hash, revoked or not."""
        row = self._conn.execute(
            select(*_INFO_COLUMNS).where(TokenRow.secret_sha256 == secret_sha256)
        ).first()
        return None if row is None else TokenInfo(*row)

    def used(self, token_id: str, at: datetime) -> None:
        self._conn.execute(update(TokenRow).where(TokenRow.id == token_id).values(last_used_at=at))

    def listing(self) -> list[TokenInfo]:
        """Every token, in creation order."""
        rows = self._conn.execute(select(*_INFO_COLUMNS).order_by(TokenRow.created_at, TokenRow.id))
        return [TokenInfo(*row) for row in rows]

    def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark the token revoked at ``at``; False when it is unknown or already revoked."""
        row = self._conn.execute(select(TokenRow.revoked_at).where(TokenRow.id == token_id)).first()
        if row is None or row.revoked_at is not None:
            return False
        self._conn.execute(update(TokenRow).where(TokenRow.id == token_id).values(revoked_at=at))
        return True
