"""issue 24, "Settings": this browser's language and time zone, and for admins the API
tokens — listed without secrets, created (the secret shown once) and revoked — every
form a POST with the signed double-submit CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BASE = "http://dash.test"
ORIGIN = {"Origin": BASE}


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _token_rows(html: str) -> list[str]:
    if '<table class="tokens">' not in html:
        return []
    table = html.split('<table class="tokens">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="(?:active|revoked)">(.*?)</tr>', table, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_language_and_zone_form_takes_effect(site: Any, text_of: Any) -> None:
    client = site.signed_in()
    page = client.get("/settings")
    assert page.status_code == 200 and 'href="/settings"' in page.text
    saved = client.post(
        "/settings",
        data={"csrf": _csrf(page.text), "lang": "nl", "tz": "Europe/Amsterdam"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?done=saved"
    assert client.cookies.get("slaclock_lang") == "nl"
    assert client.cookies.get("slaclock_tz", "").strip('"') == "Europe/Amsterdam"
    after = client.get(saved.headers["location"])
    assert '<html lang="nl">' in after.text and "Instellingen" in after.text
    assert "Uw taal en tijdzone zijn bewaard voor deze browser." in text_of(after.text)
    assert '<option value="Europe/Amsterdam" selected>' in after.text
    ticket = client.get("/tickets/T-1").text
    assert "Klokken" in ticket and "(Europe/Amsterdam)" in ticket  # the next pages too


def test_a_language_or_zone_not_in_the_lists_is_refused(site: Any) -> None:
    client = site.signed_in()
    token = _csrf(client.get("/settings").text)
    for lang, tz in (("xx", "UTC"), ("de", "Mars/Olympus")):
        refused = client.post(
            "/settings", data={"csrf": token, "lang": lang, "tz": tz}, headers=ORIGIN
        )
        assert refused.status_code == 400
        assert "Choose a language and a time zone from the lists." in refused.text
    assert client.cookies.get("slaclock_lang") is None


def test_the_forms_need_the_csrf_token_and_our_origin(site: Any) -> None:
    admin = site.signed_in("admin")
    token = _csrf(admin.get("/settings").text)
    posts = (
        ("/settings", {"lang": "de", "tz": "UTC"}),
        ("/settings/tokens", {"role": "viewer", "name": "eve"}),
        ("/settings/tokens/tok_x/revoke", {}),
    )
    for url, fields in posts:
        for data, headers in (
            (fields, ORIGIN),  # no token
            ({**fields, "csrf": token + "0"}, ORIGIN),  # not the cookie's
            ({**fields, "csrf": token}, {"Origin": "https://evil.example"}),
            ({**fields, "csrf": token}, {"Referer": "https://evil.example/settings"}),
        ):
            refused = admin.post(url, data=data, headers=headers, follow_redirects=False)
            assert refused.status_code == 403, (url, data, headers)
    assert admin.cookies.get("slaclock_lang") is None
    assert [t.name for t in site.services.tokens.list() if t.name == "eve"] == []


def test_the_csrf_token_is_signed_for_its_session(site: Any) -> None:
    viewer = site.signed_in("viewer")
    first = _csrf(viewer.get("/settings").text)
    assert viewer.cookies.get("slaclock_csrf") == first
    assert _csrf(viewer.get("/settings").text) == first  # kept while valid
    agent = site.signed_in("agent")
    agent.cookies.delete("slaclock_csrf")
    agent.cookies.set("slaclock_csrf", first, domain="dash.test")
    refused = agent.post(
        "/settings", data={"csrf": first, "lang": "de", "tz": "UTC"}, headers=ORIGIN
    )
    assert refused.status_code == 403  # the viewer's token, sent by another session
    fresh = _csrf(agent.get("/settings").text)  # the page replaces it with its own
    assert fresh != first


def test_an_admin_creates_a_token_and_sees_its_secret_once(site: Any, text_of: Any) -> None:
    admin = site.signed_in("admin")
    page = admin.get("/settings")
    rows = _token_rows(page.text)
    assert len(rows) == 4 and any("viewer-test viewer" in row for row in rows)
    assert all(secret not in page.text for secret in site.tokens.values())
    created = admin.post(
        "/settings/tokens",
        data={"csrf": _csrf(page.text), "role": "agent", "name": "anna"},
        headers=ORIGIN,
    )
    assert created.status_code == 200
    secret = re.search(r'<code class="token-secret">([^<]+)</code>', created.text)
    assert secret and secret.group(1).startswith("slk_")
    assert "it is shown only this once" in text_of(created.text)
    info = next(t for t in site.services.tokens.list() if t.name == "anna")
    assert info.role == "agent"
    assert site.services.tokens.verify(secret.group(1), site.clock.now()) is not None
    again = admin.get("/settings")
    assert secret.group(1) not in again.text  # never again
    assert any(info.id in row and "anna agent" in row for row in _token_rows(again.text))
    bad = admin.post(
        "/settings/tokens",
        data={"csrf": _csrf(again.text), "role": "root", "name": "x"},
        headers=ORIGIN,
    )
    assert bad.status_code == 400 and "Give the token a name" in bad.text
    blank = admin.post(
        "/settings/tokens",
        data={"csrf": _csrf(again.text), "role": "viewer", "name": " "},
        headers=ORIGIN,
    )
    assert blank.status_code == 400


def test_an_admin_revokes_a_token_and_it_signs_out(site: Any, text_of: Any) -> None:
    viewer = site.signed_in("viewer")
    assert viewer.get("/").status_code == 200
    admin = site.signed_in("admin")
    page = admin.get("/settings")
    viewer_id = next(t.id for t in site.services.tokens.list() if t.role == "viewer")
    revoked = admin.post(
        f"/settings/tokens/{viewer_id}/revoke",
        data={"csrf": _csrf(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/settings?done=revoked"
    after = admin.get(revoked.headers["location"])
    assert "The token is revoked; it stops working at once." in text_of(after.text)
    row = next(r for r in _token_rows(after.text) if viewer_id in r)
    assert "Revoke" not in row and " no " not in f"{row} "
    assert viewer.get("/", follow_redirects=False).status_code == 303  # signed out
    twice = admin.post(
        f"/settings/tokens/{viewer_id}/revoke",
        data={"csrf": _csrf(after.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert twice.headers["location"] == "/settings?done=no-token"


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_only_an_admin_sees_and_manages_tokens(site: Any, role: str) -> None:
    client = site.signed_in(role)
    page = client.get("/settings")
    assert page.status_code == 200
    assert "API tokens" not in page.text and "/settings/tokens" not in page.text
    token = _csrf(page.text)
    created = client.post(
        "/settings/tokens", data={"csrf": token, "role": "admin", "name": "me"}, headers=ORIGIN
    )
    assert created.status_code == 403 and "Only an admin may do this." in created.text
    admin_id = next(t.id for t in site.services.tokens.list() if t.role == "admin")
    revoked = client.post(
        f"/settings/tokens/{admin_id}/revoke", data={"csrf": token}, headers=ORIGIN
    )
    assert revoked.status_code == 403
    assert all(t.revoked_at is None for t in site.services.tokens.list())
    assert len(site.services.tokens.list()) == 4


def test_signed_out_and_ingest(site: Any) -> None:
    anonymous = site.browser()
    to_login = anonymous.get("/settings", follow_redirects=False)
    assert to_login.headers["location"] == "/login?next=%2Fsettings"
    ingest = site.browser()
    ingest.cookies.set("slaclock_token", site.tokens["ingest"], domain="dash.test")
    assert ingest.get("/settings").status_code == 403
    assert (
        ingest.post("/settings", data={"lang": "de", "tz": "UTC"}, headers=ORIGIN).status_code
        == 403
    )
