"""Pages refuse query parameters they do not know, as the API does.

``/?grop=support`` would otherwise show the whole queue as if it were filtered — a
wallboard bookmark with a typo would silently lie. A page answers such a request with
a 400 page that names the parameter and lists the ones the page takes. ``lang`` and
``tz`` are taken everywhere (the footer's language links and zone form add them to any
page), and so are tracking parameters (``utm_source`` …), which mail and chat tools add
to links. Repeated parameters are left to each page (the last value wins in a form).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from slaclock.api.query import query_names
from slaclock.web.pages import make_page, render

__all__ = ["UnknownPageQuery", "refuse_unknown_page_query", "unknown_query_page"]

#: Taken by every page: the language and the time zone to show it in.
EVERYWHERE = frozenset({"lang", "tz"})
#: The prefix of the tracking parameters links carry; pages take and ignore them.
TRACKING = "utm_"


class UnknownPageQuery(Exception):
    """A page was asked with query parameters it does not take."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = unknown
        self.known = known


async def refuse_unknown_page_query(request: Request) -> None:
    """A route dependency: raise :class:`UnknownPageQuery` for a parameter the route
    (and its dependencies) do not declare."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    known = query_names(dependant) | EVERYWHERE
    unknown = sorted(
        name for name in set(request.query_params) - known if not name.startswith(TRACKING)
    )
    if unknown:
        raise UnknownPageQuery(unknown, sorted(known - EVERYWHERE))


def unknown_query_page(request: Request, exc: Exception) -> Response:
    """The 400 page naming the unknown parameters and the ones the page takes."""
    assert isinstance(exc, UnknownPageQuery)
    params = request.query_params
    page = make_page(request, params.get("lang"), params.get("tz"))
    message = page.gettext("This page does not take the parameter %(names)s.") % {
        "names": ", ".join(exc.unknown)
    }
    if exc.known:
        message += " " + page.gettext("It takes: %(names)s.") % {"names": ", ".join(exc.known)}
    return render(request, page, "error.html", 400, status=400, message=message)
