"""The hot modules compiled with Cython (``setup.py``, ``cython-modules.txt``): compiled
when the build could, as declared in their ``.pxd``, never stale, and the same bytes
as pure Python.

``make pytest`` runs the tests on the install (compiled in place where a C compiler
is); ``make pytest-pure`` runs them again on a copy of the package without the
compiled modules (``tools/pure_tree.py``), with ``SLACLOCK_TEST_PURE=1``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from slaclock.core.config import load_config
from slaclock.core.workload import generate_lines

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "data" / "example_config.yaml"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PURE_RUN = bool(os.environ.get("SLACLOCK_TEST_PURE"))
sys.path.insert(0, str(ROOT / "tools"))
from pure_tree import compiled_modules, pure_tree  # noqa: E402

MODULES = compiled_modules(ROOT)


def _origin(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin)


def _compiled(name: str) -> bool:
    return _origin(name).suffix != ".py"


def test_every_listed_module_exists_as_python():
    assert len(MODULES) >= 8
    for name in MODULES:
        assert _origin(name).with_name(name.rsplit(".", 1)[1] + ".py").is_file(), name


def test_the_modules_are_compiled_in_ci_and_pure_in_the_pure_run():
    """CI builds them (``make`` runs ``pip install -e .`` with Cython and gcc); the pure
    run has a copy without them first on the path."""
    if PURE_RUN:
        assert not any(_compiled(name) for name in MODULES)
    elif IN_CI:
        assert all(_compiled(name) for name in MODULES), "CI must build the compiled modules"
    elif not any(_compiled(name) for name in MODULES):
        pytest.skip("the modules were not compiled here (no C compiler?)")
    else:
        assert all(_compiled(name) for name in MODULES)


def test_a_compiled_module_older_than_its_source_is_found(tmp_path, monkeypatch):
    """The check ``tests/conftest.py`` runs before any test: a stale build would test old
    code, since Python imports the extension before the ``.py`` beside it."""
    package = tmp_path / "slaclock_stale_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    compiled = package / f"mod{suffix}"
    compiled.write_bytes(b"")
    source = package / "mod.py"
    source.write_text("x = 1\n")
    now = time.time()
    os.utime(compiled, (now - 10, now - 10))
    os.utime(source, (now, now))
    listing = tmp_path / "cython-modules.txt"
    listing.write_text("# probe\nslaclock_stale_probe.mod\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    conftest = _root_conftest()
    assert conftest.stale_compiled_modules(listing) == ["slaclock_stale_probe.mod"]
    os.utime(compiled, (now + 10, now + 10))
    assert conftest.stale_compiled_modules(listing) == []


def _root_conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "tests" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared(pxd: Path) -> dict[str, set[str]]:
    """``cdef class`` name -> its ``cdef public object`` attributes."""
    classes: dict[str, set[str]] = {}
    current = None
    for line in pxd.read_text().splitlines():
        if match := re.match(r"cdef class (\w+):", line):
            current = classes.setdefault(match[1], set())
        elif current is not None and (match := re.match(r"\s+cdef public \w+ (.+)", line)):
            current.update(name.strip() for name in match[1].split(","))
        elif not line.startswith(" "):
            current = None
    return classes


def _declaring_modules() -> Iterator[tuple[str, ModuleType, Path]]:
    """Each compiled module that has a ``.pxd``: its name, the module, its declarations."""
    for name in MODULES:
        pxd = ROOT / "src" / Path(*name.split(".")).with_suffix(".pxd")
        if pxd.exists():
            yield name, importlib.import_module(name), pxd


def test_declared_c_classes_have_exactly_their_slots():
    """A slot added in Python but not in the .pxd would be missing when compiled."""
    found = 0
    for _, module, pxd in _declaring_modules():
        for cls, attributes in _declared(pxd).items():
            assert attributes == set(getattr(module, cls).__slots__), f"{pxd.name}: {cls}"
            found += 1
    assert found >= 4


def test_declared_c_classes_and_typed_functions_are_compiled_as_declared():
    """A ``.pxd`` Cython does not find is ignored without a word: its classes would then
    compile as ordinary Python classes (heap types), its ``cpdef`` functions as ordinary
    ones."""
    if PURE_RUN or not all(_compiled(name) for name in MODULES):
        pytest.skip("the compiled modules are not in use here")
    heap_type = 1 << 9  # Py_TPFLAGS_HEAPTYPE: set for classes made by a class statement
    checked = 0
    for name, module, pxd in _declaring_modules():
        for cls in _declared(pxd):
            assert not getattr(module, cls).__flags__ & heap_type, f"{name}.{cls}"
            checked += 1
        for function in re.findall(r"^cpdef (?:\w+ )*(\w+)\(", pxd.read_text(), re.M):
            assert function in getattr(module, "__pyx_capi__", {}), f"{name}.{function}"
            checked += 1
    assert checked >= 10


def _replay_digest(events: Path, pythonpath: Path | None) -> tuple[str, set[str]]:
    """SHA-256 of ``slaclock replay``'s output, and the suffixes of the modules it ran."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    probe = (
        "import importlib, sys\n"
        "from slaclock.cli.main import app\n"
        "app(sys.argv[1:], standalone_mode=False)\n"
        "sys.stdout.flush()\n"
        f"names = {MODULES!r}\n"
        "suffixes = {importlib.import_module(n).__file__.rsplit('.', 1)[1] for n in names}\n"
        "print(*sorted(suffixes), file=sys.stderr)\n"
    )
    args = [sys.executable, "-c", probe, "replay", "--config", str(CONFIG), "--events",
            str(events), "--as-of", "2026-06-01T00:00:00Z"]  # fmt: skip
    done = subprocess.run(args, env=env, capture_output=True, check=True)
    return hashlib.sha256(done.stdout).hexdigest(), set(done.stderr.decode().split())


def test_compiled_and_pure_replays_print_the_same_bytes(tmp_path):
    lines = list(generate_lines(load_config(CONFIG), 600, 20, 11, datetime(2026, 3, 2, tzinfo=UTC)))
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    pure_src = pure_tree(Path(importlib.import_module("slaclock").__file__).parents[1],
                         tmp_path / "pure")  # fmt: skip
    installed, ran = _replay_digest(events, None)
    pure, ran_pure = _replay_digest(events, pure_src)
    assert ran_pure == {"py"}
    assert installed == pure
    if not PURE_RUN and all(_compiled(name) for name in MODULES):
        assert "py" not in ran  # the installed run was really compiled
