"""``POST /api/v1/events``: one event or a batch, made durable before the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem, json_safe
from slaclock.api.schemas import MAX_BATCH_EVENTS, IngestResponse, problem_responses
from slaclock.service.ingest import Origin

__all__ = ["ingest_response", "router"]

router = APIRouter(tags=["events"])

_EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object", "description": "one event (events.md)"},
                        {
                            "type": "array",
                            "items": {
                                "description": "an event; anything else is listed as rejected"
                            },
                            "maxItems": MAX_BATCH_EVENTS,
                            "description": "a batch of events",
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "/api/v1/events",
    response_model=IngestResponse,
    responses=problem_responses(400),
    openapi_extra=_EVENTS_BODY,
    summary="Ingest one event or a batch",
)
async def post_events(
    request: Request, caller: CallerDep, ctx: Annotated[ApiContext, Depends(get_ctx)]
) -> IngestResponse:
    """A batch answers 200 listing accepted, duplicate and rejected events by index.

    A single event (a JSON object) that is rejected answers 422 instead, so a client
    sending one event at a time sees the failure in the status code.
    """
    _, body = await read_json(request)
    single = isinstance(body, dict)
    if not single and not isinstance(body, list):
        raise Problem(422, "expected an event (object) or a list of events", slug="invalid-event")
    events: list[Any] = [body] if single else body
    if len(events) > MAX_BATCH_EVENTS:
        detail = f"a batch holds at most {MAX_BATCH_EVENTS} events, not {len(events)}"
        raise Problem(422, detail, slug="batch-too-large")
    result = await ctx.batcher.submit(events, Origin(source=caller.token_id))
    response = ingest_response(result)
    if single and response.rejected:
        raise Problem(
            422, response.rejected[0].reason, slug="invalid-event", rejected=_dump(response)
        )
    return response


def ingest_response(result: Any) -> IngestResponse:
    """The service's ``IngestResult`` as the response body (the ids and reasons it
    echoes made :func:`~slaclock.api.problems.json_safe`: they may hold lone surrogates)."""
    return IngestResponse.model_validate(
        json_safe(
            {
                "accepted": list(result.accepted),
                "duplicates": list(result.duplicates),
                "rejected": list(result.rejected),
            }
        )
    )


def _dump(response: IngestResponse) -> list[dict[str, Any]]:
    return [item.model_dump() for item in response.rejected]
