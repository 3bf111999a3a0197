"""issue 23, "What-if" over the API: ``POST /api/v1/whatif`` starts a job (202 and a
Location), ``GET /api/v1/whatif/{id}`` reads its progress up to the total and then its
result, which equals the service's; a bad draft is 422 listing its problems as ``PUT
/config`` does; admins only; the projection is left as it is. SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

from slaclock.service.whatif import what_if
from slaclock.service.whatif_jobs import jobs_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.whatif import AS_OF, END, START, STRICTER, broken_draft, load, projection

WINDOW = "from=2026-03-09&to=2026-03-16&as_of=2026-03-23T00:00:00Z"
TICKETS = 60


def _start(api: Any, draft: str, query: str = WINDOW, role: str = "admin") -> Any:
    headers = {**api.headers(role), "Content-Type": "application/yaml"}
    return api.client.post(f"/api/v1/whatif?{query}", content=draft.encode(), headers=headers)


def _finished(api: Any, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body: dict[str, Any] = api.client.get(location, headers=api.headers()).json()
        if body["state"] != "running" or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def test_a_job_runs_to_its_total_and_gives_the_services_result(api: Any) -> None:
    load(api.services, TICKETS)
    stored = projection(api.services.db.engine)
    response = _start(api, STRICTER)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["id"].startswith("wi_") and job["state"] == "running"
    assert response.headers["location"] == f"/api/v1/whatif/{job['id']}"
    done = _finished(api, response.headers["location"])
    assert done["state"] == "done", done
    progress = done["progress"]
    assert progress["done"] == progress["total"] == done["result"]["tickets"] > 0
    expected = what_if(api.services, STRICTER, START, END, AS_OF).to_json()
    assert done["result"] == expected
    assert expected["flips_total"] > 0 and expected["from"] == "2026-03-09T00:00:00Z"
    assert projection(api.services.db.engine) == stored


def test_a_draft_with_an_error_is_422_listing_its_problems(api: Any) -> None:
    text, line = broken_draft()
    response = _start(api, text)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-configuration")
    assert [(e["line"], "first_response" in e["path"]) for e in problem["errors"]] == [(line, True)]
    assert f"<draft>:{line}:" in problem["detail"]


def test_a_bad_window_is_422_naming_it(api: Any) -> None:
    response = _start(api, STRICTER, "from=2026-03-16&to=2026-03-09")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("to:")
    response = _start(api, STRICTER, "from=yesterday")
    assert response.status_code == 422 and "from" in response.json()["detail"]


@pytest.mark.parametrize("role", ["agent", "viewer", "ingest"])
def test_only_admins_may_start_or_read_a_job(api: Any, role: str) -> None:
    assert _start(api, STRICTER, role=role).status_code == 403
    job = _start(api, STRICTER).json()
    url = f"/api/v1/whatif/{job['id']}"
    assert api.client.get(url, headers=api.headers(role)).status_code == 403
    assert _finished(api, url)["state"] == "done"


def test_an_unknown_job_is_404_and_too_many_running_is_429(api: Any) -> None:
    response = api.client.get("/api/v1/whatif/wi_nosuch", headers=api.headers())
    assert response.status_code == 404
    jobs_of(api.services).running_max = 0
    busy = _start(api, STRICTER)
    assert busy.status_code == 429 and busy.headers["retry-after"] == "5"
