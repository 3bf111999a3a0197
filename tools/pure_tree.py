"""Copy a source tree without its compiled extension modules: the pure Python package.

    python tools/pure_tree.py src build/pure

The hot modules are compiled in place (``setup.py``), and Python imports an extension
module before the ``.py`` beside it. Put the copy first on ``PYTHONPATH`` to run the
pure Python code (``make pytest-pure``, ``bench/engine_bench.py``'s ``pure`` runs).
"""

from __future__ import annotations

import importlib.machinery
import shutil
import sys
from pathlib import Path


def compiled_modules(root: Path) -> list[str]:
    """The modules ``setup.py`` compiles: ``cython-modules.txt`` under ``root`` (the
    checkout), comments and blank lines left out."""
    text = (root / "cython-modules.txt").read_text(encoding="utf-8")
    return [name for line in text.splitlines() if (name := line.split("#")[0].strip())]


IGNORED = ("__pycache__", "*.egg-info", *(f"*{s}" for s in importlib.machinery.EXTENSION_SUFFIXES))


def pure_tree(source: Path, target: Path) -> Path:
    """``source`` copied to ``target`` (which must not exist) without extension modules."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*IGNORED))
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    pure_tree(Path(sys.argv[1]), Path(sys.argv[2]))
