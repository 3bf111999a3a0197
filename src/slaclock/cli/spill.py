"""Where ``slaclock replay`` parks tickets: a temporary file (see :class:`SpillFile`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

__all__ = ["SpillFile"]

#: Appends gather in a buffer of this size before one ``pwrite``.
_BUFFER = 1 << 20


class SpillFile:
    """Parked tickets (a :class:`~slaclock.core.engine.stream.ParkingLot`) in a temporary
    file; only an index of one integer per ticket stays in memory.

    Each blob is appended as a record: 8 bytes naming the ticket's previous record (0:
    none), then the blob. The index keeps the ticket's newest record as ``offset << 24 |
    length``, plus one, so a ticket's list is read by following the records back.
    Parking a ticket again starts a new list (the old records are dead space: a ticket
    is parked once in a streaming replay, and rarely twice). Appends gather in a 1 MB
    buffer written with one ``pwrite``; reads are ``pread`` (or the buffer): no seeks,
    no flushes between a write and a read. The file is deleted on close.

    A hot module (``slaclock._accel``): the streaming replay calls it for every parked
    ticket and every event queued behind one, so its methods are compiled, not run by
    the interpreter.
    """

    __slots__ = ("_buffer", "_fd", "_file", "_index", "_written")

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._fd = self._file.fileno()
        self._index: dict[str, int] = {}
        self._written = 0  # bytes in the file; the buffer holds what follows
        self._buffer = bytearray()

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def park(self, key: str, blob: bytes) -> None:
        self._index[key] = self._write(0, blob)

    def append(self, key: str, blob: bytes) -> None:
        self._index[key] = self._write(self._index[key], blob)

    def _write(self, previous: int, blob: bytes) -> int:
        size = 8 + len(blob)
        if size >= 1 << 24:
            raise ValueError("a parked ticket's record is larger than 16 MB")
        where = ((self._written + len(self._buffer)) << 24 | size) + 1
        self._buffer += previous.to_bytes(8, "little")
        self._buffer += blob
        if len(self._buffer) >= _BUFFER:
            os.pwrite(self._fd, self._buffer, self._written)
            self._written += len(self._buffer)
            self._buffer = bytearray()
        return where

    def blobs(self, key: str) -> list[bytes]:
        found = []
        where = self._index[key]
        while where:
            record = self._read(where - 1)
            found.append(record[8:])
            where = int.from_bytes(record[:8], "little")
        found.reverse()
        return found

    def _read(self, where: int) -> bytes:
        offset, length = where >> 24, where & 0xFFFFFF
        if offset >= self._written:
            start = offset - self._written
            return bytes(self._buffer[start : start + length])
        return os.pread(self._fd, length, offset)

    def discard(self, key: str) -> None:
        self._index.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index
