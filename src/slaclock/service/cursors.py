"""Paging cursors: the key of the last row a page showed, opaque to clients.

A cursor is base64 (URL-safe, unpadded) of a JSON list of integers — the keyset the
store continues after — so a deep page is one index range scan, never an offset.
Every number must fit the BIGINT columns it is compared with.
"""

from __future__ import annotations

import base64
import binascii
import json

__all__ = ["decode_cursor", "encode_cursor"]

#: A cursor's numbers are BIGINT columns: signed 64-bit.
_INT64 = 1 << 63


def encode_cursor(*numbers: int) -> str:
    raw = json.dumps(list(numbers), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int, what: str) -> tuple[int, ...]:
    """The ``size`` numbers in a cursor; ValueError naming ``what`` for a bad one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        numbers = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(numbers, list) or len(numbers) != size:
            raise TypeError
        if not all(type(n) is int and -_INT64 <= n < _INT64 for n in numbers):
            raise TypeError  # not an int (a bool is not one here), or beyond a BIGINT
        return tuple(numbers)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"invalid {what} cursor {cursor!r}") from exc
