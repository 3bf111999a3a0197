"""Query parameters: unknown or repeated ones are refused (422), so a typo never silently
drops a filter; and the cursor paging the filtered lists share (:data:`Cursor`,
:func:`cursor_page`).

``/api/v1/queue?grop=support`` would otherwise return the whole queue as if unfiltered,
and ``?group=a&group=b`` the queue of ``b`` alone (the last value wins).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from types import UnionType
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

from fastapi import Query, Request

from slaclock.api.problems import Problem

__all__ = [
    "Cursor",
    "cursor_page",
    "query_names",
    "reject_nul_characters",
    "reject_unknown_query",
]

#: Where a page of a list starts: the previous page's opaque ``next_cursor``.
Cursor = Annotated[str | None, Query(max_length=500)]


class _Page(Protocol):
    def to_json(self) -> dict[str, Any]: ...


def cursor_page(read: Callable[[], _Page]) -> dict[str, Any]:
    """The page ``read`` returns, as JSON; the ValueError of a cursor the list cannot
    read is a 400 problem (``bad-cursor``)."""
    try:
        page = read()
    except ValueError as exc:
        raise Problem(400, f"cursor: {exc}", slug="bad-cursor") from exc
    return page.to_json()


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
    given = Counter(name for name, _ in request.query_params.multi_items())
    repeated = sorted({n for n, times in given.items() if times > 1} - _list_names(dependant))
    if repeated:
        raise Problem(
            422,
            f"query parameter(s) given more than once: {', '.join(repr(r) for r in repeated)}",
            slug="invalid-request",
        )


def query_names(dependant: Any) -> set[str]:
    """The query parameter names a route (its ``dependant``) and its dependencies declare."""
    return {param.alias for param in _query_params(dependant)}


def _list_names(dependant: Any) -> set[str]:
    """The query parameters declared as lists (``list[str]``): those may repeat."""
    return {p.alias for p in _query_params(dependant) if _is_list(p.field_info.annotation)}


def _query_params(dependant: Any) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_params(sub)


def _is_list(annotation: Any) -> bool:
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    return any(get_origin(a) in (list, tuple, set, frozenset) for a in (annotation, *options))


async def reject_nul_characters(request: Request) -> None:
    """No NUL character in the path or the query: PostgreSQL cannot hold one in text,
    and no id or filter of slaclock has one. 422 before any route reads them."""
    if "\x00" in request.scope.get("path", "") or any(
        "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()
    ):
        raise Problem(
            422, "a NUL character is not allowed in a path or query", slug="invalid-request"
        )
