"""Request and response bodies with a fixed shape (pydantic; unknown fields refused).

Service results whose shape belongs to the engine (instances, explanations, ticket
fields) pass through as JSON objects; these models cover what the API itself defines.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ConfigDiff",
    "ConfigText",
    "IngestResponse",
    "TokenCreate",
    "TokenCreated",
    "TokenRow",
]

MAX_BATCH_EVENTS = 10_000
Role = Literal["admin", "agent", "viewer", "ingest"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestItem(_Strict):
    index: int
    id: str | None = None


class RejectedItem(_Strict):
    index: int
    id: str | None = None
    reason: str


class IngestResponse(_Strict):
    """Every event of the request lands in exactly one of the three lists, by index."""

    accepted: list[IngestItem]
    duplicates: list[IngestItem]
    rejected: list[RejectedItem]


class TokenCreate(_Strict):
    role: Role
    #: No control characters: a name is shown in lists and timelines (and PostgreSQL
    #: cannot store a NUL).
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")


class TokenCreated(_Strict):
    """The secret is shown once, here; the store keeps only its hash."""

    id: str
    role: Role
    name: str
    token: str


class TokenRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    role: str
    name: str


class ConfigText(_Strict):
    version: int
    text: str


class ConfigDiff(_Strict):
    from_version: int = Field(alias="from")
    to_version: int = Field(alias="to")
    diff: str

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers a route can give."""
    schema = {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail"],
    }
    content = {"application/problem+json": {"schema": schema}}
    common = (401, 403, 413, 422, 429)
    return {
        status: {"description": "problem details (RFC 9457)", "content": content}
        for status in sorted({*common, *statuses})
    }
