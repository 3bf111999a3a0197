"""issue 26, part 5: the dashboard's pages, fuzzed with hostile input, on SQLite and
PostgreSQL.

The pages are the web router's own routes, so a new page is fuzzed at once (and
:func:`test_every_page_has_a_fuzz_plan` fails until it has a plan); the site's other
routes and mounts (``/static``, the OpenAPI schema and docs) are found on the built site
and fuzzed too. For each page and visitor — each role's session cookie, and garbage or
no cookie — Hypothesis sends hostile path values, query parameters (declared and not),
cookies (language, time zone), ``Accept-Language`` and, to ``POST /login``, hostile
forms and origins; a grid adds each worst value once in each parameter, form field and
header. Every answer must pass :func:`fuzz_world.check_answer` with pages allowed:
no 5xx, a redirect stays on the site, a 4xx is problem+json or an HTML page, and a
refused request stored nothing. :data:`HOSTILE_CASES_PER_DATABASE` requests per
database, derandomized.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from slaclock.api.query import query_names
from slaclock.web.routes import router as pages_router
from slaclock.web.session import LANG_COOKIE, PAGE_ROLES, TOKEN_COOKIE, TZ_COOKIE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz_world import (
    BASE_URL,
    DATABASES,
    ROLES,
    HostileRequest,
    World,
    check_answer,
    fuzz,
    world_fixture,
)
from hostile import (
    PATH_PARAMETER,
    WORST_TEXTS,
    WORST_URL_VALUES,
    fill,
    garbage_bodies,
    hostile_texts,
    hostile_urls,
    url_piece,
    utf8,
)

#: Requests per (page, visitor) when the visitor may see pages (a reader's cookie).
READER_EXAMPLES = 25
#: Requests per (page, visitor) sent away (ingest cookie: 403 page; none: to /login).
OTHER_EXAMPLES = 8
#: Requests to the site's routes and mounts that are neither pages nor the API.
OTHER_ROUTE_EXAMPLES = 60

Strategy = st.SearchStrategy
NOBODY = "no or a garbage cookie"
PAGES = {
    (method, route.path): route
    for route in pages_router.routes
    if isinstance(route, APIRoute)
    for method in sorted(route.methods)
}
#: Path values that get past the 404, per page parameter.
PLANS: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]] = {
    ("GET", "/login"): {},
    ("POST", "/login"): {},
    ("GET", "/logout"): {},
    ("GET", "/"): {},
    ("GET", "/tickets/{ticket_id:path}"): {"ticket_id": ("T-1", "T-2")},
}
#: Origins of a login form: this site (the check passes), others, and no URLs at all.
ORIGINS = (BASE_URL, "http://evil.example", "null", "http://[", "http://[::1", "", "//")


# Requests -----------------------------------------------------------------------------


def _latin1(text: str) -> bytes:
    """A header value as a browser might send it (a server reads bytes as Latin-1)."""
    return text.encode("latin-1", "replace")


@cache
def _header_texts() -> Strategy[bytes]:
    return st.one_of(hostile_texts().map(_latin1), hostile_texts().map(utf8))


def _cookie(token: str | None, extra: Mapping[str, bytes]) -> bytes:
    parts = [] if token is None else [f"{TOKEN_COOKIE}={token}".encode()]
    parts += [name.encode() + b"=" + value for name, value in extra.items()]
    return b"; ".join(parts)


@cache
def _tokens_for(visitor: str, tokens: tuple[tuple[str, str], ...]) -> Strategy[str | None]:
    """The session token a visitor holds: a role's, or none, or garbage."""
    if visitor != NOBODY:
        return st.just(dict(tokens)[visitor])
    garbage = hostile_texts().map(lambda text: quote(utf8(text), safe=""))
    return st.one_of(st.none(), garbage, st.sampled_from(("slk_", "x" * 300, '"', ";")))


@cache
def _login_forms(tokens: tuple[str, ...]) -> Strategy[bytes]:
    """A login form: a real token or garbage, and where to go next (any text)."""
    token = st.one_of(st.sampled_from(tokens), hostile_texts())
    target = st.one_of(
        st.sampled_from(("/", "//evil.example", "/\\evil", "/tickets/T-1")), hostile_texts()
    )
    form = st.builds(
        lambda t, n: b"token=" + url_piece(t).encode() + b"&next=" + url_piece(n).encode(),
        token,
        target,
    )
    return st.one_of(form, form, form, garbage_bodies())


def page_requests(
    world: World,
    method: str,
    path: str,
    visitor: str,
    known: Mapping[str, tuple[str, ...]] | None = None,
) -> Strategy[HostileRequest]:
    """Requests to a page: hostile path values and query, cookies and headers; to
    ``POST /login``, hostile forms from hostile origins."""
    known = PLANS.get((method, path), {}) if known is None else known
    urls = hostile_urls(path, known, _declared(method, path))
    tokens = _tokens_for(visitor, tuple(sorted(world.tokens.items())))
    preferences = st.dictionaries(
        st.sampled_from((LANG_COOKIE, TZ_COOKIE)), _header_texts(), max_size=2
    )
    login = method == "POST" and path == "/login"
    forms = _login_forms(tuple(world.tokens.values()))

    @st.composite
    def build(draw: Callable[..., Any]) -> HostileRequest:
        url = draw(urls)
        headers = {"Cookie": _cookie(draw(tokens), draw(preferences))}
        if draw(st.booleans()):
            headers["Accept-Language"] = draw(_header_texts())
        body = None
        if login:
            body = draw(forms)
            headers["Content-Type"] = b"application/x-www-form-urlencoded"
            origin = draw(st.one_of(st.sampled_from(ORIGINS).map(str.encode), _header_texts()))
            headers[draw(st.sampled_from(("Origin", "Referer")))] = origin
        return HostileRequest(method, url, headers, body)

    return build()


def grid(world: World, method: str, path: str) -> Iterator[HostileRequest]:
    """Each worst value once in each path and query parameter, cookie and header (and
    form field), by a viewer: the classes that broke slaclock before."""
    known = PLANS.get((method, path), {})
    params = PATH_PARAMETER.findall(path)
    valid = {name: (known.get(name) or ("x",))[0] for name in params}
    viewer = f"{TOKEN_COOKIE}={world.tokens['viewer']}".encode()
    login = method == "POST" and path == "/login"

    def request(
        values: Mapping[str, str] = valid,
        query: str = "",
        form: bytes | None = None,
        **headers: bytes,
    ) -> HostileRequest:
        sent = {"Cookie": viewer, **headers}
        body = None
        if login:
            sent.setdefault("Origin", BASE_URL.encode())
            sent["Content-Type"] = b"application/x-www-form-urlencoded"
            body = form or b"token=" + world.tokens["viewer"].encode()
        return HostileRequest(method, fill(path, values) + query, sent, body)

    for name in params:
        for value in WORST_URL_VALUES:
            yield request({**valid, name: value})
    for name in _declared(method, path):
        for value in WORST_URL_VALUES:
            yield request(query=f"?{url_piece(name)}={url_piece(value)}")
    for text in WORST_TEXTS:
        header = _latin1(text)
        yield request(**{"Accept-Language": header})
        yield request(Cookie=viewer + b"; " + LANG_COOKIE.encode() + b"=" + header)
        yield request(Cookie=viewer + b"; " + TZ_COOKIE.encode() + b"=" + header)
        yield request(Cookie=TOKEN_COOKIE.encode() + b"=" + header)
        if login:
            yield request(Origin=header)
            yield request(form=b"token=" + url_piece(text).encode())
            yield request(form=b"next=" + url_piece(text).encode())
    if login:
        for origin in ORIGINS:
            yield request(Origin=origin.encode())


def _declared(method: str, path: str) -> list[str]:
    route = PAGES.get((method, path))
    return sorted(query_names(route.dependant)) if route is not None else []


def _grid_size(method: str, path: str) -> int:
    params = len(PATH_PARAMETER.findall(path)) + len(_declared(method, path))
    per_text = 7 if (method, path) == ("POST", "/login") else 4
    origins = len(ORIGINS) if (method, path) == ("POST", "/login") else 0
    return params * len(WORST_URL_VALUES) + per_text * len(WORST_TEXTS) + origins


# The world ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=DATABASES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from world_fixture(request, tmp_path_factory.mktemp("pages"))


def attack(world: World, request: HostileRequest) -> bool:
    """Send one hostile request to the site and check the answer (True: checked)."""
    before = world.snapshot()
    response = world.send(request)
    check_answer(request, response, before, world.snapshot(), pages=True)
    return True


def _fuzz(world: World, requests: Strategy[HostileRequest], examples: int) -> None:
    fuzz(world, requests, examples, lambda request: attack(world, request))


def _visitors() -> list[tuple[str, str, str]]:
    return [(m, p, v) for (m, p) in PAGES for v in (*ROLES, NOBODY)]


def _examples(visitor: str) -> int:
    return READER_EXAMPLES if visitor in PAGE_ROLES else OTHER_EXAMPLES


def other_routes(world: World) -> list[str]:
    """The site's routes and mounts that are neither pages nor the API, as templates."""
    found = []
    for route in world.site.routes:
        if isinstance(route, Mount):
            found.append(route.path + "/{name:path}")
        elif isinstance(route, Route) and not route.path.startswith("/api/"):
            found.append(route.path)
    return sorted(set(found))


HOSTILE_CASES_PER_DATABASE = (
    sum(_examples(visitor) for _, _, visitor in _visitors())
    + sum(_grid_size(*page) for page in PAGES)
    + OTHER_ROUTE_EXAMPLES
)


# The tests ----------------------------------------------------------------------------


def test_every_page_has_a_fuzz_plan() -> None:
    assert sorted(set(PAGES) - set(PLANS)) == [], "add a fuzz plan for the new page(s)"


@pytest.mark.parametrize(
    ("method", "path", "visitor"), _visitors(), ids=[" ".join(v) for v in _visitors()]
)
def test_no_hostile_page_request_gets_a_5xx(
    world: World, method: str, path: str, visitor: str
) -> None:
    _fuzz(world, page_requests(world, method, path, visitor), _examples(visitor))


@pytest.mark.parametrize(
    ("method", "path"), sorted(PAGES), ids=[" ".join(p) for p in sorted(PAGES)]
)
def test_each_worst_value_in_each_page_parameter_and_header(
    world: World, method: str, path: str
) -> None:
    sent = 0
    for request in grid(world, method, path):
        attack(world, request)
        sent += 1
    assert sent == _grid_size(method, path)


def test_the_sites_other_routes_and_mounts_get_no_5xx(world: World) -> None:
    """``/static/...``, the OpenAPI schema, the API docs: whatever else the site serves."""
    routes = other_routes(world)
    assert any(path.startswith("/static/") for path in routes), routes
    files = {"name": ("site.css", "site.js", "")}
    requests = st.tuples(st.sampled_from(("GET", "HEAD", "POST")), st.sampled_from(routes)).flatmap(
        lambda target: page_requests(world, *target, "viewer", files)
    )
    _fuzz(world, requests, OTHER_ROUTE_EXAMPLES)


# Found by the fuzzing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/tickets/T-1%00", "/?group=a%00b", "/?cursor=%00", "/login?next=/%00"]
)
def test_a_nul_in_a_page_path_or_query_answers_422(world: World, url: str) -> None:
    """PostgreSQL cannot compare text with a NUL: the ticket page and the filters
    answered 500 there."""
    cookie = f"{TOKEN_COOKIE}={world.tokens['viewer']}".encode()
    response = world.send(HostileRequest("GET", url, {"Cookie": cookie}))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_row_limit_in_digits_python_cannot_read_is_ignored(world: World) -> None:
    """``?limit=²``: ``str.isdigit`` took it, ``int`` did not (500)."""
    cookie = f"{TOKEN_COOKIE}={world.tokens['viewer']}".encode()
    response = world.send(HostileRequest("GET", "/?limit=%C2%B2", {"Cookie": cookie}))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("origin", [b"http://[", b"http://[::1"])
def test_a_login_from_an_origin_that_is_no_url_is_refused(world: World, origin: bytes) -> None:
    """``urlsplit`` raises on an unclosed IPv6 address (500); now the origin check fails."""
    headers = {"Origin": origin, "Content-Type": b"application/x-www-form-urlencoded"}
    body = b"token=" + world.tokens["viewer"].encode()
    response = world.send(HostileRequest("POST", "/login", headers, body))
    assert response.status_code == 403, response.text
