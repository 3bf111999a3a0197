"""``POST /api/v1/tickets/{id}/events``: an agent acts on a ticket (reply, note, update).

This is the agent role's one write: a ``message`` or ``ticket.updated`` event on an
existing ticket, named by the path. Creating and deleting tickets, and bulk feeds, stay
with the ``ingest`` role and ``POST /api/v1/events``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.routes_events import ingest_response
from slaclock.api.schemas import IngestResponse, problem_responses

__all__ = ["ACTION_TYPES", "router"]

router = APIRouter(tags=["tickets"])
ACTION_TYPES = ("message", "ticket.updated")

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"type": {"type": "string", "enum": list(ACTION_TYPES)}},
                    "required": ["type"],
                    "description": "a message or ticket.updated event (events.md); "
                    "`ticket` may be left out",
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
    ticket_id: Annotated[str, Path(min_length=1, max_length=200)],
    request: Request,
    caller: CallerDep,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
) -> IngestResponse:
    _, body = await read_json(request)
    event = _action(ticket_id, body)
    known = await run_in_threadpool(ctx.services.ticket, ticket_id)
    if known is None or not known.created:
        raise Problem(404, f"no ticket {ticket_id!r}", slug="not-found")
    response = ingest_response(await ctx.batcher.submit([event]))
    if response.rejected:
        raise Problem(422, response.rejected[0].reason, slug="invalid-event")
    return response


def _action(ticket_id: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Problem(422, "expected an event object", slug="invalid-event")
    if body.get("type") not in ACTION_TYPES:
        allowed = " or ".join(ACTION_TYPES)
        raise Problem(
            422, f"type: expected {allowed}, not {body.get('type')!r}", slug="invalid-event"
        )
    if body.setdefault("ticket", ticket_id) != ticket_id:
        raise Problem(422, f"ticket: {body['ticket']!r} is not {ticket_id!r} of the path")
    return body
