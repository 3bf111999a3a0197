"""``/notifications`` and ``/settings``: the deliveries of the service, and this
browser's language and zone with (for admins) the API tokens.

Every form that changes something is a POST carrying the signed double-submit CSRF
token (:func:`slaclock.web.session.csrf_token`) from a page of this site; the actions
of admins (retry a dead letter, create or revoke a token) check the role again. After
an action the browser is sent back to the page with ``?done=<what happened>``, shown as
a note — except a new token, whose secret is shown once, in the answer to the POST.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.query import reject_nul_characters
from slaclock.service.notifications import FIRE_TYPES, MAX_LIMIT, STATUSES, DeliveryFilters
from slaclock.service.tokens import ROLES
from slaclock.web.formatting import parse_zone
from slaclock.web.i18n import LOCALE_NAMES
from slaclock.web.labels import (
    CHANNEL_LABELS,
    DELIVERY_STATUS_LABELS,
    FIRE_TYPE_LABELS,
    N_,
    label,
)
from slaclock.web.pages import Gettext, Page, render
from slaclock.web.reader import ReaderDep, Text, error_page, now_of, posted_form, services_of
from slaclock.web.routes import _is_count, _page_rows
from slaclock.web.session import (
    LANG_COOKIE,
    TZ_COOKIE,
    Viewer,
    csrf_token,
    set_csrf_cookie,
    set_preference,
)
from slaclock.web.ticket_page import notification_rows

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

#: A form body here is a few short fields; anything bigger is not our form.
MAX_FORM_BYTES = 4096
CHANNELS = ("email", "webhook", "slack")
#: What ``?done=`` may say after an action, as a note on the page.
DONE = {
    "retried": N_("The message will be sent again now."),
    "not-dead": N_("That message is not a dead letter; it was not retried."),
    "no-message": N_("There is no such message."),
    "saved": N_("Your language and time zone are saved for this browser."),
    "revoked": N_("The token is revoked; it stops working at once."),
    "no-token": N_("There is no such token, or it was already revoked."),
}


def _done_note(done: str | None, gettext: Gettext) -> str | None:
    return gettext(DONE[done]) if done in DONE else None


def _with_csrf(request: Request, response: Response, token: str, new: bool) -> Response:
    if new:
        set_csrf_cookie(response, token, request)
    return response


async def _checked_post(
    request: Request, admin_only: bool
) -> tuple[Viewer, Page, dict[str, str]] | Response:
    """A form post's viewer, page settings and fields, or the response refusing it:
    sign-in first, then the CSRF checks, then the role."""
    found = await posted_form(request, MAX_FORM_BYTES)
    if isinstance(found, Response):
        return found
    viewer, page, form = found
    if admin_only and viewer.role != "admin":
        message = page.gettext("Only an admin may do this.")
        return error_page(request, page, 403, message, viewer)
    return viewer, page, form


# ------------------------------------------------------------------ notifications


def _choice(value: str | None, allowed: tuple[str, ...], name: str, page: Page) -> str | None:
    """A filter's value when it is one of ``allowed``; else None (and a note, as on the
    dashboard)."""
    if not value:
        return None
    if value in allowed:
        return value
    raise ValueError(
        page.gettext("Ignored filter %(name)s: %(problem)s")
        % {"name": name, "problem": page.gettext("not one of the choices")}
    )


def _count_text(page: Page, count: int) -> str:
    return page.fmt.number(count) + ("+" if count >= MAX_LIMIT else "")


@router.get("/notifications")
def notifications(
    request: Request,
    reader: ReaderDep,
    status: Text = None,
    type: Text = None,
    channel: Text = None,
    ticket: Text = None,
    recipient: Text = None,
    cursor: Text = None,
    limit: Text = None,
    done: Text = None,
) -> Response:
    """The deliveries, oldest first, filtered and paged; counts per status; retry for
    admins."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services = reader.services
    errors: list[str] = []
    chosen: dict[str, str | None] = {}
    for name, value, allowed in (
        ("status", status, STATUSES),
        ("type", type, FIRE_TYPES),
        ("channel", channel, CHANNELS),
    ):
        try:
            chosen[name] = _choice(value, allowed, name, page)
        except ValueError as exc:
            errors.append(str(exc.args[0]))
            chosen[name] = None
    chosen["ticket"] = ticket or None
    chosen["recipient"] = recipient or None
    rows = _page_rows(limit)

    def filters(state: str | None) -> DeliveryFilters:
        return DeliveryFilters(
            ticket=chosen["ticket"],
            recipient=chosen["recipient"],
            type=chosen["type"],
            state=state,
            channel=chosen["channel"],
        )

    try:
        found = services.notifications(filters(chosen["status"]), cursor or None, rows)
    except ValueError:
        errors.append(page.gettext("That page link has expired; showing the first page."))
        cursor = None
        found = services.notifications(filters(chosen["status"]), None, rows)
    # Counts per status under the other filters, up to MAX_LIMIT each ("500+").
    counts = [
        (
            code,
            label(DELIVERY_STATUS_LABELS, code, page.gettext),
            _count_text(page, len(services.notifications(filters(code), None, MAX_LIMIT).rows)),
            _url("/notifications?", {**chosen, "status": code}, limit, None),
        )
        for code in STATUSES
    ]
    api_filters = {**{k: v for k, v in chosen.items() if k != "status"}, "state": chosen["status"]}
    token, new = csrf_token(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = render(
        request,
        page,
        "notifications.html",
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now_of(request), "medium"),
        counts=counts,
        filters={k: v or "" for k, v in chosen.items()},
        statuses=[(c, label(DELIVERY_STATUS_LABELS, c, page.gettext)) for c in STATUSES],
        types=[(c, label(FIRE_TYPE_LABELS, c, page.gettext)) for c in FIRE_TYPES],
        channels=[(c, label(CHANNEL_LABELS, c, page.gettext)) for c in CHANNELS],
        errors=errors,
        note=_done_note(done, page.gettext),
        rows=[
            {**shown, "ticket": row.ticket, "ticket_url": "/tickets/" + quote(row.ticket, safe="")}
            for shown, row in zip(
                notification_rows(found.rows, page.fmt, page.gettext, directory),
                found.rows,
                strict=True,
            )
        ],
        may_retry=viewer.role == "admin",
        csrf=token,
        back=_without_done(here),
        limit=limit if _is_count(limit) else None,
        next_url=_url("/notifications?", chosen, limit, found.next_cursor)
        if found.next_cursor
        else None,
        first_url=_url("/notifications?", chosen, limit, None) if cursor else None,
        json_url=_url("/api/v1/notifications?", api_filters, str(rows), cursor),
    )
    return _with_csrf(request, response, token, new)


def _url(prefix: str, values: dict[str, str | None], limit: str | None, cursor: str | None) -> str:
    params = {k: v for k, v in values.items() if v}
    if _is_count(limit):
        params["limit"] = limit
    if cursor:
        params["cursor"] = cursor
    return prefix + urlencode(params)


def _without_done(path: str) -> str:
    base, _, query = path.partition("?")
    kept = [(k, v) for k, vs in parse_qs(query).items() for v in vs if k != "done"]
    return base + ("?" + urlencode(kept) if kept else "")


def _back_with(back: str | None, default: str, done: str) -> str:
    """``back`` (a local path under ``default``) with ``done`` set, for the redirect."""
    if not back or not (back == default or back.startswith(default + "?")):
        back = default
    back = _without_done(back)
    return back + ("&" if "?" in back else "?") + urlencode({"done": done})


@router.post("/notifications/{delivery_id}/retry")
async def retry(request: Request, delivery_id: str) -> Response:
    """Send a dead letter again now (admins), then back to the list with a note."""
    checked = await _checked_post(request, admin_only=True)
    if isinstance(checked, Response):
        return checked
    _, _, form = checked
    done = await run_in_threadpool(
        services_of(request).retry_notification, delivery_id, now_of(request)
    )
    what = "retried" if done else "not-dead" if done is False else "no-message"
    return RedirectResponse(_back_with(form.get("back"), "/notifications", what), status_code=303)


# ----------------------------------------------------------------------- settings


def _token_rows(request: Request, page: Page) -> list[dict[str, Any]]:
    def when(at: Any) -> str:
        return page.fmt.instant(at, "medium") if at is not None else ""

    return [
        {
            "id": info.id,
            "name": info.name,
            "role": info.role,
            "created": when(info.created_at),
            "last_used": when(info.last_used_at),
            "revoked": when(info.revoked_at),
        }
        for info in sorted(services_of(request).tokens.list(), key=lambda i: i.created_at)
    ]


def _settings_page(
    request: Request,
    viewer: Viewer,
    page: Page,
    status_code: int = 200,
    **values: Any,
) -> Response:
    token, new = csrf_token(request)
    is_admin = viewer.role == "admin"
    values.setdefault("note", None)
    values.setdefault("error", None)
    values.setdefault("created", None)
    values.setdefault("new_name", "")
    values.setdefault("new_role", "viewer")
    response = render(
        request,
        page,
        "settings.html",
        status_code,
        viewer=viewer,
        csrf=token,
        locales=list(LOCALE_NAMES.items()),
        is_admin=is_admin,
        roles=ROLES,
        tokens=_token_rows(request, page) if is_admin else [],
        json_url="/api/v1/tokens" if is_admin else None,
        **values,
    )
    return _with_csrf(request, response, token, new)


@router.get("/settings")
def settings(request: Request, reader: ReaderDep, done: Text = None) -> Response:
    """This browser's language and time zone; the API tokens for admins."""
    viewer, page = reader.viewer, reader.page
    return _settings_page(request, viewer, page, note=_done_note(done, page.gettext))


@router.post("/settings")
async def save_preferences(request: Request) -> Response:
    """Remember the chosen language and time zone (the cookies ``?lang=``/``?tz=`` set)."""
    checked = await _checked_post(request, admin_only=False)
    if isinstance(checked, Response):
        return checked
    viewer, page, form = checked
    lang, zone = form.get("lang", ""), parse_zone(form.get("tz"))
    if lang not in LOCALE_NAMES or zone is None:
        error = page.gettext("Choose a language and a time zone from the lists.")
        return _settings_page(request, viewer, page, 400, error=error)
    response = RedirectResponse("/settings?done=saved", status_code=303)
    set_preference(response, request, LANG_COOKIE, lang)
    set_preference(response, request, TZ_COOKIE, zone.key)
    return response


@router.post("/settings/tokens")
async def create_token(request: Request) -> Response:
    """A new token (admins); its secret is shown in this answer only."""
    checked = await _checked_post(request, admin_only=True)
    if isinstance(checked, Response):
        return checked
    viewer, page, form = checked
    role, name = form.get("role", ""), form.get("name", "").strip()
    if (
        role not in ROLES
        or not name
        or len(name) > 200
        or any(ord(c) < 32 or c == "\x7f" for c in name)
    ):
        error = page.gettext("Give the token a name (up to 200 characters) and a role.")
        return _settings_page(
            request, viewer, page, 400, error=error, new_name=name[:200], new_role=role
        )
    token_id, secret = await run_in_threadpool(
        services_of(request).tokens.create, role, name, now_of(request)
    )
    created = {"id": token_id, "name": name, "role": role, "secret": secret}
    return _settings_page(request, viewer, page, created=created)


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: str) -> Response:
    """Revoke a token (admins); it stops working at once."""
    checked = await _checked_post(request, admin_only=True)
    if isinstance(checked, Response):
        return checked
    ctx = request.app.state.ctx
    done = await run_in_threadpool(ctx.services.tokens.revoke, token_id, ctx.now())
    ctx.tokens.clear()  # the API's token memory: revoked means revoked now
    what = "revoked" if done else "no-token"
    return RedirectResponse(f"/settings?done={what}", status_code=303)
