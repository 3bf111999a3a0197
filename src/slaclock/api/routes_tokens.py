"""API tokens: create (the secret is shown once), list, revoke. Admin only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from slaclock.api.auth import CallerDep
from slaclock.api.context import ApiContext, get_ctx
from slaclock.api.problems import Problem
from slaclock.api.schemas import TokenCreate, TokenCreated, TokenRow, problem_responses
from slaclock.service.tokens import TokenInfo

__all__ = ["router"]

router = APIRouter(tags=["tokens"])
Ctx = Annotated[ApiContext, Depends(get_ctx)]


@router.post(
    "/api/v1/tokens",
    response_model=TokenCreated,
    status_code=201,
    responses=problem_responses(400),
    summary="Create a token; its secret is returned only here",
)
def create_token(body: TokenCreate, caller: CallerDep, ctx: Ctx) -> TokenCreated:
    token_id, secret = ctx.services.tokens.create(body.role, body.name, ctx.now())
    return TokenCreated(id=str(token_id), role=body.role, name=body.name, token=secret)


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
