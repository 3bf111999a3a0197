"""The compiled copies of the hot modules: used only when current, same bytes as Python.

``setup.py`` compiles the modules of ``HOT_MODULES`` with Cython when it can; the
finder in :mod:`slaclock._accel` loads them only while their source is unchanged.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import slaclock._accel as accel
from slaclock._accel.hot import HOT_MODULES, PURE_ENV
from slaclock.core.config import load_config
from slaclock.core.workload import generate_lines

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = DATA / "example_config.yaml"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# ------------------------------------------------------------------------- the finder


def _layout(tmp_path: Path, source_text: str, built_from: str, compiled: bool = True):
    """A source ``slaclock/core/fake_mod.py`` and its "compiled" copy under ``accel/``."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "fake_mod.py").write_text(source_text)
    root = tmp_path / "accel"
    (root / "core").mkdir(parents=True)
    if compiled:
        (root / "core" / f"fake_mod{SUFFIX}").write_bytes(b"not really a library")
    digest = hashlib.sha256(built_from.encode()).hexdigest()
    finder = accel.CompiledFinder({"slaclock.core.fake_mod": digest}, root)
    return finder, [str(src)]


def test_finder_answers_with_the_compiled_copy_while_the_source_is_unchanged(tmp_path):
    finder, path = _layout(tmp_path, "X = 1\n", built_from="X = 1\n")
    spec = finder.find_spec("slaclock.core.fake_mod", path)
    assert spec is not None
    assert isinstance(spec.loader, importlib.machinery.ExtensionFileLoader)
    assert spec.origin == str(tmp_path / "accel" / "core" / f"fake_mod{SUFFIX}")


def test_finder_leaves_an_edited_source_to_the_normal_import(tmp_path):
    finder, path = _layout(tmp_path, "X = 2\n", built_from="X = 1\n")
    assert finder.find_spec("slaclock.core.fake_mod", path) is None
    assert finder.skipped["slaclock.core.fake_mod"] == "source changed since the build"


def test_finder_without_a_build_or_for_other_modules_finds_nothing(tmp_path):
    finder, path = _layout(tmp_path, "X = 1\n", built_from="X = 1\n", compiled=False)
    assert finder.find_spec("slaclock.core.fake_mod", path) is None
    assert finder.skipped["slaclock.core.fake_mod"] == "not compiled"
    assert finder.find_spec("slaclock.core.other", path) is None
    assert "slaclock.core.other" not in finder.skipped


def test_install_does_nothing_when_pure_python_is_asked_for(monkeypatch):
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if type(f).__name__ != "CompiledFinder"]
    )
    monkeypatch.setenv(PURE_ENV, "1")
    assert accel.install() is None
    assert not any(isinstance(f, accel.CompiledFinder) for f in sys.meta_path)


# ------------------------------------------------------------------ the real build


def test_hot_modules_run_compiled_when_the_build_made_them():
    if not accel.MANIFEST.exists():
        if IN_CI:
            pytest.fail("CI must build the compiled modules (`make` runs `pip install -e .`)")
        pytest.skip("the compiled modules were not built here")
    if os.environ.get(PURE_ENV):
        pytest.skip(f"{PURE_ENV} is set")
    for name in HOT_MODULES:
        __import__(name)
    assert accel.status() == dict.fromkeys(HOT_MODULES, "compiled")


#: Replays a file with parking after every event, prints the module status and the
#: output's SHA-256: the compiled and the pure run must agree on every byte.
_REPLAY = """
import hashlib, io, json, sys
from datetime import datetime
from slaclock._accel import status
from slaclock.cli.replay_cmd import SpillFile, write_lines
from slaclock.core.config import load_config
from slaclock.core.engine import Engine, StreamReplay
from slaclock.core.events import read_events
engine = Engine(load_config(sys.argv[2]))
stream = StreamReplay(engine, datetime.fromisoformat(sys.argv[3]), SpillFile(), 50, 0)
with open(sys.argv[1], encoding="utf-8") as f:
    for event in read_events(f, sys.argv[1]):
        stream.feed(event)
assert not stream.needs_history and not stream.repeated_id_hashes()
out = io.StringIO()
write_lines(stream.instances({}), out)
print(json.dumps({"status": status(), "lines": out.getvalue().count("\\n"),
                  "sha": hashlib.sha256(out.getvalue().encode()).hexdigest()}))
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
    assert set(pure["status"].values()) == {"python (SLACLOCK_PURE set)"}
    if accel.MANIFEST.exists():
        assert set(compiled["status"].values()) == {"compiled"}
