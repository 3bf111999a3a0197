"""Reading one ticket: its fields and events, its instances as of an instant, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.instants import parse_instant
from slaclock.api.problems import Problem
from slaclock.api.schemas import problem_responses
from slaclock.service.reads import MAX_EXPLAIN_PAGE, explanation_page

__all__ = ["MAX_TICKET_ID_LENGTH", "TicketId", "router"]

#: The store's ticket id column (``String(200)``); a longer path id answers 422.
MAX_TICKET_ID_LENGTH = 200

router = APIRouter(tags=["tickets"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
TicketId = Annotated[str, Path(min_length=1, max_length=MAX_TICKET_ID_LENGTH)]
AsOf = Annotated[
    str | None,
    Query(
        description="an ISO-8601 instant with offset (default: now)",
        json_schema_extra={"format": "date-time"},
    ),
]


def _as_of(ctx: ApiContext, as_of: str | None) -> datetime:
    return ctx.now() if as_of is None else parse_instant("as_of", as_of)


def _not_found(ticket_id: str) -> Problem:
    return Problem(404, f"no ticket {ticket_id!r}", slug="not-found")


@router.get(
    "/api/v1/tickets/{ticket_id}",
    response_model=dict[str, Any],
    responses=problem_responses(404),
    summary="A ticket: fields, events and instances",
)
def get_ticket(ticket_id: TicketId, caller: CallerDep, ctx: Ctx) -> dict[str, Any]:
    view = ctx.services.ticket(ticket_id)
    if view is None or not view.events:  # a row without events: left by a duplicate
        raise _not_found(ticket_id)  # naming another ticket
    return view.to_json()


@router.get(
    "/api/v1/tickets/{ticket_id}/instances",
    response_model=list[dict[str, Any]],
    responses=problem_responses(404),
    summary="The ticket's instances as of an instant (the replay JSON)",
)
def get_instances(
    ticket_id: TicketId, caller: CallerDep, ctx: Ctx, as_of: AsOf = None
) -> list[dict[str, Any]]:
    instances = ctx.services.instances_as_of(ticket_id, _as_of(ctx, as_of))
    if instances is None:
        raise _not_found(ticket_id)
    return [instance.to_json() for instance in instances]


@router.get(
    "/api/v1/tickets/{ticket_id}/explain",
    response_model=dict[str, Any],
    responses=problem_responses(400, 404),
    summary="Why the ticket's instances are what they are (instances paged)",
)
def get_explain(
    ticket_id: TicketId,
    caller: CallerDep,
    ctx: Ctx,
    as_of: AsOf = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EXPLAIN_PAGE)] = 100,
) -> dict[str, Any]:
    """Policies tried and chosen, and the life of ``limit`` instances from ``cursor``
    (``next_cursor`` names the next page, null on the last)."""
    explanation = ctx.services.explain(ticket_id, _as_of(ctx, as_of))
    if explanation is None:
        raise _not_found(ticket_id)
    try:
        return explanation_page(explanation, cursor, limit)
    except ValueError as exc:
        raise Problem(400, f"cursor: {exc}", slug="bad-cursor") from exc
