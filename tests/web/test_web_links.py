"""Every link and GET form on the pages leads somewhere that answers (a small crawler).

A link to an API route with a parameter it does not declare would answer 422 (the
API refuses unknown query parameters), and one to a page would silently lose it; this
walks the site to be sure no link or form does either.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class _Targets(HTMLParser):
    """The hrefs of a page and the URLs its GET forms submit (first option chosen)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "a" and found.get("href"):
            self.urls.append(found["href"])
        elif tag == "form" and found.get("method", "get").lower() == "get":
            self._form = (found.get("action", ""), [])
        elif self._form is not None and tag == "input" and found.get("name"):
            self._form[1].append((found["name"], found.get("value", "")))
        elif self._form is not None and tag == "select":
            self._select = found.get("name")
        elif self._form is not None and tag == "option" and self._select:
            self._form[1].append((self._select, found.get("value", "")))
            self._select = None  # the first option only

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            action, fields = self._form
            self.urls.append(action + "?" + urlencode(fields))
            self._form = None
        elif tag == "select":
            self._select = None


def _targets(html: str) -> list[str]:
    parser = _Targets()
    parser.feed(html)
    return [unescape(url) for url in parser.urls]


def test_every_link_and_form_answers(site: Any) -> None:
    browser = site.signed_in("admin")
    queue, seen = ["/", "/tickets/T-1", "/tickets/T-404"], set()
    while queue and len(seen) < 80:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = browser.get(url, follow_redirects=False)
        expected = 404 if "T-404" in url else 200
        assert response.status_code == expected, (url, response.text[:300])
        if "text/html" not in response.headers["content-type"]:
            continue
        for target in _targets(response.text):
            parts = urlsplit(target)
            if parts.netloc or parts.path in ("/logout",) or target in seen:
                continue
            queue.append(target)
    assert any(u.startswith("/api/v1/") for u in seen)
    assert any("tz=" in u for u in seen) and any("lang=nb" in u for u in seen)


def test_the_login_page_links_answer_too(site: Any) -> None:
    browser = site.browser()
    html = browser.get("/login?next=%2Ftickets%2FT-1").text
    for target in _targets(html):
        if not urlsplit(target).netloc and target != "/":
            assert browser.get(target).status_code == 200, target
    assert re.search(r'name="next" value="/tickets/T-1"', html)
