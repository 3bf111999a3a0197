"""``POST /api/v1/webhooks/{source}``: a helpdesk's own webhook, signed, mapped to an event.

Order of checks: the token's role (401/403), the source exists in the current
configuration (404), the signature over the raw body is valid and fresh (401), the
body is JSON (400) and maps to an event (422). Nothing is stored unless all pass. A
source with a ``preset`` maps the helpdesk's own payload to its events (none, one or
more; :mod:`slaclock.core.webhook_presets`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.routes_events import ingest_response
from slaclock.api.schemas import IngestResponse, problem_responses
from slaclock.api.signing import SignatureError, map_body, verify_signature
from slaclock.core.webhook_presets import PresetError, preset_events
from slaclock.service.ingest import Origin

__all__ = ["router"]

router = APIRouter(tags=["events"])

_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/api/v1/webhooks/{source}",
    response_model=IngestResponse,
    responses=problem_responses(400, 404, 503),
    openapi_extra=_BODY,
    summary="Receive a signed helpdesk webhook",
)
async def post_webhook(
    source: str,
    request: Request,
    caller: CallerDep,
    ctx: Annotated[ApiContext, Depends(get_ctx)],
    x_slaclock_signature: Annotated[str | None, Header()] = None,
) -> IngestResponse:
    spec = await run_in_threadpool(_source, ctx, source)
    secret = ctx.environ.get(spec.secret_env)
    if not secret:
        raise Problem(503, f"the secret of source {source!r} ({spec.secret_env}) is not set")
    raw = await request.body()
    now = ctx.now()
    try:
        verify_signature(x_slaclock_signature, secret, raw, now, spec.tolerance_seconds)
    except SignatureError as exc:
        raise Problem(401, str(exc), slug="bad-signature") from exc
    _, body = await read_json(request)
    events = _events_from(source, spec, raw, body, now)
    if not events:  # a preset's payload about nothing slaclock follows
        return IngestResponse(accepted=[], duplicates=[], rejected=[])
    result = await ctx.batcher.submit(events, Origin(source=caller.token_id))
    response = ingest_response(result)
    if response.rejected:
        rejected = response.rejected[0]
        event = events[rejected.index]
        raise Problem(422, rejected.reason, slug="invalid-event", event=event)
    return response


def _source(ctx: ApiContext, source: str) -> Any:
    config = ctx.services.config_current()[2]
    spec = config.sources.get(source)
    if spec is None:
        raise Problem(404, f"no webhook source {source!r} in the configuration", slug="not-found")
    return spec


def _events_from(
    source: str, spec: Any, raw: bytes, body: Any, now: datetime
) -> list[dict[str, Any]]:
    """Map the body, by the source's mapping or its preset (none, one or more events);
    without an ``id``, the body's hash makes replays duplicates."""
    digest = hashlib.sha256(raw).hexdigest()[:32]
    if spec.preset is not None:
        try:
            events = preset_events(spec.preset, body, now)
        except PresetError as exc:
            raise Problem(
                422, f"source {source!r} ({spec.preset}): {exc}", slug="invalid-event"
            ) from exc
        for number, event in enumerate(events):
            event.setdefault("id", f"{source}:{digest}" + (f":{number}" if number else ""))
        return events
    event, missing = map_body(body, spec.mapping, spec.constants)
    if missing:
        raise Problem(
            422,
            f"the body lacks what source {source!r} maps: {', '.join(missing)}",
            slug="invalid-event",
        )
    event.setdefault("id", f"{source}:{digest}")
    return [event]
