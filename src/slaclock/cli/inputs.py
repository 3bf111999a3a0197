"""The files a command reads, opened with one plain sentence for each way that fails.

``open_input`` and ``read_input`` raise :class:`SlaclockError` (exit code 2, see
:mod:`slaclock.cli.errors`) with a message that names the file and says what is wrong
with it (``events.jsonl: no such events file``), rather than Python's ``[Errno 2]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Literal, overload

from slaclock.core.config import parse_config
from slaclock.core.errors import SlaclockError
from slaclock.core.model import Config

__all__ = ["load_config_file", "open_input", "read_input", "unreadable"]


@overload
def open_input(path: str | Path, what: str, binary: Literal[False] = False) -> IO[str]: ...
@overload
def open_input(path: str | Path, what: str, binary: Literal[True]) -> IO[bytes]: ...
def open_input(path: str | Path, what: str, binary: bool = False) -> IO[str] | IO[bytes]:
    """``path`` open for reading (UTF-8 text, or bytes); ``what`` names the kind of file
    in the messages: ``"events"``, ``"configuration"``."""
    try:
        if binary:
            return open(path, "rb")
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise unreadable(path, what, exc) from None


def read_input(path: str | Path, what: str) -> str:
    """The whole text of ``path`` (see :func:`open_input`)."""
    with open_input(path, what) as file:
        try:
            return file.read()
        except UnicodeDecodeError:
            raise SlaclockError(f"{path}: this {what} file is not UTF-8 text") from None
        except OSError as exc:
            raise unreadable(path, what, exc) from None


def unreadable(path: str | Path, what: str, exc: OSError) -> SlaclockError:
    """The error to raise when ``path`` (a ``what`` file) cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return SlaclockError(f"{path}: no such {what} file")
    if isinstance(exc, IsADirectoryError):
        return SlaclockError(f"{path}: a directory, not a file")
    if isinstance(exc, PermissionError):
        return SlaclockError(f"{path}: not allowed to read this {what} file")
    reason = (exc.strerror or type(exc).__name__).lower()
    return SlaclockError(f"{path}: cannot read this {what} file ({reason})")


def load_config_file(path: str | Path) -> Config:
    """Read and validate a configuration file (``core.config.load_config``, with the
    file's own problems said in plain words)."""
    return parse_config(read_input(path, "configuration"), str(path))
