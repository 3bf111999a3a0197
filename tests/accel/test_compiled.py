"""The compiled copies of the hot modules: used only when current, same bytes as Python.

``setup.py`` compiles the modules of ``HOT_MODULES`` with Cython when it can; the
finder in :mod:`slaclock._accel` loads them only while their source is unchanged.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

import slaclock._accel as accel
from slaclock._accel.hot import HOT_MODULES, PURE_ENV, build_hash, in_package
from slaclock.core.config import load_config
from slaclock.core.workload import generate_lines

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = DATA / "example_config.yaml"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# ------------------------------------------------------------------------- the finder


def test_finder_answers_a_hot_module_with_its_compiled_copy(tmp_path):
    (tmp_path / "core").mkdir()
    built = tmp_path / "core" / f"fake_mod{SUFFIX}"
    built.write_bytes(b"not really a library")
    finder = accel.CompiledFinder(tmp_path, ["slaclock.core.fake_mod", "slaclock.core.unbuilt"])
    spec = finder.find_spec("slaclock.core.fake_mod", None)
    assert spec is not None and spec.origin == str(built)
    assert isinstance(spec.loader, importlib.machinery.ExtensionFileLoader)
    assert finder.find_spec("slaclock.core.unbuilt", None) is None  # no file: Python
    assert finder.find_spec("slaclock.core.other", None) is None  # not a hot module


def _fake_build(root: Path, skip: str = "") -> None:
    """A "compiled" file for every hot module (but ``skip``): install() only looks."""
    for name in HOT_MODULES:
        if name != skip:
            compiled = root / in_package(name)
            compiled.parent.mkdir(parents=True, exist_ok=True)
            compiled.with_name(compiled.name + SUFFIX).write_bytes(b"")


def _package_copy(tmp_path: Path) -> Path:
    """The hot modules' sources and declarations, copied into a package-like folder."""
    package = tmp_path / "slaclock"
    for name in HOT_MODULES:
        base = in_package(name)
        for suffix in (".py", ".pxd"):
            source = accel.PACKAGE / base.with_suffix(suffix)
            if source.exists():
                (package / base).parent.mkdir(parents=True, exist_ok=True)
                (package / base.with_suffix(suffix)).write_bytes(source.read_bytes())
    return package


@pytest.fixture
def no_finder(monkeypatch):
    """A ``sys.meta_path`` without the finder, restored afterwards."""
    kept = [f for f in sys.meta_path if not isinstance(f, accel.CompiledFinder)]
    monkeypatch.setattr(sys, "meta_path", kept)
    monkeypatch.delenv(PURE_ENV, raising=False)
    return kept


def test_install_uses_a_build_only_while_every_hot_source_is_unchanged(tmp_path, no_finder):
    package = _package_copy(tmp_path)
    accel_dir = tmp_path / "accel"
    _fake_build(accel_dir)
    manifest = accel_dir / "manifest.json"
    manifest.write_text(json.dumps({"build": build_hash(package)}))
    finder = accel.install(manifest, package)
    assert finder is not None and sys.meta_path[0] is finder
    sys.meta_path.remove(finder)
    declarations = package / "core" / "engine" / "clock.pxd"
    declarations.write_text(declarations.read_text() + "\n# edited\n")
    assert accel.install(manifest, package) is None
    assert not any(isinstance(f, accel.CompiledFinder) for f in sys.meta_path)


def test_install_does_nothing_when_unbuilt_or_when_pure_python_is_asked_for(
    tmp_path, no_finder, monkeypatch
):
    package = _package_copy(tmp_path)
    accel_dir = tmp_path / "accel"
    assert accel.install(accel_dir / "manifest.json", package) is None  # never built
    _fake_build(accel_dir, skip="slaclock.core.engine.clock")
    manifest = accel_dir / "manifest.json"
    manifest.write_text(json.dumps({"build": build_hash(package)}))
    assert accel.install(manifest, package) is None  # one module did not compile
    (accel_dir / "core" / "engine" / f"clock{SUFFIX}").write_bytes(b"")
    monkeypatch.setenv(PURE_ENV, "1")
    assert accel.install(manifest, package) is None  # complete and current, but turned off
    assert not any(isinstance(f, accel.CompiledFinder) for f in sys.meta_path)
    monkeypatch.delenv(PURE_ENV)
    assert accel.install(manifest, package) is not None  # ... which was all that stopped it


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
    """Each hot module that has a ``.pxd``: its name, the module, its declarations."""
    for name in HOT_MODULES:
        pxd = (accel.PACKAGE / in_package(name)).with_suffix(".pxd")
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


# ------------------------------------------------------------------ the real build


def _built() -> bool:
    return accel.MANIFEST.exists() and any(accel.MANIFEST.parent.rglob(f"*{SUFFIX}"))


def test_hot_modules_run_compiled_when_the_build_made_them():
    if not _built():
        if IN_CI:
            pytest.fail("CI must build the compiled modules (`make` runs `pip install -e .`)")
        pytest.skip("the compiled modules were not built here (no C compiler?)")
    if os.environ.get(PURE_ENV):
        pytest.skip(f"{PURE_ENV} is set")
    for name in HOT_MODULES:
        importlib.import_module(name)
    assert accel.status() == dict.fromkeys(HOT_MODULES, "compiled")


def test_declared_c_classes_and_typed_functions_are_compiled_as_declared():
    """A ``.pxd`` Cython does not find is ignored without a word: its classes then
    compile as ordinary Python classes (heap types), and its ``cpdef`` functions as
    ordinary ones. (That happened: Cython looks the file up under the module's compiled
    name, ``setup.py`` copies it there.)"""
    if not _built() or os.environ.get(PURE_ENV):
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


#: Replays a file in one go and again in parts (cut by ticket), prints the module
#: status and the outputs' SHA-256: the compiled and the pure run must agree on every
#: byte, and so must both ways.
_REPLAY = """
import hashlib, io, json, sys
from datetime import datetime
from slaclock._accel import status
from slaclock.core.config import load_config
from slaclock.core.engine import Engine
from slaclock.service import replay
engine = Engine(load_config(sys.argv[2]))
as_of = datetime.fromisoformat(sys.argv[3])
def run():
    out = io.BytesIO()
    with open(sys.argv[1], "rb") as f:
        stats = replay.replay_file(engine, f, sys.argv[1], as_of, lambda: out)
    return stats, out.getvalue()
whole, out = run()
replay.SPLIT_BYTES, replay.PART_BYTES = 0, 20_000  # in parts, as a big input is
parts, in_parts = run()
assert whole.parts == 1 and parts.parts > 10
print(json.dumps({"status": status(), "lines": out.count(b"\\n"),
                  "sha": hashlib.sha256(out).hexdigest(),
                  "parts_sha": hashlib.sha256(in_parts).hexdigest()}))
"""


def _run(events: Path, pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != PURE_ENV}
    if pure:
        env[PURE_ENV] = "1"
    args = [sys.executable, "-c", _REPLAY, str(events), str(CONFIG), "2026-06-01T00:00:00+00:00"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_compiled_and_pure_replays_print_the_same_bytes(tmp_path):
    lines = list(generate_lines(load_config(CONFIG), 600, 20, 11, datetime(2026, 3, 2, tzinfo=UTC)))
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    pure, compiled = _run(events, pure=True), _run(events, pure=False)
    assert pure["lines"] > 1000
    assert compiled["sha"] == pure["sha"]
    assert compiled["parts_sha"] == pure["parts_sha"] == pure["sha"]
    assert set(pure["status"].values()) == {"python (SLACLOCK_PURE set)"}
    if _built():
        assert set(compiled["status"].values()) == {"compiled"}
