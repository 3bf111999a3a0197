"""What-if (docs/reports.md, "What-if"): replay a window's stored events under a draft
configuration, as a job. Admins only.

``POST /api/v1/whatif`` takes the draft as its body — YAML or JSON text, as ``PUT
/api/v1/config`` takes a configuration, with the same 1 MiB cap — and the window in
``from``/``to``; it validates both at once (422 listing every problem of the draft,
as ``PUT /config`` does) and answers 202 with the job and its ``Location``. ``GET
/api/v1/whatif/{job_id}`` reads the job: ``running``, ``done`` (with the result) or
``failed``, and its progress in tickets. Jobs live in the process that started them
(``service/whatif_jobs.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_text
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.routes_config import _TEXT_BODY as CONFIG_TEXT_BODY
from slaclock.api.schemas import problem_responses
from slaclock.service.reports import ReportError, report_instant
from slaclock.service.whatif_jobs import JobsBusy, jobs_of, start_what_if

__all__ = ["DEFAULT_DAYS", "WHATIF_PATH", "router"]

WHATIF_PATH = "/api/v1/whatif"
#: The window when ``from`` is not given: this many days before ``to``.
DEFAULT_DAYS = 30
#: Seconds a client is asked to wait when too many jobs run.
RETRY_AFTER_SECONDS = 5

router = APIRouter(tags=["reports"])
Ctx = Annotated[ApiContext, Depends(get_ctx)]
Bound = Annotated[
    str | None,
    Query(max_length=64, description="a date (its midnight, UTC) or an instant with offset"),
]

#: The request body as ``PUT /api/v1/config`` documents it, named a draft.
_DRAFT_BODY = {
    "requestBody": {
        **CONFIG_TEXT_BODY["requestBody"],
        "description": "the draft configuration, YAML or JSON text",
    }
}


@router.post(
    WHATIF_PATH,
    response_model=dict[str, Any],
    status_code=202,
    responses=problem_responses(400, 422, 429),
    openapi_extra=_DRAFT_BODY,
    summary="Start a what-if: the window's verdicts before and after a draft configuration",
)
async def post_whatif(
    request: Request,
    response: Response,
    caller: CallerDep,
    ctx: Ctx,
    from_: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to: Bound = None,
    as_of: Bound = None,
) -> dict[str, Any]:
    text = await read_text(request)
    now = ctx.now()
    try:
        at = report_instant(as_of, "as_of", "UTC") if as_of else now
        end = report_instant(to, "to", "UTC") if to else at
        start = (
            report_instant(from_, "from", "UTC") if from_ else end - timedelta(days=DEFAULT_DAYS)
        )
        # Off the event loop: parsing a draft takes a while (ConfigError: 422).
        job = await run_in_threadpool(start_what_if, ctx.services, text, start, end, at, ctx.now)
    except ReportError as exc:
        raise Problem(422, str(exc)) from exc
    except JobsBusy as exc:
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        raise Problem(429, str(exc), slug="busy", headers=retry) from exc
    response.headers["Location"] = f"{WHATIF_PATH}/{job.id}"
    return job.to_json()


@router.get(
    WHATIF_PATH + "/{job_id}",
    response_model=dict[str, Any],
    responses=problem_responses(404),
    summary="A what-if job: its state, progress and, when done, its result",
)
def get_whatif(
    caller: CallerDep, ctx: Ctx, job_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    job = jobs_of(ctx.services).get(job_id)
    if job is None:
        raise Problem(
            404,
            f"no what-if job {job_id!r} (jobs are kept a while, in the process that ran them)",
            slug="not-found",
        )
    return job.to_json()
