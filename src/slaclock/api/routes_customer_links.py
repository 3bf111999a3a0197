"""``POST /api/v1/tickets/{id}/customer-link``: a signed, expiring link for the ticket's
customer (agent, admin; docs/dashboard.md, "Customer view").

The body is optional: ``{"days": n}`` or ``{"expires_at": "…Z"}``; none gives the
default lifetime. The link is ``{SLACLOCK_BASE_URL}/status/{token}`` (the address
this request came to when the base URL is not set). Nothing is stored. The body is read
after the token check, as ``POST /tokens`` reads its own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.instants import parse_instant
from slaclock.api.problems import Problem
from slaclock.api.routes_tickets import TicketId
from slaclock.api.schemas import problem_responses
from slaclock.service.compose import BASE_URL_ENV
from slaclock.service.customer_links import (
    MAX_DAYS,
    LinksDisabled,
    link_expiry,
    link_secret,
)

__all__ = ["CUSTOMER_LINK_PATH", "router"]

CUSTOMER_LINK_PATH = "/api/v1/tickets/{ticket_id}/customer-link"
router = APIRouter(tags=["tickets"])
Ctx = Annotated[ApiContext, Depends(get_ctx)]


class LinkRequest(BaseModel):
    """How long the link lives: ``days`` from now, or until ``expires_at``."""

    model_config = ConfigDict(extra="forbid")

    days: StrictInt | None = Field(default=None, ge=1, le=MAX_DAYS)
    expires_at: str | None = Field(
        default=None,
        max_length=64,
        description="an ISO-8601 instant with offset, 1 hour to 365 days from now",
        json_schema_extra={"format": "date-time"},
    )


class LinkMade(BaseModel):
    """The link to give the customer, and when it stops working."""

    ticket: str
    url: str
    expires_at: str


_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": LinkRequest.model_json_schema()}},
    }
}


@router.post(
    CUSTOMER_LINK_PATH,
    response_model=LinkMade,
    responses=problem_responses(400, 404, 503),
    openapi_extra=_BODY,
    summary="A signed, expiring link showing the ticket's customer when a reply or fix is due",
)
async def post_customer_link(
    ticket_id: TicketId, request: Request, caller: CallerDep, ctx: Ctx
) -> LinkMade:
    """The link's ``url`` and ``expires_at``; 503 when customer links are not enabled
    (``SLACLOCK_CUSTOMER_LINK_SECRET`` unset), 422 for a lifetime out of bounds."""
    try:
        secret = link_secret(ctx.environ)
    except LinksDisabled as exc:
        raise Problem(503, str(exc), slug="customer-links-disabled") from None
    body = await _link_request(request)
    now = ctx.now()
    at = None if body.expires_at is None else parse_instant("expires_at", body.expires_at)
    try:
        expires = link_expiry(now, body.days, at)
    except ValueError as exc:
        raise Problem(422, str(exc), slug="invalid-lifetime") from None
    base_url = ctx.environ.get(BASE_URL_ENV) or str(request.base_url)
    link = await run_in_threadpool(ctx.services.customer_link, ticket_id, secret, base_url, expires)
    if link is None:
        raise Problem(404, f"no ticket {ticket_id!r}", slug="not-found")
    return LinkMade(**link.to_json())


async def _link_request(request: Request) -> LinkRequest:
    """The optional body as a :class:`LinkRequest`; 400/422 as other bodies are refused."""
    if not (await request.body()).strip():
        return LinkRequest()
    _, parsed = await read_json(request)
    try:
        return LinkRequest.model_validate(parsed)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in errors]
        ) from exc
