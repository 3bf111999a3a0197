"""Notifications as an operator sees them: deliveries with their fires, a dead letter
sent again by hand, and ``GET /metrics`` for Prometheus (docs/notifications.md,
"Operating it")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.query import Cursor, cursor_page
from slaclock.api.routes_tickets import TicketId
from slaclock.api.schemas import problem_responses
from slaclock.service.formats import iso_z
from slaclock.service.metrics import CONTENT_TYPE
from slaclock.service.notifications import MAX_LIMIT, STATUSES, DeliveryFilters

__all__ = ["router"]

router = APIRouter(tags=["notifications"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
Text = Annotated[str | None, Query(max_length=300)]
FireType = Literal["sla.reminder", "sla.breached", "sla.escalation"]
#: The outbox's states, and pending narrowed to ``held`` (quiet hours) or ``failed``.
State = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(STATUSES) + ")$",
        description=", ".join(STATUSES)
        + " (pending includes held and failed: held waits for the reader's quiet hours"
        " to end; failed was tried and waits for its retry)",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=40)]


@router.get(
    "/api/v1/notifications",
    response_model=dict[str, Any],
    responses=problem_responses(400),
    summary="Deliveries with their fires, oldest first, filtered",
)
def get_notifications(
    caller: CallerDep,
    ctx: Ctx,
    ticket: Text = None,
    recipient: Text = None,
    type: Annotated[FireType | None, Query()] = None,
    state: State = None,
    channel: Annotated[Literal["webhook", "slack", "email"] | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    filters = DeliveryFilters(
        ticket=ticket, recipient=recipient, type=type, state=state, channel=channel
    )
    return cursor_page(lambda: ctx.services.notifications(filters, cursor, limit))


@router.get(
    "/api/v1/tickets/{ticket_id}/notifications",
    response_model=dict[str, Any],
    responses=problem_responses(400),
    summary="The ticket's deliveries with their fires, oldest first",
)
def get_ticket_notifications(
    ticket_id: TicketId,
    caller: CallerDep,
    ctx: Ctx,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    filters = DeliveryFilters(ticket=ticket_id)
    return cursor_page(lambda: ctx.services.notifications(filters, cursor, limit))


@router.post(
    "/api/v1/notifications/{delivery_id}/retry",
    response_model=dict[str, Any],
    responses=problem_responses(404, 409),
    summary="Send a dead letter again now",
)
def retry_notification(delivery_id: DeliveryId, caller: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """A dead delivery goes back to pending, due now, its attempts counted from zero,
    under the same id and body; the worker is woken."""
    now = ctx.now()
    done = ctx.services.retry_notification(delivery_id, now)
    if done is None:
        raise Problem(404, f"no delivery {delivery_id!r}", slug="not-found")
    if not done:
        raise Problem(409, f"delivery {delivery_id!r} is not dead", slug="not-dead")
    return {"id": delivery_id, "state": "pending", "next_attempt_at": iso_z(now)}


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}}, **problem_responses()},
    summary="Counters and gauges in Prometheus' text format",
)
def get_metrics(caller: CallerDep, ctx: Ctx) -> Response:
    """This process's counters and the fire-lag histogram; the outbox's and the
    schedule's gauges, read from the database now."""
    return Response(ctx.services.metrics.exposition(), media_type=CONTENT_TYPE)
