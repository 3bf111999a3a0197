"""``/status/{token}``: the customer view of a ticket, opened from a signed link
without signing in (docs/dashboard.md, "Customer view").

The link is the credential (:mod:`slaclock.service.customer_links`). The page shows
only what :mod:`slaclock.service.customer_view` lets out — the ticket's id and subject
and its SLA promises — in the customer's words: "We will respond by …", "Answered at
…", paused and why, past due. Language: ``?lang=``, else the requester's locale on the
ticket, else the browser's; zone: ``?tz=``, else the requester's, else the zone of the
team's calendar, named on the page. No cookie is read or set: the page is the same for
whoever holds the link. An expired link answers 410, any other bad one 404. Sent with
the site's security headers, and ``Referrer-Policy: no-referrer`` (the token in the
address must not leak to a site the page links to) and ``X-Robots-Tag: noindex``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time, get_timezone_name
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from slaclock.api.query import reject_nul_characters
from slaclock.service.customer_links import (
    CUSTOMER_LINK_SECRET_ENV,
    read_customer_token,
)
from slaclock.service.customer_view import CustomerClock, CustomerStatus
from slaclock.service.i18n import DEFAULT_LOCALE, language_code
from slaclock.service.signed_links import LinkError, LinkExpired
from slaclock.web.formatting import Formatter, parse_zone
from slaclock.web.i18n import LOCALE_NAMES, parse_accept_language
from slaclock.web.labels import N_
from slaclock.web.pages import SECURITY_HEADERS, templates_of

__all__ = ["HEADERS", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])
Text = Annotated[str | None, Query(max_length=500)]
Gettext = Callable[[str], str]

#: The site's headers, and: no Referer with the token in it, no search engine.
HEADERS = {
    **SECURITY_HEADERS,
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
#: Zones offered besides the customer's own and the team's.
_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Oslo",
    "Europe/Bucharest",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class View:
    """This request's language, zone and how to write times in them."""

    locale: str
    zone: ZoneInfo
    gettext: Gettext
    fmt: Formatter

    def when(self, at: datetime | None) -> str:
        """A date and time a customer reads at a glance: "Fri, Mar 6, 2026, 3:05 PM"."""
        if at is None:
            return ""
        day = format_skeleton("yMMMEd", at, tzinfo=self.zone, locale=self.locale)
        time = format_time(at, "short", tzinfo=self.zone, locale=self.locale)
        pattern = Locale.parse(self.locale).datetime_formats["medium"]
        return str(pattern).replace("{1}", day).replace("{0}", time)

    def zone_name(self) -> str:
        """The zone in words, with its IANA name: "Central European Time (Europe/Amsterdam)"."""
        if self.zone.key == "UTC":
            return "UTC"
        return f"{get_timezone_name(self.zone, 'long', locale=self.locale)} ({self.zone.key})"


@router.get("/status/{token}")
def customer_page(request: Request, token: str, lang: Text = None, tz: Text = None) -> HTMLResponse:
    """The ticket's promises for whoever holds the link; 410 expired, 404 not genuine."""
    ctx = request.app.state.ctx
    now: datetime = ctx.now()
    secret = ctx.environ.get(CUSTOMER_LINK_SECRET_ENV)
    if not secret:
        view = _view(request, lang, tz, None)
        return _refusal(request, view, 404, view.gettext("Customer links are not enabled here."))
    try:
        claim = read_customer_token(secret, token, now)
    except LinkExpired:
        view = _view(request, lang, tz, None)
        message = view.gettext("This link has expired; ask us for a new one.")
        return _refusal(request, view, 410, message)
    except LinkError:
        view = _view(request, lang, tz, None)
        return _refusal(request, view, 404, view.gettext("This link is not valid."))
    status = ctx.services.customer_status(claim.ticket, now)
    view = _view(request, lang, tz, status)
    if status is None:
        return _refusal(request, view, 404, view.gettext("This link is not valid."))
    values = {
        "ticket": status.ticket,
        "subject": status.subject,
        "promises": [promise(clock, view) for clock in status.clocks],
        "as_of": view.when(now),
        "expires": view.when(claim.expires),
        "zone_name": view.zone_name(),
    }
    return _render(request, view, 200, lang, tz, **values)


def _view(
    request: Request, lang: str | None, tz: str | None, status: CustomerStatus | None
) -> View:
    requester_locale = status.requester_locale if status else None
    candidates = (
        lang,
        requester_locale,
        *parse_accept_language(request.headers.get("accept-language")),
    )
    locale = next(
        (code for c in candidates if (code := language_code(c)) is not None), DEFAULT_LOCALE
    )
    zone = parse_zone(tz)
    if zone is None and status is not None:
        zone = status.requester_zone or status.calendar_zone
    zone = zone or ZoneInfo("UTC")
    gettext = templates_of(request).gettext(locale)
    return View(locale, zone, gettext, Formatter(locale, zone))


def promise(clock: CustomerClock, view: View) -> dict[str, Any]:
    """One promise in the customer's words: a heading, a state word (colour is never
    the only sign), the sentence, and for a paused one why and what that means."""
    gettext = view.gettext
    late = clock.state == "breached"
    if clock.state == "paused":
        sentence = _paused(clock, view)
        word = gettext("Paused")
    elif late and clock.open:
        sentence = _late(clock.metric, view.when(clock.due_at), gettext)
        word = gettext("Late")
    elif not clock.open:
        sentence = _done(clock.metric, view.when(clock.stopped_at), gettext)
        if late:
            sentence += " " + gettext("That was after the time we aimed for (%(time)s).") % {
                "time": view.when(clock.due_at)
            }
        word = gettext("Done late") if late else gettext("Done")
    else:
        sentence = _due(clock.metric, view.when(clock.due_at), gettext)
        word = gettext("In progress")
    return {
        "title": _title(clock.metric, gettext),
        "state": clock.state if clock.open else ("late" if late else "met"),
        "word": word,
        "sentence": sentence,
        "pause_note": _pause_note(clock, view) if clock.state == "paused" else None,
    }


#: Which kind of promise a metric is, for its words; any other metric is a "step".
_KIND_OF_METRIC = {
    "first_response": "reply",
    "next_response": "reply",
    "periodic_update": "update",
    "resolution": "solution",
}
#: What a customer reads of each kind of promise: its heading, and the sentence while
#: it is due, once it is done, and when it is late and still open.
_WORDS: dict[str, dict[str, str]] = {
    "reply": {
        "title": N_("Our first reply"),
        "due": N_("We will respond by %(time)s."),
        "done": N_("Answered at %(time)s."),
        "late": N_("We aimed to respond by %(time)s and have not yet."),
    },
    "update": {
        "title": N_("Our next update"),
        "due": N_("We will send you an update by %(time)s."),
        "done": N_("Updated at %(time)s."),
        "late": N_("We aimed to send you an update by %(time)s and have not yet."),
    },
    "solution": {
        "title": N_("A solution"),
        "due": N_("We aim to resolve this by %(time)s."),
        "done": N_("Resolved at %(time)s."),
        "late": N_("We aimed to resolve this by %(time)s; it is taking longer."),
    },
    "step": {
        "title": N_("Our next step"),
        "due": N_("We aim to take the next step by %(time)s."),
        "done": N_("Done at %(time)s."),
        "late": N_("We aimed to take the next step by %(time)s and have not yet."),
    },
}


def _words(metric: str) -> dict[str, str]:
    return _WORDS[_KIND_OF_METRIC.get(metric, "step")]


def _title(metric: str, gettext: Gettext) -> str:
    if metric == "next_response":
        return gettext("Our next reply")
    return gettext(_words(metric)["title"])


def _due(metric: str, time: str, gettext: Gettext) -> str:
    return gettext(_words(metric)["due"]) % {"time": time}


def _done(metric: str, time: str, gettext: Gettext) -> str:
    return gettext(_words(metric)["done"]) % {"time": time}


def _late(metric: str, time: str, gettext: Gettext) -> str:
    """Past due and still open: said plainly, with an apology, and nothing internal."""
    late = gettext(_words(metric)["late"]) % {"time": time}
    return late + " " + gettext("We are sorry for the delay.")


def _paused(clock: CustomerClock, view: View) -> str:
    gettext = view.gettext
    if clock.pause_reason == "waiting_for_you":
        return gettext("Paused: we are waiting for your reply.")
    if clock.pause_reason == "on_hold":
        return gettext("Paused: your request is on hold.")
    return gettext("Paused for now.")


def _pause_note(clock: CustomerClock, view: View) -> str:
    note = view.gettext("Time does not count while it is paused.")
    if clock.remaining_seconds > 0:
        note += " " + view.gettext(
            "When it runs again, %(duration)s of our service hours remain."
        ) % {"duration": view.fmt.duration(clock.remaining_seconds)}
    return note


def _refusal(request: Request, view: View, status: int, message: str) -> HTMLResponse:
    lang, tz = request.query_params.get("lang"), request.query_params.get("tz")
    return _render(request, view, status, lang, tz, refusal=message)


def _render(
    request: Request,
    view: View,
    status: int,
    lang: str | None,
    tz: str | None,
    **values: Any,
) -> HTMLResponse:
    """The page (or its refusal) with the language links and zone form, which keep a
    language or zone chosen in the query, and the headers above."""
    here = request.url.path
    keep_tz = {"tz": view.zone.key} if parse_zone(tz) is not None else {}
    languages = [
        (code, name, f"{here}?{urlencode({'lang': code, **keep_tz})}")
        for code, name in LOCALE_NAMES.items()
    ]
    zones = sorted({*_ZONES, view.zone.key})
    values.setdefault("refusal", None)
    html = templates_of(request).render(
        "customer.html",
        view.locale,
        lang=view.locale,
        here=here,
        languages=languages,
        chosen_lang=view.locale if language_code(lang) else None,
        zones=zones,
        tz_name=view.zone.key,
        status=status,
        **values,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
