"""``/api/v1/tickets/{id}/events``: a ticket's timeline, and an agent acting on it.

``GET`` pages through the ticket's events as stored, each with who sent it. ``POST``
is the agent role's one write: a reply, a note or an update on an existing ticket,
named by the path, stamped by the server (:mod:`slaclock.service.agent_actions`).
Creating and deleting tickets, and bulk feeds, stay with the ``ingest`` role and
``POST /api/v1/events``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.routes_events import ingest_response
from slaclock.api.routes_tickets import TicketId
from slaclock.api.schemas import IngestResponse, problem_responses
from slaclock.core.errors import EventError
from slaclock.service.agent_actions import ACTION_TYPES, AGENT_FIELDS, agent_event
from slaclock.service.ingest import Origin
from slaclock.service.reads import MAX_EVENTS_PAGE

__all__ = ["router"]

router = APIRouter(tags=["tickets"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": list(ACTION_TYPES)},
                        "ticket": {"type": "string", "description": "if given, the path's"},
                        "public": {"type": "boolean", "description": "a message: false = a note"},
                        "channel": {"type": "string", "description": "a message's channel"},
                        "changes": {
                            "type": "object",
                            "description": "an update: new values of " + ", ".join(AGENT_FIELDS),
                        },
                    },
                    "required": ["type"],
                    "additionalProperties": False,
                    "description": "what the agent decides; the server sets id, at and author",
                }
            }
        },
    }
}


@router.post(
    "/api/v1/tickets/{ticket_id}/events",
    response_model=IngestResponse,
    responses=problem_responses(400, 404),
    openapi_extra=_BODY,
    summary="Act on a ticket: a reply, a note or an update",
)
async def post_ticket_event(
    ticket_id: TicketId,
    request: Request,
    caller: CallerDep,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
) -> IngestResponse:
    """The server stamps the event: ``at`` is now, the author is the token's agent (its
    name), the id is the server's; the body says only what the agent decides."""
    _, body = await read_json(request)
    try:
        event = agent_event(ticket_id, body, caller.name, ctx.now())
    except EventError as exc:
        raise Problem(422, str(exc), slug="invalid-event") from None
    known = await run_in_threadpool(ctx.services.ticket, ticket_id)
    if known is None or not known.created:
        raise Problem(404, f"no ticket {ticket_id!r}", slug="not-found")
    origin = Origin(source=caller.token_id, server_stamped=True)
    response = ingest_response(await ctx.batcher.submit([event], origin))
    if response.rejected:
        raise Problem(422, response.rejected[0].reason, slug="invalid-event")
    return response


@router.get(
    "/api/v1/tickets/{ticket_id}/events",
    response_model=dict[str, Any],
    responses=problem_responses(400, 404),
    summary="The ticket's events, a page at a time, each with who sent it",
)
def get_ticket_events(
    ticket_id: TicketId,
    caller: CallerDep,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS_PAGE)] = 100,
) -> dict[str, Any]:
    """``{"rows": [{"seq", "received_at", "source", "source_name", "event"}],
    "next_cursor"}`` in replay order (``at``, then arrival)."""
    try:
        page = ctx.services.ticket_events(ticket_id, cursor, limit)
    except ValueError as exc:
        raise Problem(400, f"cursor: {exc}", slug="bad-cursor") from exc
    if not page.rows and cursor is None:
        raise Problem(404, f"no ticket {ticket_id!r}", slug="not-found")
    return page.to_json()


class Acknowledgement(BaseModel):
    """Which instance the caller is on."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(min_length=1, max_length=200)
    cycle: int = Field(default=0, ge=0, le=1_000_000)
    kind: Literal["sla", "ola"] = "sla"


@router.post(
    "/api/v1/tickets/{ticket_id}/acknowledge",
    responses=problem_responses(400, 404),
    summary="Acknowledge an instance: I am on it (sla.acknowledged, changes no clock)",
)
async def post_acknowledge(
    ticket_id: TicketId,
    request: Request,
    caller: CallerDep,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
) -> dict[str, Any]:
    """The caller (the token's name, a person id) is on the instance: an
    ``sla.acknowledged`` event, which an escalation ``unless_acknowledged`` heeds."""
    _, body = await read_json(request)
    try:
        ack = Acknowledgement.model_validate(body)
    except ValidationError as exc:
        raise Problem(422, _first_error(exc), slug="invalid-acknowledgement") from None
    try:
        event_id = await run_in_threadpool(
            ctx.services.acknowledge, ticket_id, (ack.kind, ack.metric, ack.cycle),
            caller.name, ctx.now(), caller.token_id,
        )  # fmt: skip
    except LookupError as exc:
        raise Problem(404, str(exc.args[0]), slug="not-found") from None
    return {"id": event_id, "ticket": ticket_id, "by": caller.name}


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"
