"""What every page needs: the viewer's language and time zone, and rendering with them.

A :class:`Page` is made per request from ``?lang=``/``?tz=`` (remembered in cookies),
the browser's ``Accept-Language`` and the signed-in person's configured locale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from slaclock.web.directory import Directory
from slaclock.web.formatting import Formatter, parse_zone
from slaclock.web.i18n import LOCALE_NAMES, choose_locale
from slaclock.web.session import LANG_COOKIE, TZ_COOKIE, Viewer, set_preference
from slaclock.web.templating import Templates

__all__ = ["SECURITY_HEADERS", "Page", "make_page", "render"]

Gettext = Callable[[str], str]
#: Pages hold one person's view: not cached, not framed, scripts only from this site.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_COMMON_ZONES = (
    "UTC",
    "Europe/Amsterdam",
    "Europe/Oslo",
    "Europe/Bucharest",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Singapore",
)


@dataclass(frozen=True)
class Page:
    """One request's language, zone and formatter, and the choices to remember."""

    locale: str
    tz_name: str
    fmt: Formatter
    gettext: Gettext
    remember: dict[str, str] = field(default_factory=dict)


def templates_of(request: Request) -> Templates:
    templates: Templates = request.app.state.web_templates
    return templates


def make_page(
    request: Request,
    lang: str | None,
    tz: str | None,
    viewer: Viewer | None = None,
    directory: Directory | None = None,
) -> Page:
    """The viewer's language and zone for this request (a given choice is remembered)."""
    person_locale = None
    if viewer is not None and directory is not None:
        person_locale = directory.person_locales.get(viewer.name)
    locale = choose_locale(
        lang,
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        person_locale,
    )
    remember: dict[str, str] = {}
    if lang and lang == locale:
        remember[LANG_COOKIE] = locale
    zone = parse_zone(tz)
    if zone is not None:
        remember[TZ_COOKIE] = zone.key
    else:
        zone = parse_zone(request.cookies.get(TZ_COOKIE)) or ZoneInfo("UTC")
    gettext = templates_of(request).gettext(locale)
    return Page(locale, zone.key, Formatter(locale, zone), gettext, remember)


def _url_with(request: Request, **changes: str) -> str:
    """This page's URL with some query parameters replaced (for the language links)."""
    params = dict(request.query_params)
    params.update(changes)
    return request.url.path + "?" + urlencode(params)


def render(
    request: Request,
    page: Page,
    template: str,
    status_code: int = 200,
    directory: Directory | None = None,
    **values: Any,
) -> HTMLResponse:
    """The page as HTML, with the values every template uses and the security headers."""
    zones = sorted({*_COMMON_ZONES, *(directory.zones if directory else ()), page.tz_name})
    keep = {k: v for k, v in request.query_params.items() if k not in ("tz", "lang", "cursor")}
    common = {
        "lang": page.locale,
        "languages": [
            (code, name, _url_with(request, lang=code)) for code, name in LOCALE_NAMES.items()
        ],
        "tz_name": page.tz_name,
        "zones": zones,
        "keep_params": keep,
        "path": request.url.path,
        "viewer": values.pop("viewer", None),
    }
    html = templates_of(request).render(template, page.locale, **common, **values)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    for name, value in page.remember.items():
        set_preference(response, request, name, value)
    return response
