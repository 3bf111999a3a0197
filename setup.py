"""Compile the hot modules with Cython, in place, when a C compiler is at hand.

Everything else about the package is in ``pyproject.toml``. The modules listed in
``cython-modules.txt`` are compiled as they are, under their own names; a ``.pxd``
beside a module declares its C classes and typed functions (Cython's augmenting
declarations). An editable install puts each extension beside its source, where Python
imports it instead of the ``.py``: after editing a compiled module, ``make`` builds it
again (the tests refuse to run against a stale build). Without a C compiler or Cython,
or with ``SLACLOCK_NO_CYTHON=1``, nothing is compiled and slaclock runs as pure Python,
with the same results.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent

#: Cython's options: Python semantics exactly (annotations are not C types), and an
#: AttributeError rather than a crash should a variable declared as a C class hold None.
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "nonecheck": True}


def compiled_modules() -> list[str]:
    """The module names of ``cython-modules.txt`` (comments and blank lines left out)."""
    text = (ROOT / "cython-modules.txt").read_text(encoding="utf-8")
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def source_of(module: str) -> Path:
    return Path("src", *module.split(".")).with_suffix(".py")


def extensions() -> list[Extension]:
    if os.environ.get("SLACLOCK_NO_CYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    modules = compiled_modules()
    for module in modules:  # a module that fails to build must not leave a stale one
        for old in (ROOT / source_of(module)).parent.glob(module.rsplit(".", 1)[1] + ".*.so"):
            old.unlink()
    built = [Extension(m, [str(source_of(m))], optional=True) for m in modules]
    return cythonize(
        built,
        compiler_directives=DIRECTIVES,
        build_dir=str(ROOT / "build" / "cython"),
        include_path=[str(ROOT / "src")],
        nthreads=os.cpu_count() or 1,
        quiet=True,
    )


class optional_build_ext(build_ext):
    """Build each compiled module if the C compiler can; warn and go on if it cannot
    (``Extension(optional=True)`` does not catch every way a compiler can fail)."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.failed: set[str] = set()

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # any failure means: that module runs as Python
            self.failed.add(ext.name)
            print(f"warning: {ext.name} not compiled ({exc}); it runs as Python")

    def copy_extensions_to_source(self) -> None:
        """Editable installs copy each built module into the source tree: not the failed."""
        every = self.extensions
        self.extensions = [ext for ext in every if ext.name not in self.failed]
        try:
            super().copy_extensions_to_source()
        finally:
            self.extensions = every


setup(
    ext_modules=extensions(),
    cmdclass={"build_ext": optional_build_ext},
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
