"""POST/GET/DELETE /api/v1/tokens: the new secret works, a revoked one stops at once."""

from __future__ import annotations

from typing import Any

import pytest


def test_a_created_token_authenticates_with_its_role(sqlite_api: Any) -> None:
    api = sqlite_api
    response = api.client.post(
        "/api/v1/tokens", json={"role": "viewer", "name": "dashboard"}, headers=api.headers()
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["role"] == "viewer" and created["name"] == "dashboard"
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert api.client.get("/api/v1/summary", headers=headers).status_code == 200
    assert api.client.get("/api/v1/tokens", headers=headers).status_code == 403

    listed = api.client.get("/api/v1/tokens", headers=api.headers()).json()
    row = next(r for r in listed if r["id"] == created["id"])
    assert row["role"] == "viewer" and row["name"] == "dashboard"
    assert all("secret" not in key for r in listed for key in r)
    assert created["token"] not in str(listed)

    deleted = api.client.delete(f"/api/v1/tokens/{created['id']}", headers=api.headers())
    assert deleted.status_code == 204
    assert api.client.get("/api/v1/summary", headers=headers).status_code == 401


def test_revoking_an_unknown_token_is_404(sqlite_api: Any) -> None:
    response = sqlite_api.client.delete("/api/v1/tokens/tok_nosuch", headers=sqlite_api.headers())
    assert response.status_code == 404
    assert "tok_nosuch" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"role": "root", "name": "x"},
        {"role": "admin"},
        {"role": "admin", "name": ""},
        {"role": "admin", "name": "x", "extra": 1},
        {"role": 3, "name": "x"},
        [],
    ],
)
def test_bad_token_bodies_are_422_problems(sqlite_api: Any, body: Any) -> None:
    response = sqlite_api.client.post("/api/v1/tokens", json=body, headers=sqlite_api.headers())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"] and problem["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")


def test_malformed_json_token_body_is_a_4xx_problem(sqlite_api: Any) -> None:
    headers = {**sqlite_api.headers(), "content-type": "application/json"}
    response = sqlite_api.client.post("/api/v1/tokens", content=b"{role:", headers=headers)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
