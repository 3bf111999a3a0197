"""Report snapshots for disputes (docs/reports.md, "Snapshots"): an admin stores a
report as produced; readers list them and download the bytes again, byte for byte,
with their SHA-256 in ``X-Content-SHA256``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import problem_responses
from slaclock.service.report_requests import REPORTS
from slaclock.service.reports import ReportError
from slaclock.service.snapshots import snapshot_json

__all__ = ["router"]

router = APIRouter(tags=["reports"])

Ctx = Annotated[ApiContext, Depends(get_ctx)]
SnapshotId = Annotated[str, Path(min_length=1, max_length=40)]
SNAPSHOTS = "/api/v1/reports/snapshots"


class SnapshotRequest(BaseModel):
    """Which report, with the parameters of its GET endpoint (as text), in which format."""

    report: str = Field(description=", ".join(REPORTS))
    params: dict[str, Any] = Field(default_factory=dict, max_length=50)
    format: Literal["json", "csv", "xlsx"] = "json"


@router.post(
    SNAPSHOTS,
    status_code=201,
    responses=problem_responses(400, 422),
    summary="Produce a report and keep its bytes for later (admin)",
)
async def post_snapshot(request: Request, caller: CallerDep, ctx: Ctx) -> dict[str, Any]:
    _, body = await read_json(request)
    try:
        wanted = SnapshotRequest.model_validate(body)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "body"
        raise Problem(422, f"{where}: {error['msg']}", slug="invalid-snapshot") from None
    try:
        snapshot = await run_in_threadpool(
            ctx.services.snapshot_take, wanted.report, wanted.params, wanted.format,
            caller.name, ctx.now(),
        )  # fmt: skip
    except ReportError as exc:
        raise Problem(422, str(exc), slug="invalid-snapshot") from exc
    return snapshot_json(snapshot)


@router.get(
    SNAPSHOTS,
    response_model=dict[str, Any],
    responses=problem_responses(),
    summary="The latest snapshots",
)
def get_snapshots(
    caller: CallerDep, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    return {"snapshots": [snapshot_json(s) for s in ctx.services.snapshots(limit)]}


@router.get(
    SNAPSHOTS + "/{snapshot_id}",
    response_model=dict[str, Any],
    responses=problem_responses(404),
    summary="A snapshot's description: request, configuration version, as_of, SHA-256",
)
def get_snapshot(snapshot_id: SnapshotId, caller: CallerDep, ctx: Ctx) -> dict[str, Any]:
    found = ctx.services.snapshot(snapshot_id)
    if found is None:
        raise Problem(404, f"no snapshot {snapshot_id!r}", slug="not-found")
    return snapshot_json(found)


@router.get(
    SNAPSHOTS + "/{snapshot_id}/content",
    responses=problem_responses(404),
    summary="The snapshot's bytes, exactly as produced",
)
def get_snapshot_content(snapshot_id: SnapshotId, caller: CallerDep, ctx: Ctx) -> Response:
    found = ctx.services.snapshot(snapshot_id, with_content=True)
    if found is None or found.content is None:
        raise Problem(404, f"no snapshot {snapshot_id!r}", slug="not-found")
    name = f"{found.report}-{found.id}.{found.format}"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": found.sha256,
        },
    )
