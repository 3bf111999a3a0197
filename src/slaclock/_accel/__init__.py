"""Load the Cython-compiled copies of the hot modules, but only when they are current.

``setup.py`` compiles the modules of :data:`~slaclock._accel.hot.HOT_MODULES` (when a C
compiler is at hand) into this package, as ``slaclock._accel.<rest>``, and writes
``manifest.json``: the SHA-256 of each source it compiled. :func:`install` puts a finder
first on ``sys.meta_path`` that answers the import of such a module with its compiled
copy when the source still has that hash, and otherwise lets the normal import find
the ``.py`` file. So an edited source is never shadowed by a stale build (it only runs
slower until the next build), and no build at all means pure Python, same results.

``SLACLOCK_PURE=1`` turns the compiled copies off (the benchmark's and the tests'
reference runs).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

from slaclock._accel.hot import HOT_MODULES, PURE_ENV, compiled_name

__all__ = ["CompiledFinder", "install", "status"]

_HERE = Path(__file__).resolve().parent
MANIFEST = _HERE / "manifest.json"


class CompiledFinder:
    """A meta path finder for the hot modules' compiled copies (see the module doc)."""

    def __init__(self, hashes: dict[str, str], root: Path) -> None:
        self.hashes = hashes
        self.root = root
        #: Why a hot module runs as Python: module -> reason (for :func:`status`).
        self.skipped: dict[str, str] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        wanted = self.hashes.get(fullname)
        if wanted is None:
            return None
        compiled = self.compiled_file(fullname)
        source = _source_file(fullname, path)
        if compiled is None:
            self.skipped[fullname] = "not compiled"
        elif source is None:
            self.skipped[fullname] = "source not found"
        elif hashlib.sha256(source.read_bytes()).hexdigest() != wanted:
            self.skipped[fullname] = "source changed since the build"
        else:
            loader = importlib.machinery.ExtensionFileLoader(fullname, str(compiled))
            return importlib.util.spec_from_file_location(fullname, compiled, loader=loader)
        return None

    def compiled_file(self, fullname: str) -> Path | None:
        """The built extension of ``fullname`` for this interpreter, if there is one."""
        parts = compiled_name(fullname).split(".")[2:]  # after "slaclock._accel"
        folder = self.root.joinpath(*parts[:-1])
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = folder / (parts[-1] + suffix)
            if candidate.is_file():
                return candidate
        return None


def _source_file(fullname: str, path: Sequence[str] | None) -> Path | None:
    name = fullname.rpartition(".")[2]
    for folder in path or ():
        candidate = Path(folder) / f"{name}.py"
        if candidate.is_file():
            return candidate
    return None


def install() -> CompiledFinder | None:
    """Put the finder first on ``sys.meta_path`` (once); None when turned off or unbuilt."""
    for finder in sys.meta_path:
        if isinstance(finder, CompiledFinder):
            return finder
    if os.environ.get(PURE_ENV):
        return None
    try:
        hashes = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # never built here: pure Python
    if not isinstance(hashes, dict):
        return None
    finder = CompiledFinder({k: v for k, v in hashes.items() if k in HOT_MODULES}, _HERE)
    sys.meta_path.insert(0, finder)
    return finder


def status() -> dict[str, str]:
    """Each hot module -> ``compiled``, ``python (<why>)`` or ``not imported yet``."""
    finder = next((f for f in sys.meta_path if isinstance(f, CompiledFinder)), None)
    why = f"{PURE_ENV} set" if os.environ.get(PURE_ENV) else "not built"
    report = {}
    for name in HOT_MODULES:
        module = sys.modules.get(name)
        loader = getattr(module, "__loader__", None)
        if module is None:
            report[name] = "not imported yet"
        elif isinstance(loader, importlib.machinery.ExtensionFileLoader):
            report[name] = "compiled"
        else:
            reason = why if finder is None else finder.skipped.get(name, "not compiled")
            report[name] = f"python ({reason})"
    return report
