"""Unknown query parameters are refused (422), so a typo never silently drops a filter.

``/api/v1/queue?grop=support`` would otherwise return the whole queue as if unfiltered.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from slaclock.api.problems import Problem

__all__ = ["query_names", "reject_nul_characters", "reject_unknown_query"]


async def reject_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        expected = ", ".join(sorted(known)) or "none"
        raise Problem(
            422,
            f"unknown query parameter(s): {', '.join(repr(u) for u in unknown)}; "
            f"expected: {expected}",
            slug="invalid-request",
        )


def query_names(dependant: Any) -> set[str]:
    """The query parameter names a route (its ``dependant``) and its dependencies declare."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


async def reject_nul_characters(request: Request) -> None:
    """No NUL character in the path or the query: PostgreSQL cannot hold one in text,
    and no id or filter of slaclock has one. 422 before any route reads them."""
    if "\x00" in request.scope.get("path", "") or any(
        "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()
    ):
        raise Problem(
            422, "a NUL character is not allowed in a path or query", slug="invalid-request"
        )
