"""Paging cursors: the key of the last row a page showed, opaque to clients.

A cursor is base64 (URL-safe, unpadded) of a JSON list of integers — the keyset the
store continues after — so a deep page is one index range scan, never an offset.
Every number must fit the BIGINT columns it is compared with. A keyset that ends in a
text key (a delivery's id) is a number and a string: :func:`encode_text_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json

__all__ = ["decode_cursor", "decode_text_cursor", "encode_cursor", "encode_text_cursor"]

#: A cursor's numbers are BIGINT columns: signed 64-bit.
_INT64 = 1 << 63


def encode_cursor(*numbers: int) -> str:
    return _encode(list(numbers))


def _encode(values: list[object]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: The longest text key a cursor may carry (ids are shorter).
MAX_TEXT_KEY = 200


def encode_text_cursor(number: int, text: str) -> str:
    return _encode([number, text])


def decode_text_cursor(cursor: str, what: str) -> tuple[int, str]:
    """The (number, text) in a cursor of :func:`encode_text_cursor`; ValueError naming
    ``what`` for a bad one."""
    try:
        found = _json_of(cursor)
        if not isinstance(found, list) or len(found) != 2:
            raise TypeError
        number, text = found
        if type(number) is not int or not -_INT64 <= number < _INT64:
            raise TypeError
        if not isinstance(text, str) or len(text) > MAX_TEXT_KEY or "\x00" in text:
            raise TypeError
        return number, text
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"invalid {what} cursor {cursor!r}") from exc


def _json_of(cursor: str) -> object:
    padded = cursor + "=" * (-len(cursor) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))


def decode_cursor(cursor: str, size: int, what: str) -> tuple[int, ...]:
    """The ``size`` numbers in a cursor; ValueError naming ``what`` for a bad one."""
    try:
        numbers = _json_of(cursor)
        if not isinstance(numbers, list) or len(numbers) != size:
            raise TypeError
        if not all(type(n) is int and -_INT64 <= n < _INT64 for n in numbers):
            raise TypeError  # not an int (a bool is not one here), or beyond a BIGINT
        return tuple(numbers)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"invalid {what} cursor {cursor!r}") from exc
