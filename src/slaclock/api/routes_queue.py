"""The work queue (open instances, soonest due first) and the at-a-glance summary."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.instants import parse_duration_param
from slaclock.api.query import Cursor, cursor_page
from slaclock.api.schemas import problem_responses
from slaclock.service.queue import MAX_LIMIT, QueueFilters

__all__ = ["router"]

router = APIRouter(tags=["queue"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
Text = Annotated[str | None, Query(max_length=200)]
Duration = Annotated[str | None, Query(max_length=50, description="a duration such as 2h, 90m")]


@router.get(
    "/api/v1/queue",
    response_model=dict[str, Any],
    responses=problem_responses(400),
    summary="Open instances, soonest due first, filtered",
)
def get_queue(
    caller: CallerDep,
    ctx: Ctx,
    group: Text = None,
    assignee: Text = None,
    policy: Text = None,
    metric: Text = None,
    kind: Annotated[Literal["sla", "ola"] | None, Query()] = None,
    state: Annotated[Literal["running", "paused", "breached"] | None, Query()] = None,
    customer: Text = None,
    plan: Text = None,
    priority: Annotated[Literal["low", "normal", "high", "urgent"] | None, Query()] = None,
    due_within: Duration = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> dict[str, Any]:
    within = None if due_within is None else parse_duration_param("due_within", due_within)
    filters = QueueFilters(
        group=group,
        assignee=assignee,
        policy=policy,
        metric=metric,
        kind=kind,
        state=state,
        customer=customer,
        plan=plan,
        priority=priority,
        due_within_seconds=within,
    )
    return cursor_page(lambda: ctx.services.queue(filters, cursor, limit, ctx.now()))


@router.get(
    "/api/v1/summary",
    response_model=dict[str, Any],
    summary="Counts of open, at-risk and breached instances",
    responses=problem_responses(),
)
def get_summary(caller: CallerDep, ctx: Ctx, at_risk_within: Duration = "1h") -> dict[str, Any]:
    seconds = parse_duration_param("at_risk_within", at_risk_within or "1h")
    return ctx.services.summary(ctx.now(), seconds).to_json()
