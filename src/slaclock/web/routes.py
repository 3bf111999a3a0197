"""The dashboard's pages: sign in and out, the queue with its summary, one ticket.

Every page but the login form needs a signed-in token whose role may read (admin,
agent, viewer); without one the browser is sent to ``/login``, with an ingest token
it gets a 403 page. Each page links its JSON twin, the API endpoint with the same data.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeGuard
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.query import reject_nul_characters
from slaclock.service.app_state import Services
from slaclock.service.notifications import DeliveryFilters
from slaclock.service.queue import QueuePage
from slaclock.web.customer_link_form import link_form as customer_link_form
from slaclock.web.customer_link_form import with_form_cookie
from slaclock.web.dashboard import (
    FILTER_NAMES,
    FilterForm,
    parse_filters,
    queue_rows,
    summary_groups,
)
from slaclock.web.directory import Directory
from slaclock.web.formatting import AT_RISK_SECONDS
from slaclock.web.overview import overview
from slaclock.web.pages import Page, make_page, render
from slaclock.web.reader import ReaderDep, Text, error_page
from slaclock.web.session import (
    TOKEN_COOKIE,
    clear_token_cookie,
    is_same_origin,
    safe_next,
    set_token_cookie,
    verify,
)
from slaclock.web.ticket_page import (
    event_rows,
    field_rows,
    instance_rows,
    notification_rows,
    policy_rows,
    summary_fields,
)
from slaclock.web.timeline import timeline_views

__all__ = ["router"]

#: A NUL in a page's path or query answers 422, as on the API: no id or filter holds
#: one, and PostgreSQL cannot compare text with one (it answered 500).
router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

PAGE_ROWS = 50
#: The ticket page lists its first messages; the JSON API pages through all of them.
NOTIFICATIONS_SHOWN = 100
MAX_PAGE_ROWS = 200
#: A login form body is a token and a path; anything bigger is not our form.
MAX_LOGIN_BYTES = 4096


@router.get("/login")
def login_form(request: Request, next: Text = None, lang: Text = None, tz: Text = None) -> Response:
    page = make_page(request, lang, tz)
    return render(request, page, "login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the pasted token; on success keep it in the cookie and go on."""
    page = make_page(request, None, None)
    if not is_same_origin(request):
        return error_page(request, page, 403, page.gettext("This form was sent from another site."))
    body = await request.body()
    form = parse_qs(body[:MAX_LOGIN_BYTES].decode("utf-8", "replace"))
    secret = (form.get("token") or [""])[0].strip()
    target = safe_next((form.get("next") or ["/"])[0])
    ctx = request.app.state.ctx
    client, now = request.client.host if request.client else "", ctx.now()
    wait = ctx.throttle.retry_after(client, now)  # the API's throttle: one count per address
    if wait is not None and not ctx.tokens.known(secret):
        error = page.gettext(
            "Too many failed sign-ins from this address; try again in %(seconds)s seconds."
        ) % {"seconds": wait}
        refused = render(request, page, "login.html", 429, next=target, error=error)
        refused.headers["Retry-After"] = str(wait)
        return refused
    viewer = await run_in_threadpool(verify, ctx, secret)  # a database read
    if viewer is None:
        ctx.throttle.failed(client, now)
    if viewer is None or not viewer.may_see_pages:
        error = (
            page.gettext("This token is not valid, or it has been revoked.")
            if viewer is None
            else page.gettext("The role of this token (%(role)s) may not see the dashboard.")
            % {"role": viewer.role}
        )
        status = 401 if viewer is None else 403
        return render(request, page, "login.html", status, next=target, error=error)
    response = RedirectResponse(target, status_code=303)
    set_token_cookie(response, secret, request)
    return response


@router.get("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    if TOKEN_COOKIE in request.cookies:
        clear_token_cookie(response, request)
    return response


@router.get("/")
def dashboard(
    request: Request,
    reader: ReaderDep,
    group: Text = None,
    assignee: Text = None,
    policy: Text = None,
    metric: Text = None,
    kind: Text = None,
    state: Text = None,
    priority: Text = None,
    plan: Text = None,
    customer: Text = None,
    due_within: Text = None,
    cursor: Text = None,
    limit: Text = None,
) -> Response:
    """Summary cards and groups, then the queue by time left, filtered and paged."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    raw = {
        "group": group,
        "assignee": assignee,
        "policy": policy,
        "metric": metric,
        "kind": kind,
        "state": state,
        "priority": priority,
        "plan": plan,
        "customer": customer,
        "due_within": due_within,
    }
    form = parse_filters(raw, page.gettext)
    now = reader.now
    rows = _page_rows(limit)
    queue, cursor, errors = _read_queue(reader.services, form, cursor, rows, now, page)
    summary = reader.services.summary(now, AT_RISK_SECONDS)
    figures = overview(reader.services, page, now)
    return render(
        request,
        page,
        "dashboard.html",
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now, "medium"),
        now_epoch=int(now.timestamp()),
        totals={k: page.fmt.number(v) for k, v in summary.totals.to_json().items()},
        groups=summary_groups(summary, directory),
        overview=figures,
        mine_url=_mine_url(viewer.name, directory),
        fmt=page.fmt,
        at_risk_seconds=AT_RISK_SECONDS,
        rows=queue_rows(queue.rows, page.fmt, page.gettext, directory),
        filters={n: form.values.get(n, "") for n in FILTER_NAMES},
        errors=errors,
        limit=limit if _is_count(limit) else None,
        directory_data=directory,
        next_url=_queue_url("/?", form, limit, queue.next_cursor) if queue.next_cursor else None,
        first_url=_queue_url("/?", form, limit, None) if cursor else None,
        json_url=_queue_url("/api/v1/queue?", form, str(rows), cursor),
        summary_json_url="/api/v1/summary",
    )


def _mine_url(name: str | None, directory: Directory) -> str | None:
    """The "My clocks" link: the queue of the person the signed-in token is named
    after, when the configuration knows that person (``people:``)."""
    if not name or name not in directory.person_names:
        return None
    return "/?" + urlencode({"assignee": name}) + "#queue"


def _read_queue(
    services: Services, form: FilterForm, cursor: str | None, rows: int, now: datetime, page: Page
) -> tuple[QueuePage, str | None, list[str]]:
    """A page of the queue, the cursor it used, and the problems to show.

    A cursor the service cannot read (an old bookmark) gives the first page and a note,
    not an error page.
    """
    errors = list(form.errors)
    try:
        return services.queue(form.filters, cursor or None, rows, now), cursor, errors
    except ValueError:
        errors.append(page.gettext("That page link has expired; showing the first page."))
        return services.queue(form.filters, None, rows, now), None, errors


def _is_count(text: str | None) -> TypeGuard[str]:
    """ASCII digits (``str.isdigit`` also takes "²", which ``int`` refuses)."""
    return text is not None and text.isascii() and text.isdigit()


def _page_rows(limit: str | None) -> int:
    """Rows per page: ``?limit=`` when it is a sensible number, else PAGE_ROWS."""
    if _is_count(limit):
        return max(1, min(int(limit), MAX_PAGE_ROWS))
    return PAGE_ROWS


def _queue_url(prefix: str, form: FilterForm, limit: str | None, cursor: str | None) -> str:
    return prefix + form.query(limit=limit, cursor=cursor)


@router.get("/tickets/{ticket_id:path}")
def ticket(request: Request, reader: ReaderDep, ticket_id: str) -> Response:
    """One ticket: its fields, instances, events and why the engine did what it did."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services, now = reader.services, reader.now
    found = services.ticket(ticket_id)
    if found is None:
        message = page.gettext("There is no ticket %(id)s.") % {"id": ticket_id}
        return error_page(request, page, 404, message, viewer)
    explained = services.explain(ticket_id, now)
    explanation = explained.to_json() if explained is not None else {}
    messages = services.notifications(DeliveryFilters(ticket=ticket_id), None, NOTIFICATIONS_SHOWN)
    quoted = quote(ticket_id, safe="")
    link_form = customer_link_form(request, viewer, ticket_id)
    response = render(
        request,
        page,
        "ticket.html",
        directory=directory,
        viewer=viewer,
        ticket_id=ticket_id,
        now_text=page.fmt.instant(now, "medium"),
        summary=summary_fields(found, page.fmt, page.gettext, directory),
        fields=field_rows(found.fields),
        instances=instance_rows(explanation.get("instances", []), page.fmt, page.gettext),
        timelines=timeline_views(
            explanation.get("instances", []), services.config_current()[2].calendars, now, page
        ),
        policies=policy_rows(explanation, page.fmt),
        events=event_rows(found.events, page.fmt, page.gettext, now),
        notifications=notification_rows(messages.rows, page.fmt, page.gettext, directory),
        more_notifications=messages.next_cursor is not None,
        notifications_json_url=f"/api/v1/tickets/{quoted}/notifications",
        json_url=f"/api/v1/tickets/{quoted}",
        explain_json_url=f"/api/v1/tickets/{quoted}/explain",
        customer_link=link_form,
    )
    return with_form_cookie(request, response, link_form)
