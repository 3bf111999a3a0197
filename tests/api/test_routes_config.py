"""GET/PUT /api/v1/config, versions and diff; an invalid text changes nothing."""

from __future__ import annotations

from typing import Any

from slaclock.core.config import parse_config
from slaclock.core.errors import ConfigError


def _put(api: Any, text: str, role: str = "admin") -> Any:
    headers = {**api.headers(role), "content-type": "application/yaml"}
    return api.client.put("/api/v1/config", content=text.encode(), headers=headers)


def test_before_any_configuration_get_is_404(api: Any, example_config: str) -> None:
    response = api.client.get("/api/v1/config", headers=api.headers("viewer"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_put_accepts_a_valid_text_as_a_new_version(api: Any, example_config: str) -> None:
    response = _put(api, example_config)
    assert response.status_code == 201, response.text
    assert response.json() == {"version": 1, "text": example_config}
    current = api.client.get("/api/v1/config", headers=api.headers("agent")).json()
    assert current == {"version": 1, "text": example_config}
    changed = example_config.replace("within: 16h}", "within: 12h}")
    assert _put(api, changed).json()["version"] == 2
    versions = api.client.get("/api/v1/config/versions", headers=api.headers("viewer")).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["author"] == "admin-test"
    diff = api.client.get("/api/v1/config/diff?from=1&to=2", headers=api.headers()).json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert "-      first_response: {within: 16h}" in diff["diff"]
    assert "+      first_response: {within: 12h}" in diff["diff"]


def test_json_text_is_accepted_too(api: Any, example_config: str) -> None:
    import json

    import yaml

    quoted = example_config.replace("country: NO}", "country: 'NO'}")  # YAML 1.1: NO is false
    text = json.dumps(yaml.safe_load(quoted))
    headers = {**api.headers(), "content-type": "application/json"}
    response = api.client.put("/api/v1/config", content=text, headers=headers)
    assert response.status_code == 201, response.text


def test_an_invalid_text_lists_the_validator_problems_and_changes_nothing(
    api: Any, example_config: str
) -> None:
    assert _put(api, example_config).status_code == 201
    bad = example_config.replace("tz: America/New_York", "tz: Mars/Olympus").replace(
        "within: 16h}", "within: soon}"
    )
    try:
        parse_config(bad, "<config>")
    except ConfigError as exc:
        expected = exc.problems
    else:
        raise AssertionError("the edited text should be invalid")
    response = _put(api, bad)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert [(e["path"], e["line"], e["message"]) for e in errors] == [
        (p.path, p.line, p.message) for p in expected
    ]
    assert all(e["line"] for e in errors)
    assert api.client.get("/api/v1/config", headers=api.headers()).json()["version"] == 1
    versions = api.client.get("/api/v1/config/versions", headers=api.headers()).json()
    assert len(versions) == 1


def test_not_yaml_at_all_is_422_not_500(api: Any, example_config: str) -> None:
    for text in ("", "::: [", "just a string", "- a\n- list", "\x00\x01"):
        response = _put(api, text)
        assert response.status_code == 422, (text, response.text)


def test_a_body_that_is_not_utf8_is_400(api: Any, example_config: str) -> None:
    headers = {**api.headers(), "content-type": "text/plain"}
    response = api.client.put("/api/v1/config", content=b"\xff\xfe\xfa", headers=headers)
    assert response.status_code == 400


def test_diff_of_unknown_versions_is_404_and_bad_numbers_422(api: Any, example_config: str) -> None:
    assert _put(api, example_config).status_code == 201
    headers = api.headers()
    assert api.client.get("/api/v1/config/diff?from=0&to=1", headers=headers).status_code == 200
    response = api.client.get("/api/v1/config/diff?from=1&to=7", headers=headers)
    assert response.status_code == 404 and "7" in response.json()["detail"]
    for query in ("from=x&to=1", "to=1", "from=-1&to=1"):
        response = api.client.get(f"/api/v1/config/diff?{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.json()["errors"]


def _put_if(api: Any, text: str, if_match: str) -> Any:
    headers = {**api.headers(), "content-type": "application/yaml", "if-match": if_match}
    return api.client.put("/api/v1/config", content=text.encode(), headers=headers)


def test_the_version_is_an_etag_and_if_match_prevents_a_lost_update(
    api: Any, example_config: str
) -> None:
    assert _put_if(api, example_config, '"0"').status_code == 201  # none applied yet
    got = api.client.get("/api/v1/config", headers=api.headers("viewer"))
    assert got.headers["etag"] == '"1"'
    mine = example_config.replace("within: 16h}", "within: 12h}")
    theirs = example_config.replace("within: 16h}", "within: 20h}")
    applied = _put_if(api, theirs, got.headers["etag"])  # another editor, first
    assert applied.status_code == 201 and applied.headers["etag"] == '"2"'
    stale = _put_if(api, mine, got.headers["etag"])  # based on 1, the current is 2
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert 'at version 2 ("2"), not 1' in stale.json()["detail"]
    current = api.client.get("/api/v1/config", headers=api.headers()).json()
    assert current == {"version": 2, "text": theirs}  # nothing of the stale text stored
    assert _put_if(api, mine, 'W/"2"').status_code == 201
    assert _put_if(api, example_config, "*").status_code == 201  # any version


def test_an_if_match_that_is_no_version_is_a_400(api: Any, example_config: str) -> None:
    assert _put(api, example_config).status_code == 201
    for value in ("3", '"three"', '"1", "2"', '"' + "9" * 12 + '"'):
        answer = _put_if(api, example_config, value)
        assert answer.status_code == 400, value
        assert "If-Match" in answer.json()["detail"]
    versions = api.client.get("/api/v1/config/versions", headers=api.headers()).json()
    assert len(versions) == 1
