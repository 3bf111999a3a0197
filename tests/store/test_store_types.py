"""Instants go in aware and come out aware UTC on both databases; naive ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import StatementError

from slaclock.store.models import TokenRow


def _token(created_at: datetime) -> dict[str, object]:
    return {
        "id": "t1",
        "name": "n",
        "role": "admin",
        "secret_sha256": "x",
        "created_at": created_at,
    }


def test_aware_in_aware_utc_out(db: Engine) -> None:
    cest = timezone(timedelta(hours=2))
    with db.begin() as conn:
        conn.execute(insert(TokenRow), [_token(datetime(2026, 3, 30, 10, 0, tzinfo=cest))])
    with db.connect() as conn:
        got = conn.execute(select(TokenRow.created_at)).scalar_one()
    assert got == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert got.utcoffset() == timedelta(0)


def test_comparisons_use_utc(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(insert(TokenRow), [_token(datetime(2026, 3, 30, 8, 0, tzinfo=UTC))])
    later_elsewhere = datetime(2026, 3, 30, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    with db.connect() as conn:
        found = conn.execute(select(TokenRow.id).where(TokenRow.created_at < later_elsewhere)).all()
    assert found == []  # 09:30+02:00 is 07:30Z, before 08:00Z


def test_naive_datetime_is_refused(db: Engine) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.begin() as conn:
        conn.execute(insert(TokenRow), [_token(datetime(2026, 3, 30, 8, 0))])
