"""The configuration: read the current text, replace it, list and diff its versions.

``PUT`` validates exactly as ``slaclock validate`` does (the service parses it with the
core loader); an invalid text answers 422 listing every problem and changes nothing.
Its body has a lower cap than other routes' (``create_app(max_config_bytes=...)``, 1 MiB
by default, refused with 413 before it is read), and the parsing, validation and
re-evaluation run in a worker thread, so the event loop goes on serving other requests.

``GET`` answers the version as an entity tag (``ETag: "3"``); a ``PUT`` that sends it
back as ``If-Match`` is applied only if no other version was stored since (else 412,
naming the current version), so two editors cannot silently undo each other — the
check the policies page makes. Without ``If-Match`` (or with ``*``) the text is applied
whatever the current version.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_text
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import ConfigDiff, ConfigText, problem_responses
from slaclock.service.config_versions import ConfigConflict

__all__ = ["CONFIG_PATH", "router"]

CONFIG_PATH = "/api/v1/config"

router = APIRouter(tags=["config"])
#: An entity tag of a configuration version: its number in quotes (weak or not).
_ETAG = re.compile(r'(?:W/)?"(\d{1,9})"')
Ctx = Annotated[ApiContext, Depends(get_ctx)]

_TEXT_BODY = {
    "requestBody": {
        "required": True,
        "description": "the whole configuration, YAML or JSON text",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.get(
    CONFIG_PATH,
    response_model=ConfigText,
    responses=problem_responses(404),
    summary="The current configuration text and its version",
)
def get_config(caller: CallerDep, ctx: Ctx, response: Response) -> ConfigText:
    version, text, _ = ctx.services.config_current()
    if not version:
        raise Problem(404, "no configuration has been applied yet", slug="not-found")
    response.headers["ETag"] = etag(version)
    return ConfigText(version=version, text=text)


@router.put(
    CONFIG_PATH,
    response_model=ConfigText,
    status_code=201,
    responses=problem_responses(400, 412),
    openapi_extra=_TEXT_BODY,
    summary="Apply a new configuration (a new version); If-Match: the version it was based on",
)
async def put_config(
    request: Request, response: Response, caller: CallerDep, ctx: Ctx
) -> ConfigText:
    base = base_version(request.headers.get("if-match"))
    text = await read_text(request)
    author = caller.name or caller.token_id
    try:
        # Off the event loop: parsing and re-evaluating all open tickets take a while.
        version = await run_in_threadpool(ctx.services.config_apply, text, author, ctx.now(), base)
    except ConfigConflict as exc:
        raise Problem(
            412,
            f"If-Match: the configuration is at version {exc.current} ({etag(exc.current)}), "
            f"not {exc.base}; read it again and apply your change to it",
            slug="precondition-failed",
        ) from exc
    response.headers["ETag"] = etag(version)
    return ConfigText(version=version, text=text)


def etag(version: int) -> str:
    """A configuration version as an entity tag: ``"3"``."""
    return f'"{version}"'


def base_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``; ``"0"`` for "none applied
    yet"), or None without one (or ``*``); a 400 problem for anything else."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.fullmatch(if_match.strip())
    if match is None:
        raise Problem(
            400,
            f"If-Match: {if_match[:80]!r} is not a configuration's entity tag; "
            'send the ETag of GET /api/v1/config, such as "3"',
            slug="bad-request",
        )
    return int(match.group(1))


@router.get(
    "/api/v1/config/versions",
    response_model=list[dict[str, Any]],
    responses=problem_responses(),
    summary="Every saved version: number, author, time",
)
def get_versions(caller: CallerDep, ctx: Ctx) -> list[dict[str, Any]]:
    return [v.to_json() for v in ctx.services.config_versions()]


@router.get(
    "/api/v1/config/diff",
    response_model=ConfigDiff,
    responses=problem_responses(404),
    summary="A unified diff between two versions (0: the empty text)",
)
def get_diff(
    caller: CallerDep,
    ctx: Ctx,
    from_version: Annotated[int, Query(alias="from", ge=0, le=2**31)],
    to_version: Annotated[int, Query(alias="to", ge=0, le=2**31)],
) -> ConfigDiff:
    known = {0} | {v.version for v in ctx.services.config_versions()}
    unknown = [str(v) for v in (from_version, to_version) if v not in known]
    if unknown:
        raise Problem(404, f"no configuration version {', '.join(unknown)}", slug="not-found")
    diff = ctx.services.config_diff(from_version, to_version)
    return ConfigDiff.model_validate({"from": from_version, "to": to_version, "diff": diff})
