"""Fixtures shared across test packages, and the rule that PostgreSQL tests run in CI.

Store and service tests get ``db``: a fresh SQLite file and a fresh PostgreSQL schema per
test module, cleared per test, so each test runs once on each database. Off CI a test
marked ``postgres`` is skipped when the server is unreachable; with ``CI=true`` such a
skip is a failure, because CI must prove both databases.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from slaclock.store.testing import clear, drop_scratch, postgres_unreachable_reason, scratch_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from pure_tree import compiled_modules  # noqa: E402

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=BACKENDS)
def module_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "postgresql":
        reason = postgres_unreachable_reason()
        if reason:
            pytest.skip(reason)
    engine = scratch_engine(request.param, tmp_path_factory.mktemp("db"))
    yield engine
    drop_scratch(engine)


@pytest.fixture
def db(module_db: Engine) -> Engine:
    clear(module_db)
    return module_db


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if in_ci and report.skipped and item.get_closest_marker("postgres") is not None:
        report.outcome = "failed"
        report.longrepr = (
            f"PostgreSQL tests must run in CI, but this one was skipped: {report.longrepr}"
        )
    return report


def refuse_a_stale_build() -> None:
    """Refuse to test a stale build: a compiled module (``setup.py`` compiles them in
    place, and Python imports one before the ``.py`` beside it) older than its source or
    declarations would test yesterday's code. Run when this file is loaded, before any
    other conftest imports the package."""
    stale = stale_compiled_modules()
    if stale:
        pytest.exit(
            "compiled modules older than their source: " + ", ".join(stale)
            + "; run `make .venv/.installed` (or `make test`) to build them again",
            returncode=2,
        )  # fmt: skip


def stale_compiled_modules(listing: Path | None = None) -> list[str]:
    """The modules of ``cython-modules.txt`` whose extension is older than its ``.py`` or
    ``.pxd`` (none when they are not compiled, or the pure copy is on the path)."""
    import importlib.util

    root = (listing or ROOT / "cython-modules.txt").parent
    stale = []
    for name in compiled_modules(root):
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None or origin.suffix == ".py":
            continue
        base = origin.parent / name.rsplit(".", 1)[1]
        sources = [p for p in (base.with_suffix(".py"), base.with_suffix(".pxd")) if p.exists()]
        if any(p.stat().st_mtime > origin.stat().st_mtime for p in sources):
            stale.append(name)
    return stale


refuse_a_stale_build()
