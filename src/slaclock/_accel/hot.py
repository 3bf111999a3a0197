"""The modules compiled with Cython when a C compiler is at hand (read by ``setup.py``).

These are the modules a replay or an ingest runs for every event and every instance.
Their Python source stays the only source: Cython compiles it as it is (no type
annotations are used as C types), so compiled and pure runs give the same results,
and a test compares them byte for byte. A few classes are declared as C classes in a
``.pxd`` beside their module (the same attributes as their ``__slots__``): their
attribute reads are then C struct reads. This file imports only the standard library,
so ``setup.py`` can read it before any dependency is installed.
"""

import zlib
from pathlib import Path

HOT_MODULES: tuple[str, ...] = (
    "slaclock.core.bounded_cache",
    "slaclock.core.calendar.business_calendar",
    "slaclock.core.conditions",
    "slaclock.core.engine.clock",
    "slaclock.core.engine.compiled",
    "slaclock.core.engine.engine",
    "slaclock.core.engine.instance",
    "slaclock.core.engine.state",
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


def in_package(module: str) -> Path:
    """``slaclock.core.events`` -> ``core/events`` (no suffix): where a hot module's
    source and declarations lie under the package, and its compiled copy under
    ``_accel``."""
    return Path(*module.split(".")[1:])


def build_hash(package_dir: Path) -> str | None:
    """A fingerprint of every hot module's source and declarations (CRC-32 and length of
    each, in order); None when a source is missing. The compiled modules import each
    other's C classes, so they are current together or not at all: one fingerprint for
    the whole build. (It detects edits, it is not a signature: whoever can write these
    files can replace the compiled ones too. zlib is already loaded; hashlib would
    load OpenSSL into every process for this.)"""
    parts = []
    for module in HOT_MODULES:
        base = package_dir / in_package(module)
        source = base.with_suffix(".py")
        if not source.is_file():
            return None
        for path in (source, base.with_suffix(".pxd")):
            if path.is_file():
                data = path.read_bytes()
                parts.append(f"{module}{path.suffix}:{zlib.crc32(data):08x}:{len(data)}")
    return ";".join(parts)
