"""The modules compiled with Cython when a C compiler is at hand (read by ``setup.py``).

These are the modules a replay or an ingest runs for every event and every instance.
Their Python source stays the only source: Cython compiles it as it is (no type
annotations are used as C types), so compiled and pure runs give the same results,
and a test compares them byte for byte. A few classes are declared as C classes in a
``.pxd`` beside their module (the same attributes as their ``__slots__``): their
attribute reads are then C struct reads. This file imports only the standard library,
so ``setup.py`` can read it before any dependency is installed.
"""

import hashlib
from pathlib import Path

HOT_MODULES: tuple[str, ...] = (
    "slaclock.core.bounded_cache",
    "slaclock.core.calendar.business_calendar",
    "slaclock.core.conditions",
    "slaclock.core.engine.clock",
    "slaclock.core.engine.compiled",
    "slaclock.core.engine.engine",
    "slaclock.core.engine.instance",
    "slaclock.core.engine.park",
    "slaclock.core.engine.state",
    "slaclock.core.engine.stream",
    "slaclock.core.engine.ticket",
    "slaclock.core.events",
)

#: Where the compiled modules go, beside the package: ``slaclock._accel.<rest>``.
COMPILED_PREFIX = "slaclock._accel."

#: Cython's options: Python semantics exactly (annotations are not C types), and an
#: AttributeError rather than a crash should a variable declared as a C class hold None.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "nonecheck": True}

#: Set to any non-empty value to run the pure Python modules even when compiled ones exist.
PURE_ENV = "SLACLOCK_PURE"


def compiled_name(module: str) -> str:
    """``slaclock.core.events`` -> ``slaclock._accel.core.events``."""
    return COMPILED_PREFIX + module.removeprefix("slaclock.")


def build_hash(package_dir: Path) -> str | None:
    """SHA-256 of every hot module's source and declarations, in order; None when one is
    missing. The compiled modules import each other's C classes, so they are current
    together or not at all: one hash for the whole build."""
    digest = hashlib.sha256()
    for module in HOT_MODULES:
        base = package_dir.joinpath(*module.split(".")[1:])
        source = base.with_suffix(".py")
        if not source.is_file():
            return None
        for path in (source, base.with_suffix(".pxd")):
            if path.is_file():
                digest.update(f"{module}:{path.suffix}:".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
