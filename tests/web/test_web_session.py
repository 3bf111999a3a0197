"""Signing in and out of the dashboard: the cookie, the roles, the CSRF check, secrecy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

BASE_URL = "http://dash.test"  # the test client's origin (conftest.BASE_URL)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _login(client: Any, token: str, next_path: str = "/", **headers: str) -> Any:
    return client.post(
        "/login",
        data={"token": token, "next": next_path},
        headers={"Origin": BASE_URL, **headers},
        follow_redirects=False,
    )


def test_without_a_cookie_every_page_sends_you_to_login(site: Any) -> None:
    browser = site.browser()
    home = browser.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/login"
    ticket = browser.get("/tickets/T-1?lang=fr", follow_redirects=False)
    assert ticket.status_code == 303
    assert ticket.headers["location"] == "/login?next=%2Ftickets%2FT-1%3Flang%3Dfr"
    form = browser.get("/login")
    assert form.status_code == 200 and 'name="token"' in form.text


def test_login_sets_a_strict_httponly_cookie_and_redirects(site: Any) -> None:
    browser = site.browser()
    response = _login(browser, site.tokens["viewer"], "/tickets/T-1")
    assert response.status_code == 303
    assert response.headers["location"] == "/tickets/T-1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("slaclock_token=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http
    assert browser.get("/").status_code == 200


def test_the_cookie_is_secure_over_https(site: Any) -> None:
    browser = site.browser("https://dash.test")
    response = browser.post(
        "/login",
        data={"token": site.tokens["agent"]},
        headers={"Origin": "https://dash.test"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_a_wrong_token_is_refused_without_echoing_it(site: Any) -> None:
    browser = site.browser()
    wrong = "slk_this-is-not-a-token-at-all"
    response = _login(browser, wrong)
    assert response.status_code == 401
    assert wrong not in response.text
    assert "set-cookie" not in response.headers
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_an_ingest_token_may_not_see_the_dashboard(site: Any, text_of: Any) -> None:
    browser = site.browser()
    response = _login(browser, site.tokens["ingest"])
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert "ingest" in text_of(response.text)
    # Even holding the cookie (set by hand), every page answers 403.
    browser.cookies.set("slaclock_token", site.tokens["ingest"])
    for path in ("/", "/tickets/T-1"):
        page = browser.get(path, follow_redirects=False)
        assert page.status_code == 403
        assert "may not see the dashboard" in text_of(page.text)


@pytest.mark.parametrize("role", ["admin", "agent", "viewer"])
def test_reading_roles_see_the_dashboard(site: Any, role: str) -> None:
    assert site.signed_in(role).get("/").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},  # neither Origin nor Referer
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/login"},
    ],
)
def test_a_login_from_another_site_is_refused(site: Any, headers: dict[str, str]) -> None:
    browser = site.browser()
    response = browser.post(
        "/login", data={"token": site.tokens["admin"]}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_a_same_site_referer_is_enough(site: Any) -> None:
    response = site.browser().post(
        "/login",
        data={"token": site.tokens["admin"]},
        headers={"Referer": BASE_URL + "/login"},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "tickets/T-1"]
)
def test_login_never_redirects_off_site(site: Any, target: str) -> None:
    response = _login(site.browser(), site.tokens["viewer"], target)
    assert response.headers["location"] == "/"


def test_logout_clears_the_cookie(site: Any) -> None:
    browser = site.signed_in("viewer")
    response = browser.get("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert 'slaclock_token=""' in response.headers["set-cookie"]
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_a_revoked_token_signs_you_out(site: Any) -> None:
    browser = site.signed_in("viewer")
    token_id = next(t.id for t in site.services.tokens.list() if t.role == "viewer")
    site.services.tokens.revoke(token_id)
    site.client.app.state.ctx.tokens.clear()  # the API's 1-second memory of good tokens
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_the_token_never_appears_in_a_response(site: Any) -> None:
    secret = site.tokens["admin"]
    browser = site.browser()
    bodies = [browser.get("/login").text, _login(browser, secret).text]
    for path in (
        "/",
        "/?lang=nl&tz=Europe/Amsterdam",
        "/?kind=nope",
        "/tickets/T-1",
        "/tickets/T-404",
        "/api/v1/queue",
        "/api/v1/tickets/T-1",
        "/api/v1/tokens",
        "/static/site.js",
    ):
        response = browser.get(path)
        assert response.status_code in (200, 404), path
        bodies.append(response.text)
        assert secret not in str(response.headers.get("location", ""))
    bodies.append(browser.get("/logout").text)
    assert all(secret not in body for body in bodies)


def test_json_links_work_with_the_cookie_for_reads_only(site: Any) -> None:
    browser = site.signed_in("admin")
    queue = browser.get("/api/v1/queue")
    assert queue.status_code == 200 and "rows" in queue.json()
    assert browser.get("/api/v1/tickets/T-1").json()["id"] == "T-1"
    # Writes never ride on the cookie: without a bearer token they are 401.
    assert browser.post("/api/v1/events", json=[]).status_code == 401
    # A viewer's cookie gets a viewer's rights, no more.
    assert site.signed_in("viewer").get("/api/v1/tokens").status_code == 403
    # No cookie, no bearer: the API's 401 as before.
    assert site.browser().get("/api/v1/queue").status_code == 401


def test_pages_stay_out_of_the_openapi_schema(site: Any) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]
    api = [path for path in paths if path.startswith("/api/v1/") or path == "/metrics"]
    assert paths and api == list(paths)  # no /login, /tickets/…, /ack/…


def test_pages_are_not_cached_nor_framed(site: Any) -> None:
    response = site.signed_in().get("/")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_failed_sign_ins_are_throttled_like_the_api(site: Any) -> None:
    """Guessing tokens at the login form counts against the address exactly as the
    API's bearer checks do; a token that signed in before still gets in."""
    browser = site.browser()
    assert _login(browser, site.tokens["viewer"]).status_code == 303  # known to the process
    for n in range(20):
        assert _login(site.browser(), f"slk_guess-{n}").status_code == 401
    blocked = _login(site.browser(), "slk_guess-more")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in blocked.text
    api = site.client.get("/api/v1/queue", headers={"Authorization": "Bearer slk_guess-api"})
    assert api.status_code == 429  # one count per address, pages and API alike
    assert _login(site.browser(), site.tokens["viewer"]).status_code == 303
    site.clock.at += timedelta(seconds=61)
    assert _login(site.browser(), "slk_guess-later").status_code == 401
