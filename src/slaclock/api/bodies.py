"""Reading raw request bodies: JSON that the route validates itself, and plain text.

Routes whose body is free-form (events, webhooks, configuration text) read it here so
malformed input always becomes a 400/422 problem naming what is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from slaclock.api.problems import Problem

__all__ = ["read_json", "read_text"]


async def read_json(request: Request) -> tuple[bytes, Any]:
    """The raw body and its parsed JSON; 400 when it is empty or not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise Problem(400, "the request body is empty; expected JSON", slug="malformed-json")
    try:  # UTF-8 only: json.loads of the bytes would take UTF-16 and UTF-32 too
        return raw, json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise Problem(400, f"the body is not UTF-8: {exc}", slug="malformed-json") from exc
    except json.JSONDecodeError as exc:
        detail = f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise Problem(400, detail, slug="malformed-json") from exc
    except RecursionError as exc:  # arrays or objects nested hundreds deep
        raise Problem(400, "the JSON nests too deep", slug="malformed-json") from exc
    except ValueError as exc:  # an integer beyond Python's 4,300 digits, and the like
        raise Problem(400, f"the JSON cannot be read: {exc}", slug="malformed-json") from exc


async def read_text(request: Request) -> str:
    """The body as UTF-8 text; 400 when it is not."""
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, f"the body is not UTF-8: {exc}", slug="malformed-text") from exc
