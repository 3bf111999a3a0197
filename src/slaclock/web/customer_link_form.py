"""The ticket page's "Customer link" form: an agent or admin makes a customer link
(docs/dashboard.md, "Customer view") to paste into a mail or a portal.

The form posts, with the CSRF token (:func:`slaclock.web.session.csrf_token`), to
``/tickets/{id}/customer-link`` (:mod:`slaclock.web.customer_link_page`). Viewers get
no form; where customer links are not enabled the form says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from slaclock.service.customer_links import CUSTOMER_LINK_SECRET_ENV, DEFAULT_DAYS, MAX_DAYS
from slaclock.web.session import Viewer, csrf_token, set_csrf_cookie

__all__ = ["LINK_ROLES", "LinkForm", "link_form", "with_form_cookie"]

#: Who may make a customer link: the API's rule for the same action.
LINK_ROLES = frozenset({"admin", "agent"})


@dataclass(frozen=True)
class LinkForm:
    """What the ticket page needs to show the form."""

    action: str
    csrf: str
    new_csrf: bool  # the response must set the CSRF cookie
    enabled: bool  # False: the secret is not set, the page says so instead
    days: int = DEFAULT_DAYS
    max_days: int = MAX_DAYS


def link_form(request: Request, viewer: Viewer, ticket_id: str) -> LinkForm | None:
    """The form for an agent or admin on the ticket's page; None for anyone else."""
    if viewer.role not in LINK_ROLES:
        return None
    token, new = csrf_token(request)
    enabled = bool(request.app.state.ctx.environ.get(CUSTOMER_LINK_SECRET_ENV))
    action = f"/tickets/{quote(ticket_id, safe='')}/customer-link"
    return LinkForm(action, token, new, enabled)


def with_form_cookie(request: Request, response: Response, form: LinkForm | None) -> Response:
    """``response`` with the CSRF cookie the form's token needs, if it is new."""
    if form is not None and form.new_csrf:
        set_csrf_cookie(response, form.csrf, request)
    return response
