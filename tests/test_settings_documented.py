"""Every setting slaclock reads from its environment (``SLACLOCK_…``) is documented: a
variable named in the package, ``setup.py`` or the ``Makefile`` must stand somewhere
in ``README.md`` or ``docs/``. (Commands and options: ``tests/cli/test_cli_docs.py``.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\bSLACLOCK_[A-Z0-9_]+\b")


def _names_in(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_environment_setting_is_documented():
    code = [
        *sorted((ROOT / "src" / "slaclock").rglob("*.py")),
        ROOT / "setup.py",
        ROOT / "Makefile",
    ]
    read = _names_in(code)
    assert {"SLACLOCK_DATABASE_URL", "SLACLOCK_NO_CYTHON"} <= read  # the walk finds them
    documented = _names_in([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    assert sorted(read - documented) == []
