"""Load the Cython-compiled copies of the hot modules, but only when they are current.

``setup.py`` compiles the modules of :data:`~slaclock._accel.hot.HOT_MODULES` (when a C
compiler is at hand) into this package, as ``slaclock._accel.<rest>``, and writes
``manifest.json``: the hash of the sources they were compiled from
(:func:`~slaclock._accel.hot.build_hash`). :func:`install` puts a finder first on
``sys.meta_path`` that answers the import of a hot module with its compiled copy, but
only when the sources still have that hash and every copy was built; otherwise every
hot module is imported from its ``.py`` file as usual. So an edited source is never
shadowed by a stale build (it only runs slower until the next build), and no build at
all means pure Python, with the same results.

``SLACLOCK_PURE=1`` turns the compiled copies off (the benchmark's and the tests'
reference runs).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

from slaclock._accel.hot import HOT_MODULES, PURE_ENV, build_hash, in_package

__all__ = ["CompiledFinder", "install", "status"]

_HERE = Path(__file__).resolve().parent
PACKAGE = _HERE.parent
MANIFEST = _HERE / "manifest.json"


class CompiledFinder:
    """A meta path finder for the hot modules' compiled copies (see the module doc)."""

    def __init__(self, root: Path, modules: Sequence[str] = HOT_MODULES) -> None:
        #: Each module's built extension for this interpreter, looked up once.
        self.files = {name: found for name in modules if (found := _compiled_file(root, name))}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        compiled = self.files.get(fullname)
        if compiled is None:
            return None  # not a hot module, or not built: the normal import
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(compiled))
        return importlib.util.spec_from_file_location(fullname, compiled, loader=loader)


def _compiled_file(root: Path, module: str) -> Path | None:
    base = root / in_package(module)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = base.with_name(base.name + suffix)
        if candidate.is_file():
            return candidate
    return None


#: Why the hot modules run as Python, when they do (for :func:`status`).
_why_pure = "not installed yet"


def install(manifest: Path = MANIFEST, package: Path = PACKAGE) -> CompiledFinder | None:
    """Put the finder first on ``sys.meta_path`` (once); None when off, unbuilt or stale."""
    global _why_pure
    for finder in sys.meta_path:
        if isinstance(finder, CompiledFinder):
            return finder
    if os.environ.get(PURE_ENV):
        _why_pure = f"{PURE_ENV} set"
        return None
    try:
        built = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _why_pure = "not built"
        return None
    if not isinstance(built, dict) or built.get("build") != build_hash(package):
        _why_pure = "sources changed since the build"
        return None
    finder = CompiledFinder(manifest.parent)
    absent = [name for name in HOT_MODULES if name not in finder.files]
    if absent:  # a compiled module may need another's C classes: all of them or none
        _why_pure = "not compiled: " + ", ".join(absent) if len(absent) < 4 else "not compiled"
        return None
    sys.meta_path.insert(0, finder)
    return finder


def status() -> dict[str, str]:
    """Each hot module -> ``compiled``, ``python (<why>)`` or ``not imported yet``."""
    report = {}
    for name in HOT_MODULES:
        module = sys.modules.get(name)
        loader = getattr(module, "__loader__", None)
        if module is None:
            report[name] = "not imported yet"
        elif isinstance(loader, importlib.machinery.ExtensionFileLoader):
            report[name] = "compiled"
        else:
            report[name] = f"python ({_why_pure})"
    return report
