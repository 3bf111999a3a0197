"""The modules compiled with Cython when a C compiler is at hand (read by ``setup.py``).

These are the modules a replay or an ingest runs for every event and every instance.
Their Python source stays the only source: Cython compiles it as it is (no type
annotations are used as C types), so compiled and pure runs give the same results,
and a test compares them byte for byte. This file imports nothing, so ``setup.py``
can read it before any dependency is installed.
"""

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

#: Cython's options: Python semantics exactly (annotations are not C types).
DIRECTIVES = {"language_level": 3, "annotation_typing": False}

#: Set to any non-empty value to run the pure Python modules even when compiled ones exist.
PURE_ENV = "SLACLOCK_PURE"


def compiled_name(module: str) -> str:
    """``slaclock.core.events`` -> ``slaclock._accel.core.events``."""
    return COMPILED_PREFIX + module.removeprefix("slaclock.")
