"""``POST /api/v1/tokens`` checks the token before it reads its body (issue 26, part 6):
a caller without a valid admin token gets 401/403 whatever it sends, and the body is
not read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from slaclock.api import create_app

HUGE = b"[" + b"[1]," * 1_000_000 + b"[1]]"  # 4 MB of valid JSON, costly to parse


class Body:
    """A streamed body that remembers whether anything read it."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.read = False

    def __iter__(self) -> Iterator[bytes]:
        self.read = True
        yield self.raw


@pytest.mark.parametrize(
    "raw", [b"{role:", HUGE, b"\xff\xfe", b""], ids=["malformed", "huge", "not-utf8", "empty"]
)
@pytest.mark.parametrize("header", [None, "Bearer slk_wrong"], ids=["missing", "wrong"])
def test_without_a_valid_token_the_answer_is_401_and_the_body_unread(
    sqlite_api: Any, raw: bytes, header: str | None
) -> None:
    body = Body(raw)
    headers = {"content-type": "application/json"}
    if header:
        headers["Authorization"] = header
    response = sqlite_api.client.post("/api/v1/tokens", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert not body.read


def test_a_role_that_may_not_create_tokens_gets_403_and_the_body_unread(sqlite_api: Any) -> None:
    body = Body(b"{role:")
    headers = {**sqlite_api.headers("viewer"), "content-type": "application/json"}
    response = sqlite_api.client.post("/api/v1/tokens", content=body, headers=headers)
    assert response.status_code == 403, response.text
    assert not body.read


def test_an_admin_still_gets_400_and_422_naming_what_is_wrong(sqlite_api: Any) -> None:
    headers = {**sqlite_api.headers(), "content-type": "application/json"}
    malformed = sqlite_api.client.post("/api/v1/tokens", content=b"{role:", headers=headers)
    assert malformed.status_code == 400 and "line 1" in malformed.json()["detail"]
    invalid = sqlite_api.client.post(
        "/api/v1/tokens", json={"role": "root", "name": ""}, headers=sqlite_api.headers()
    )
    assert invalid.status_code == 422
    locations = sorted(e["location"] for e in invalid.json()["errors"])
    assert locations == ["body.name", "body.role"]
    created = sqlite_api.client.post(
        "/api/v1/tokens", json={"role": "agent", "name": "desk"}, headers=sqlite_api.headers()
    )
    assert created.status_code == 201 and created.json()["role"] == "agent"


def test_the_schema_still_documents_the_body(sqlite_api: Any) -> None:
    operation = create_app(sqlite_api.services).openapi()["paths"]["/api/v1/tokens"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["role", "name"]
    assert schema["properties"]["role"]["enum"] == ["admin", "agent", "viewer", "ingest"]
    assert schema["additionalProperties"] is False
