"""Reading JSON exports item by item, in constant memory.

Helpdesk APIs answer in pages (``{"ticket_events": [...], "next_page": ...}``), people
save those answers as they come, a plain array, or one item per line (JSON Lines).
:func:`read_json_items` takes all three, plain or gzip, and yields each item as it is
decoded, so a file of a million items never sits in memory as a whole:

- a file that starts with ``[`` is an array of items;
- an object whose key is one of ``keys`` and holds an array (a page) gives that array's
  items, streamed (its other keys, such as ``next_page``, are read and left);
- any other object is an item itself; objects may follow one another (JSON Lines, or
  pages saved one after the other).

An item's place is its file and its position in that file (1 for the first item), so
whatever goes wrong later can say where.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from slaclock.core.errors import SlaclockError
from slaclock.service.importers.base import Progress
from slaclock.service.importers.reading import file_size, maybe_gzip, open_binary, total_bytes

__all__ = ["JsonItem", "read_json_items"]

#: Characters read at a time.
_CHUNK = 1 << 20
#: The largest single item (or page key's value other than the streamed array).
_MAX_VALUE = 256 << 20
_WHITESPACE = " \t\r\n"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class JsonItem:
    """One item of a JSON export: its value, and where it stands."""

    file: str
    number: int
    value: Any

    @property
    def where(self) -> str:
        return f"{self.file}:{self.number}"


def read_json_items(
    paths: Sequence[Path], keys: Sequence[str], progress: Progress | None = None
) -> Iterator[JsonItem]:
    """The items of JSON files one after the other (see the module's docstring);
    ``keys`` name the arrays of a page; ``progress`` is told the bytes read."""
    total = total_bytes(paths) if progress is not None else 0
    done = 0
    for path in paths:
        with open_binary(path) as raw:
            stream = _Stream(path, raw, progress, done, total)
            try:
                for number, value in enumerate(stream.items(frozenset(keys)), start=1):
                    yield JsonItem(str(path), number, value)
            except UnicodeDecodeError as exc:
                raise SlaclockError(f"{path}: not UTF-8 text ({exc.reason})") from None
            except (OSError, EOFError) as exc:
                raise SlaclockError(f"{path}: cannot read it ({exc})") from None
        done += file_size(path)
        if progress is not None:
            progress(done, total)


class _Stream:
    """A file's text, read a chunk at a time, with a position in it."""

    def __init__(
        self, path: Path, raw: IO[bytes], progress: Progress | None, offset: int, total: int
    ) -> None:
        self.path = path
        self.raw = raw
        self.text = io.TextIOWrapper(maybe_gzip(raw), encoding="utf-8-sig")
        self.progress = progress
        self.offset = offset
        self.total = total
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters dropped from the front of ``buf``

    # ------------------------------------------------------------ structure

    def items(self, keys: frozenset[str]) -> Iterator[Any]:
        while self._skip() is not None:
            first = self._peek()
            if first == "[":
                yield from self._array()
            elif first == "{":
                yield from self._object(keys)
            else:
                raise self._error("expected an array or an object")

    def _object(self, keys: frozenset[str]) -> Iterator[Any]:
        """A page (its arrays under ``keys`` streamed) or an item (yielded whole)."""
        self.pos += 1
        found: dict[str, Any] = {}
        paged = False
        if self._skip() == "}":
            self.pos += 1
            yield found
            return
        while True:
            if self._skip() != '"':
                raise self._error("expected a key")
            key = self._value()
            if self._skip() != ":":
                raise self._error("expected ':'")
            self.pos += 1
            if key in keys and self._skip() == "[":
                paged = True
                yield from self._array()
            else:
                found[key] = self._value()
            after = self._skip()
            self.pos += 1
            if after == "}":
                break
            if after != ",":
                raise self._error("expected ',' or '}'")
        if not paged:
            yield found

    def _array(self) -> Iterator[Any]:
        self.pos += 1
        if self._skip() == "]":
            self.pos += 1
            return
        while True:
            if self._skip() is None:
                raise self._error("the array is not closed")
            yield self._value()
            after = self._skip()
            self.pos += 1
            if after == "]":
                return
            if after != ",":
                raise self._error("expected ',' or ']'")

    # -------------------------------------------------------------- reading

    def _value(self) -> Any:
        """The JSON value at the position, reading on until it is whole."""
        if self._skip() is None:
            raise self._error("the file ends where a value was expected")
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self._error(f"not JSON ({exc.msg})") from None
                self._fill()
                continue
            if end == len(self.buf) and not self.eof:  # a number may go on
                self._fill()
                continue
            self.pos = end
            return value

    def _skip(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof:
                return None
            self._fill()

    def _peek(self) -> str:
        return self.buf[self.pos]

    def _fill(self) -> None:
        if self.pos > _CHUNK:  # drop what was read, so the buffer stays small
            self.consumed += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        if len(self.buf) - self.pos > _MAX_VALUE:
            raise self._error(f"a single value over {_MAX_VALUE >> 20} MB")
        more = self.text.read(_CHUNK)
        if not more:
            self.eof = True
        self.buf += more
        if self.progress is not None:
            self.progress(self.offset + self.raw.tell(), self.total)

    def _error(self, what: str) -> SlaclockError:
        at = self.consumed + self.pos
        return SlaclockError(f"{self.path}: character {at:,}: {what}")
