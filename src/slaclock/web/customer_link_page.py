"""``POST /tickets/{id}/customer-link``: the ticket page's "Customer link" form
(:mod:`slaclock.web.customer_link_form`) makes a customer link, exactly as
``POST /api/v1/tickets/{id}/customer-link`` does, and answers with a page showing it,
ready to copy, and when it expires. Sign-in, the CSRF checks, then the role (agent or
admin): a viewer's post is refused (403).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.query import reject_nul_characters
from slaclock.service.compose import BASE_URL_ENV
from slaclock.service.customer_links import (
    CUSTOMER_LINK_SECRET_ENV,
    DEFAULT_DAYS,
    MAX_DAYS,
    LinksDisabled,
    link_expiry,
    link_secret,
)
from slaclock.web.customer_link_form import LINK_ROLES
from slaclock.web.pages import Gettext, render
from slaclock.web.reader import error_page, now_of, posted_form, services_of
from slaclock.web.routes import _is_count

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])
#: The form is a CSRF token and a number of days; anything bigger is not our form.
MAX_FORM_BYTES = 2048


@router.post("/tickets/{ticket_id:path}/customer-link")
async def make_link(request: Request, ticket_id: str) -> Response:
    """Make the link and show it: sign-in, CSRF, role, then the lifetime (``days``)."""
    found = await posted_form(request, MAX_FORM_BYTES)
    if isinstance(found, Response):
        return found
    viewer, page, form = found
    if viewer.role not in LINK_ROLES:
        message = page.gettext("Only an agent or an admin may make a customer link.")
        return error_page(request, page, 403, message, viewer)
    ctx = request.app.state.ctx
    try:
        secret = link_secret(ctx.environ)
    except LinksDisabled:
        return error_page(request, page, 503, _disabled(page.gettext), viewer)
    days_text = form.get("days", "").strip() or str(DEFAULT_DAYS)
    if not _is_count(days_text) or not 1 <= int(days_text) <= MAX_DAYS:
        message = page.gettext("Days: a whole number from 1 to %(max)s.") % {"max": MAX_DAYS}
        return error_page(request, page, 400, message, viewer)
    expires = link_expiry(now_of(request), int(days_text))
    base_url = ctx.environ.get(BASE_URL_ENV) or str(request.base_url)
    services = services_of(request)
    link = await run_in_threadpool(services.customer_link, ticket_id, secret, base_url, expires)
    if link is None:
        message = page.gettext("There is no ticket %(id)s.") % {"id": ticket_id}
        return error_page(request, page, 404, message, viewer)
    return render(
        request,
        page,
        "customer_link.html",
        viewer=viewer,
        ticket_id=ticket_id,
        ticket_url=f"/tickets/{quote(ticket_id, safe='')}",
        url=link.url,
        expires=page.fmt.instant(link.expires_at, "medium"),
    )


def _disabled(gettext: Gettext) -> str:
    text = gettext("Customer links are not enabled here: %(env)s is not set.")
    return text % {"env": CUSTOMER_LINK_SECRET_ENV}
