"""Build the optional compiled copies of the hot modules (Cython), beside the package.

Everything else about the package is in ``pyproject.toml``. The modules listed in
``src/slaclock/_accel/hot.py`` are compiled as they are, into ``slaclock._accel.<rest>``,
and ``src/slaclock/_accel/manifest.json`` records the hash of the sources compiled
(with their ``.pxd`` declarations); ``slaclock._accel`` loads the compiled copies only
while the sources still have that hash.
Without a C compiler (or Cython) the build goes on and slaclock runs as pure Python.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
ACCEL = ROOT / "src" / "slaclock" / "_accel"
HOT = runpy.run_path(str(ACCEL / "hot.py"))


def source_of(module: str) -> Path:
    return (ROOT / "src" / "slaclock" / HOT["in_package"](module)).with_suffix(".py")


def extensions() -> list[Extension]:
    if os.environ.get(HOT["PURE_ENV"]):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    for old in ACCEL.rglob("*.so"):  # a module that fails to build must not stay stale
        old.unlink()
    modules = HOT["HOT_MODULES"]
    built = [
        Extension(HOT["compiled_name"](m), [str(source_of(m).relative_to(ROOT))], optional=True)
        for m in modules
    ]
    for module in modules:  # editable installs copy each extension into its package folder
        (ACCEL / HOT["in_package"](module)).parent.mkdir(parents=True, exist_ok=True)
    built_from = HOT["build_hash"](ROOT / "src" / "slaclock")
    manifest = {"build": built_from, "modules": list(modules)}
    (ACCEL / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return cythonize(
        built,
        compiler_directives=HOT["DIRECTIVES"],
        build_dir=str(ROOT / "build" / "cython"),
        include_path=[str(declarations_under_compiled_names(modules)), str(ROOT / "src")],
        nthreads=os.cpu_count() or 1,
        quiet=True,
        force=True,  # a changed .pxd must regenerate its module (and those that cimport it)
    )


def declarations_under_compiled_names(modules: tuple[str, ...]) -> Path:
    """A folder where each hot module's ``.pxd`` is found under its compiled name.

    Cython looks for a module's own declarations under the name it compiles it as
    (``slaclock/_accel/core/engine/state.pxd``), not beside its source; without this
    copy the ``.pxd`` beside the source would be silently ignored, and its C classes and
    typed functions compiled as plain Python ones. The ``cimport`` lines inside keep the
    modules' import names (``slaclock.core.engine.clock``), under which the compiled
    copies run, so C classes are shared across modules as declared.
    """
    shadow = ROOT / "build" / "pxd"
    if shadow.exists():
        shutil.rmtree(shadow)
    for module in modules:
        pxd = source_of(module).with_suffix(".pxd")
        if pxd.exists():
            target = shadow.joinpath(*HOT["compiled_name"](module).split(".")).with_suffix(".pxd")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pxd, target)
    return shadow


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
