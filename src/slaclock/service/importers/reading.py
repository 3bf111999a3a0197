"""Reading source files: CSV, plain or gzip, row by row, with progress.

Exports come as they come: compressed or not, with a byte-order mark from Excel, with a
column named twice. :func:`read_csv` takes them all as a stream of
:class:`~slaclock.service.importers.base.SourceRow` values that know their file and
line, so whatever goes wrong later can say where.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, cast

from slaclock.core.errors import SlaclockError
from slaclock.service.importers.base import Progress, SourceRow

__all__ = ["file_size", "maybe_gzip", "open_binary", "read_csv", "total_bytes"]

#: Rows read between two reports of progress.
_REPORT_EVERY = 2000


def total_bytes(paths: Sequence[Path]) -> int:
    """The size of the input files together (what progress counts towards)."""
    return sum(file_size(path) for path in paths)


def read_csv(
    paths: Sequence[Path],
    progress: Progress | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    required: Sequence[str] = (),
) -> Iterator[SourceRow]:
    """The rows of CSV files one after the other, each as its cells by header name.

    A ``.gz`` file (or any file that starts as gzip does) is read through gzip; a
    byte-order mark is skipped. A header that names a column twice (the helpdesk
    log's two ``Variant`` columns) keeps both: the second is ``Variant (2)``.
    ``progress`` is told the bytes read of all files (compressed bytes, for gzip).
    A file whose header lacks a ``required`` column is an error naming it."""
    total = total_bytes(paths) if progress is not None else 0
    done = 0
    for path in paths:
        with open_binary(path) as raw:
            report = None if progress is None else _reporter(progress, raw, done, total)
            yield from _rows_of(path, raw, delimiter, encoding, required, report)
        done += file_size(path)
        if progress is not None:
            progress(done, total)


def _reporter(progress: Progress, raw: IO[bytes], offset: int, total: int) -> Callable[[], None]:
    """Tells ``progress`` how far into ``raw`` (after ``offset`` bytes of earlier files)."""

    def report() -> None:
        progress(offset + raw.tell(), total)

    return report


def _rows_of(
    path: Path,
    raw: IO[bytes],
    delimiter: str,
    encoding: str,
    required: Sequence[str],
    report: Callable[[], None] | None,
) -> Iterator[SourceRow]:
    text = io.TextIOWrapper(maybe_gzip(raw), encoding=_bom_aware(encoding), newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = _unique(next(reader, []))
        _check_header(path, header, required)
        for count, cells in enumerate(reader, start=1):
            if report is not None and count % _REPORT_EVERY == 0:
                report()
            if cells:
                yield SourceRow(str(path), reader.line_num, dict(zip(header, cells, strict=False)))
    except UnicodeDecodeError as exc:
        where = f"{path}:{reader.line_num + 1}"
        raise SlaclockError(f"{where}: not {encoding} text ({exc.reason})") from None
    except (csv.Error, OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise SlaclockError(f"{path}:{reader.line_num}: cannot read it as CSV ({exc})") from None


def _check_header(path: Path, header: list[str], required: Sequence[str]) -> None:
    absent = [name for name in required if name not in header]
    if absent:
        names = ", ".join(repr(name) for name in absent)
        shown = ", ".join(repr(name) for name in header[:12]) or "nothing"
        raise SlaclockError(f"{path}:1: no column {names} in the header (it has {shown})")


def open_binary(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _unreadable(path, exc) from None


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: OSError) -> SlaclockError:
    if isinstance(exc, FileNotFoundError):
        return SlaclockError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return SlaclockError(f"{path}: a directory, not a file")
    return SlaclockError(f"{path}: cannot read it ({exc.strerror or exc})")


def maybe_gzip(raw: IO[bytes]) -> IO[bytes]:
    """``raw`` itself, or its gzip-decompressed stream when it starts as gzip does."""
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    return raw


def _bom_aware(encoding: str) -> str:
    """UTF-8 read as ``utf-8-sig``: a byte-order mark (Excel writes one) is not data."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names
