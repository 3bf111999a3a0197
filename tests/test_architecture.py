"""The layers hold: each package of slaclock imports only the layers before it.

core → store → service → api | cli | web. ``api`` and ``cli`` do not import each
other; ``web`` may use ``api`` (it serves pages beside it). ``core`` imports no
framework or database library at all. The test parses every module's imports (AST),
so it also catches imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "slaclock"

ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "store": {"core", "store"},
    "service": {"core", "store", "service"},
    "api": {"core", "store", "service", "api"},
    "web": {"core", "store", "service", "api", "web"},
    "cli": {"core", "store", "service", "api", "web", "cli"},
}

#: Third-party libraries the pure core may use; anything else is I/O or a framework.
# orjson: parsing, as json; re2: the linear-time engine of `matches` conditions
CORE_THIRD_PARTY = {"numpy", "holidays", "yaml", "orjson", "re2"}


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_earlier_layers(layer: str) -> None:
    bad = []
    for path in _modules(layer):
        for lineno, name in _imports(path):
            parts = name.split(".")
            inner = parts[1] if parts[0] == "slaclock" and len(parts) > 1 else None
            if inner in ALLOWED and inner not in ALLOWED[layer]:
                bad.append(f"{path.relative_to(PACKAGE)}:{lineno} imports {name}")
    assert not bad, "layer violation:\n" + "\n".join(bad)


def test_core_uses_no_framework_or_io_library() -> None:
    import sys

    stdlib = set(sys.stdlib_module_names)
    bad = []
    for path in _modules("core"):
        for lineno, name in _imports(path):
            top = name.split(".")[0]
            if top in {"slaclock", "__future__"} or top in stdlib or top in CORE_THIRD_PARTY:
                continue
            bad.append(f"{path.relative_to(PACKAGE)}:{lineno} imports {name}")
    assert not bad, "core must stay pure:\n" + "\n".join(bad)


def test_core_never_reads_the_clock() -> None:
    """``now`` is always passed into core; these calls would read the server clock."""
    forbidden = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
    bad = []
    for path in _modules("core"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(call in line for call in forbidden):
                bad.append(f"{path.relative_to(PACKAGE)}:{lineno}: {line.strip()}")
    assert not bad, "core reads the clock:\n" + "\n".join(bad)


#: The one module of the service that may import SQLAlchemy: it builds Services on a
#: database (``services_on`` takes an engine made elsewhere).
COMPOSITION_ROOT = "service/compose.py"


def _importers(layer: str, prefixes: tuple[str, ...]) -> list[str]:
    """``path:line imports name`` for each import under ``layer`` of a module whose name
    is one of ``prefixes`` or lies below one."""
    found = []
    for path in _modules(layer):
        for lineno, name in _imports(path):
            if any(name == p or name.startswith(p + ".") for p in prefixes):
                found.append(f"{path.relative_to(PACKAGE)}:{lineno} imports {name}")
    return found


def test_the_store_owns_sql() -> None:
    """SQLAlchemy is the store's; in the service only the composition root names it."""
    bad = [
        line
        for line in _importers("service", ("sqlalchemy", "alembic"))
        if not line.startswith(COMPOSITION_ROOT + ":")
    ]
    assert not bad, "SQL outside the store:\n" + "\n".join(bad)


@pytest.mark.parametrize("layer", ["api", "web", "cli"])
def test_the_faces_reach_the_database_only_through_the_service(layer: str) -> None:
    """The API, the dashboard and the CLI get their Services from the composition root:
    they import neither SQLAlchemy nor the store (so none opens the database itself)."""
    bad = _importers(layer, ("sqlalchemy", "alembic", "slaclock.store"))
    assert not bad, f"{layer} reaches around the service:\n" + "\n".join(bad)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """Guard against a test that cannot fail: an outward import is detected."""
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from slaclock.api import app\n", encoding="utf-8")
    assert (2, "slaclock.api") in _imports(sample)
