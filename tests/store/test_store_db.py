"""Engine setup: the default URL, and SQLite's WAL, busy timeout and foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock.store.db import make_engine, write_connection


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_default_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACLOCK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    engine = make_engine()
    assert engine.url.database == str(tmp_path / "env.db")


def test_default_is_sqlite_under_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACLOCK_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    engine = make_engine()
    assert engine.dialect.name == "sqlite"
    assert (tmp_path / "var").is_dir()


def test_write_connection_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    """A second writer cannot start while the first holds BEGIN IMMEDIATE."""
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    first = make_engine(url)
    second = make_engine(url, connect_args={"timeout": 0.1})
    with first.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with write_connection(first) as conn:
        conn.exec_driver_sql("SELECT 1")
        with pytest.raises(Exception, match="locked"), write_connection(second):
            pass
