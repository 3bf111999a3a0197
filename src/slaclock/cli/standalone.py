"""Ending the ``slaclock`` process at once after a big command, without freeing its heap.

A replay of 100,000 tickets ends holding millions of small objects. Returning normally
makes the interpreter free them one by one and run a last cyclic collection (which
``gc.disable()`` does not prevent): 1.5–2 seconds of a 10-second replay, spent after the
last line was written, on memory the operating system takes back at once anyway.

:func:`finish` flushes the standard streams and ends the process with ``os._exit``, but
only when slaclock runs as its own command (the console script calls :func:`main`).
Called in-process (tests, a caller embedding the CLI), it does nothing, so the caller
keeps control. Commands call it only after their output is written and their files are
closed: nothing is left that a normal exit would still do.
"""

from __future__ import annotations

import os
import sys

__all__ = ["finish", "main", "mark_standalone", "prepare_process"]

_standalone = False


def mark_standalone() -> None:
    """This process is the ``slaclock`` command itself: :func:`finish` may end it."""
    global _standalone
    _standalone = True


def prepare_process() -> None:
    """Settings for a one-shot command process, made before NumPy is imported.

    NumPy's OpenBLAS starts one thread per core that spins for a while after start-up:
    0.1 s of CPU in every command, for matrix routines slaclock never calls (it uses
    sorting, searching and running sums). One BLAS thread, unless the user chose
    otherwise.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> None:
    """The console script: run the Typer app as the process's own command."""
    prepare_process()
    from slaclock.cli.main import app

    mark_standalone()
    app()


def finish() -> None:
    """End the process now with status 0 when standalone (see the module docstring)."""
    if not _standalone:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed or broken stream: let the normal exit report it
    os._exit(0)
