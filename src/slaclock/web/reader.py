"""Who reads a page: the signed-in person, their language and zone, the configuration's
names, the service and the site's clock — what every page starts from.

A page handler takes a :data:`ReaderDep`; FastAPI resolves it before the handler runs.
Without a signed-in token the browser is sent to ``/login`` (``?next=`` the page); a
token whose role may not read the pages (ingest) gets the 403 page. Both come back as
:class:`PageRefused`, whose response the site answers with (``web/site.py``). Handlers
that read a form first (the POST forms) call :func:`posted_form`, which adds the
form's fields and its CSRF check to :func:`gate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from slaclock.service.app_state import Services
from slaclock.web.directory import Directory
from slaclock.web.pages import Page, make_page, render
from slaclock.web.session import CSRF_FIELD, Viewer, csrf_accepted, current_viewer

__all__ = [
    "PageRefused",
    "Reader",
    "ReaderDep",
    "Text",
    "error_page",
    "gate",
    "now_of",
    "page_refused",
    "posted_form",
    "read_page",
    "services_of",
    "to_login",
]

#: A query parameter of a page: text, at most 500 characters (longer is a 422).
Text = Annotated[str | None, Query(max_length=500)]


def services_of(request: Request) -> Services:
    services: Services = request.app.state.ctx.services
    return services


def now_of(request: Request) -> datetime:
    """The site's clock (tests move it; never the server's local time)."""
    now: datetime = request.app.state.ctx.now()
    return now


def to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login" if here == "/" else "/login?" + urlencode({"next": here})
    return RedirectResponse(target, status_code=303)


def error_page(
    request: Request, page: Page, status: int, message: str, viewer: Any = None
) -> Response:
    return render(
        request, page, "error.html", status, status=status, message=message, viewer=viewer
    )


def gate(
    request: Request, lang: str | None, tz: str | None
) -> tuple[Viewer, Directory, Page] | Response:
    """The signed-in viewer and their page settings, or the response that refuses them."""
    viewer = current_viewer(request)
    if viewer is None:
        return to_login(request)
    directory = Directory.from_services(services_of(request))
    page = make_page(request, lang, tz, viewer, directory)
    if not viewer.may_see_pages:
        message = page.gettext("The role of this token (%(role)s) may not see the dashboard.")
        return error_page(request, page, 403, message % {"role": viewer.role}, viewer)
    return viewer, directory, page


async def posted_form(
    request: Request, max_bytes: int
) -> tuple[Viewer, Page, dict[str, str]] | Response:
    """A form post's viewer, page settings and fields (the first value of each, from at
    most ``max_bytes`` of the body), or the response refusing it: sign-in first, then
    the CSRF check. The role is the caller's to check."""
    found = gate(request, None, None)
    if isinstance(found, Response):
        return found
    viewer, _, page = found
    body = await request.body()
    parsed = parse_qs(body[:max_bytes].decode("utf-8", "replace"))
    form = {name: values[0] for name, values in parsed.items()}
    if not csrf_accepted(request, form.get(CSRF_FIELD)):
        message = page.gettext("This form was sent from another site.")
        return error_page(request, page, 403, message, viewer)
    return viewer, page, form


@dataclass(frozen=True)
class Reader:
    """A person allowed to read the pages, as one request sees them."""

    viewer: Viewer
    directory: Directory
    page: Page
    services: Services
    now: datetime


class PageRefused(Exception):
    """The request may not see the page; ``response`` says so (sign-in or 403)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def read_page(request: Request, lang: Text = None, tz: Text = None) -> Reader:
    """The dependency of every page: the :class:`Reader`, or :class:`PageRefused`."""
    found = gate(request, lang, tz)
    if isinstance(found, Response):
        raise PageRefused(found)
    viewer, directory, page = found
    return Reader(viewer, directory, page, services_of(request), now_of(request))


def page_refused(request: Request, exc: Exception) -> Response:
    """The site's answer to :class:`PageRefused`: its response."""
    assert isinstance(exc, PageRefused)
    return exc.response


ReaderDep = Annotated[Reader, Depends(read_page)]
