"""One place that maps core errors to the CLI's exit code 2 and a message on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from slaclock.core.errors import SlaclockError


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn a :class:`SlaclockError` into its message on stderr and exit code 2."""
    try:
        yield
    except SlaclockError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from exc
