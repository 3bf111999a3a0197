"""API tokens: create (the secret is shown once), list, revoke. Admin only.

``POST`` reads its body itself, after the token check: a body FastAPI parsed as a
parameter would be read and validated before any dependency ran, so a caller without a
token could make the server parse (and be told what is wrong with) any body.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from slaclock.api.auth import CallerDep
from slaclock.api.bodies import read_json
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import TokenCreate, TokenCreated, TokenRow, problem_responses
from slaclock.service.tokens import TokenInfo

__all__ = ["router"]

router = APIRouter(tags=["tokens"])
Ctx = Annotated[ApiContext, Depends(get_ctx)]

_CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": TokenCreate.model_json_schema()}},
    }
}


@router.post(
    "/api/v1/tokens",
    response_model=TokenCreated,
    status_code=201,
    responses=problem_responses(400),
    openapi_extra=_CREATE_BODY,
    summary="Create a token; its secret is returned only here",
)
async def create_token(request: Request, caller: CallerDep, ctx: Ctx) -> TokenCreated:
    _, parsed = await read_json(request)
    body = _token_create(parsed)
    token_id, secret = await run_in_threadpool(
        ctx.services.tokens.create, body.role, body.name, ctx.now()
    )
    return TokenCreated(id=str(token_id), role=body.role, name=body.name, token=secret)


def _token_create(parsed: Any) -> TokenCreate:
    """The body as a :class:`TokenCreate`; else 422 listing what is wrong, worded as
    FastAPI words a body it validated itself."""
    try:
        return TokenCreate.model_validate(parsed)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in errors]
        ) from exc


@router.get(
    "/api/v1/tokens",
    response_model=list[TokenRow],
    responses=problem_responses(),
    summary="Every token (without secrets)",
)
def list_tokens(caller: CallerDep, ctx: Ctx) -> list[TokenRow]:
    return [TokenRow.model_validate(_token_json(info)) for info in ctx.services.tokens.list()]


@router.delete(
    "/api/v1/tokens/{token_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404),
    summary="Revoke a token; it stops working at once",
)
def revoke_token(
    token_id: Annotated[str, Path(min_length=1, max_length=64)], caller: CallerDep, ctx: Ctx
) -> Response:
    known = {info.id for info in ctx.services.tokens.list()}
    if token_id not in known:
        raise Problem(404, f"no token {token_id!r}", slug="not-found")
    ctx.services.tokens.revoke(token_id)
    ctx.tokens.clear()
    return Response(status_code=204)


def _token_json(info: TokenInfo) -> dict[str, Any]:
    """A token as listed: its fields, instants in ISO 8601; it holds no secret."""
    return {
        "id": info.id,
        "name": info.name,
        "role": info.role,
        "created_at": info.created_at.isoformat(),
        "revoked_at": None if info.revoked_at is None else info.revoked_at.isoformat(),
        "last_used_at": None if info.last_used_at is None else info.last_used_at.isoformat(),
    }
