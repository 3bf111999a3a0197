"""Pages refuse query parameters they do not know (web/query_check.py): a mistyped
filter is a 400 page naming it, never a silently unfiltered view."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

Site = Any


@pytest.mark.parametrize(
    ("path", "unknown", "listed"),
    [
        ("/?grop=support", "grop", "group"),
        ("/reports?colour=red", "colour", "from"),
        ("/reports/breaches?limit=5", "limit", "to"),
        ("/reports/statements?month=2026-03", "month", "period"),
        ("/notifications?state=dead", "state", "status"),
        ("/tickets/T-1?tab=events", "tab", None),
        ("/settings?x=1", "x", None),
        ("/policies?edit=1", "edit", None),
    ],
)
def test_an_unknown_parameter_is_named(
    site: Site, text_of: Any, path: str, unknown: str, listed: str | None
) -> None:
    got = site.signed_in("viewer").get(path)
    assert got.status_code == 400, got.text
    text = text_of(got.text)
    assert f"This page does not take the parameter {unknown}." in text
    if listed:
        assert listed in text.split("It takes:", 1)[1]


def test_known_parameters_and_language_and_zone_everywhere_are_taken(site: Site) -> None:
    client = site.signed_in("viewer")
    for path in (
        "/?group=engineering&lang=nl&tz=Europe/Amsterdam",
        "/tickets/T-1?lang=de",
        "/reports?by=priority&tz=UTC",
        "/settings?lang=fr",
    ):
        assert client.get(path).status_code == 200, path


def test_the_refusal_is_in_the_readers_language(site: Site) -> None:
    got = site.signed_in("viewer").get("/?grop=support&lang=nl")
    assert got.status_code == 400
    assert 'lang="nl"' in got.text


def test_the_sign_in_page_refuses_too_but_not_its_next(site: Site) -> None:
    browser = site.browser()
    assert browser.get("/login?next=/reports").status_code == 200
    assert browser.get("/login?nxt=/reports").status_code == 400
