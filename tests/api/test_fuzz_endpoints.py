"""issue 26, part 5: every endpoint of the API, fuzzed with hostile input by every role,
on SQLite and PostgreSQL.

The routes are the app's own (``slaclock.api.app.ROUTERS``), so a new endpoint is
fuzzed at once with generic hostile input, and :func:`test_every_route_has_a_fuzz_plan`
fails until :data:`PLANS` says what its body looks like and which path values reach past
the 404. For each route and caller — each role's token, allowed or not, and garbage
credentials — Hypothesis sends hostile path values, query parameters (declared and
unknown), bodies (events with wrong types in every field, NaN, 1e400, 5,000-digit
integers, JSON nested 100,000 deep, 10,001 items, bytes that are not UTF-8) and headers
(content types, webhook signatures). Every answer must pass
:func:`fuzz_world.check_answer`: no 5xx, a 4xx is problem+json with its own status, and a
refused request stored nothing.

The run is derandomized (the same requests every run) and bounded:
:data:`HOSTILE_CASES_PER_DATABASE` requests per database, counted as they are sent
(each test checks it sent its share); ``--hypothesis-show-statistics`` shows them per
test.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from hypothesis import strategies as st

from slaclock.api.app import ROUTERS
from slaclock.api.query import query_names
from slaclock.api.roles import ROLES, allowed_roles
from slaclock.api.signing import sign

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz_world import (
    BASE_CONFIG_DATA,
    DATABASES,
    NOW,
    SOURCE_SECRET,
    HostileRequest,
    World,
    check_answer,
    fuzz,
    world_fixture,
)
from hostile import (
    PATH_PARAMETER,
    WORST_JSON_VALUES,
    WORST_URL_VALUES,
    fill,
    garbage_bodies,
    hostile_json,
    hostile_number_texts,
    hostile_object,
    hostile_texts,
    hostile_urls,
    json_text,
    spoiled,
    url_piece,
    utf8,
)

#: Requests per (route, caller) when the caller's role may use the route: these reach
#: the route's own parsing, the services and the database.
DEEP_EXAMPLES = 32
#: Requests per (route, caller) that are refused at the door (401/403): few are enough.
SHALLOW_EXAMPLES = 6
#: Requests per path for the methods it does not serve.
METHOD_EXAMPLES = 6

Strategy = st.SearchStrategy


def _api_routes() -> dict[tuple[str, str], APIRoute]:
    return {
        (method, route.path): route
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    }


ROUTES = _api_routes()
GARBAGE = "garbage credentials"


# Bodies -------------------------------------------------------------------------------

CREATED = {
    "id": "f-created",
    "ticket": "F-1",
    "at": "2026-03-10T11:00:00Z",
    "type": "ticket.created",
    "by": "customer",
    "fields": {
        "status": "new",
        "priority": "high",
        "group": "support",
        "subject": "fuzz",
        "customer": {"id": "acme", "plan": "enterprise", "region": "EU"},
    },
}
MESSAGE = {
    "id": "f-message",
    "ticket": "T-1",
    "at": "2026-03-10T11:30:00Z",
    "type": "message",
    "author": "agent",
    "author_id": "anna",
    "public": True,
}
UPDATED = {
    "id": "f-updated",
    "ticket": "T-1",
    "at": "2026-03-10T11:40:00Z",
    "type": "ticket.updated",
    "changes": {"status": "pending", "tags_added": ["x"]},
}
EVENT_PATHS = (
    "id",
    "ticket",
    "at",
    "type",
    "by",
    "fields",
    "fields.status",
    "fields.priority",
    "fields.group",
    "fields.subject",
    "fields.customer",
    "fields.customer.id",
    "fields.customer.plan",
    "author",
    "author_id",
    "public",
    "changes",
    "changes.status",
    "changes.priority",
    "changes.tags_added",
    "changes.tags_added.0",
)
ACTIONS = (
    {"type": "message", "public": True},
    {"type": "message", "ticket": "T-1", "public": False},
    {"type": "ticket.updated", "changes": {"status": "pending"}},
)
WEBHOOK = {
    "delivery_id": "d-1",
    "ticket": {"id": "T-1"},
    "occurred_at": "2026-03-10T11:50:00Z",
    "changes": {"status": "pending"},
}
WEBHOOK_PATHS = ("delivery_id", "ticket", "ticket.id", "occurred_at", "changes", "changes.status")
CONFIG_PATHS = (
    *BASE_CONFIG_DATA,
    "calendars.0.id",
    "calendars.0.tz",
    "calendars.0.week",
    "policies.0.targets",
    "policies.0.when",
    "sources.0.tolerance",
    "sources.0.mapping.at",
)
CONFIG_TEXTS = (
    "a: " + "9" * 5000,
    "a: &a [*a, *a]",
    "a: !!python/object/apply:os.system ['true']",
    "calendars: !!binary aGVsbG8=",
    "\ufeffcalendars: []",
    "calendars:\n\t- id: x",
    'calendars: [{id: "a\\0b", tz: UTC}]',
    'calendars: [{id: "\\ud800", tz: UTC}]',
    "- " * 2000,
    "{" * 5000,
    "x: 1\nx: 2",
)
TOKEN = {"role": "viewer", "name": "fuzz"}


@cache
def _huge_arrays() -> Strategy[str]:
    """Within the body limit: 10,000 nulls (each rejected), 10,001 and 10^6 zeros (past
    the batch limit)."""
    return st.sampled_from(((10_000, "null"), (10_001, "0"), (1_000_000, "0"))).map(
        lambda size: "[" + ",".join([size[1]] * size[0]) + "]"
    )


@cache
def _batches() -> Strategy[str]:
    one = hostile_object(EVENTS, EVENT_PATHS)
    batch = st.lists(one, min_size=1, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
    return st.one_of(batch, _huge_arrays())


@cache
def _config_texts() -> Strategy[str]:
    return st.one_of(st.sampled_from(CONFIG_TEXTS), hostile_texts())


@dataclass(frozen=True)
class Plan:
    """How to fuzz one route: valid bodies whose fields get spoiled, other bodies, and
    path values that get past the 404."""

    templates: tuple[Mapping[str, Any], ...] = ()
    fields: tuple[str, ...] = ()
    more_bodies: Callable[[], Strategy[str]] | None = None
    path_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    signed: bool = False
    #: The agent endpoint is being reshaped (server-stamped ids, authors and times);
    #: until it settles, its fuzzing asserts only no 5xx and problem+json.
    storage_checked: bool = True

    def bodies(self) -> Strategy[bytes] | None:
        """Hostile bodies: mostly spoiled templates, else any hostile JSON, or more."""
        if not self.templates and self.more_bodies is None:
            return None
        choices = [hostile_json().map(utf8), garbage_bodies()]
        if self.templates:
            choices += [hostile_object(self.templates, self.fields).map(utf8)] * 4
        if self.more_bodies is not None:
            choices.append(self.more_bodies().map(utf8))
        return st.one_of(choices)

    def template_for(self, spot: str) -> Mapping[str, Any]:
        """The first template that has the field at ``spot`` (else the first)."""
        top = spot.split(".")[0]
        return next((t for t in self.templates if top in t), self.templates[0])

    def grid_size(self, params: int, declared: int) -> int:
        """Requests :func:`grid` makes: each worst value in each parameter, field and
        header."""
        fields = len(self.fields) * len(WORST_JSON_VALUES)
        signatures = len(GARBAGE_SIGNATURES) + len(WORST_STAMPS) if self.signed else 0
        headers = signatures + len(GARBAGE_AUTHORIZATION)
        return (params + declared) * len(WORST_URL_VALUES) + fields + headers


SPARE = "{spare token}"
ACKNOWLEDGEMENT = {"metric": "first_response", "cycle": 0, "kind": "sla"}
TICKETS = {"ticket_id": ("T-1", "T-2")}
EVENTS = (CREATED, MESSAGE, UPDATED)
PLANS: Mapping[tuple[str, str], Plan] = {
    ("POST", "/api/v1/events"): Plan(EVENTS, EVENT_PATHS, _batches),
    ("POST", "/api/v1/webhooks/{source}"): Plan(
        (WEBHOOK,), WEBHOOK_PATHS, path_values={"source": ("helpdesk",)}, signed=True
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/events"): Plan(
        ACTIONS, EVENT_PATHS, path_values=TICKETS, storage_checked=False
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/acknowledge"): Plan(
        (ACKNOWLEDGEMENT,), ("metric", "cycle", "kind"), path_values=TICKETS, storage_checked=False
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/customer-link"): Plan(
        ({"days": 7}, {"expires_at": "2026-03-20T11:00:00Z"}),
        ("days", "expires_at"),
        path_values=TICKETS,
    ),
    ("GET", "/api/v1/tickets/{ticket_id}"): Plan(path_values=TICKETS),
    ("GET", "/api/v1/tickets/{ticket_id}/events"): Plan(path_values=TICKETS),
    ("GET", "/api/v1/tickets/{ticket_id}/instances"): Plan(path_values=TICKETS),
    ("GET", "/api/v1/tickets/{ticket_id}/explain"): Plan(path_values=TICKETS),
    ("GET", "/api/v1/queue"): Plan(),
    ("GET", "/api/v1/summary"): Plan(),
    ("GET", "/api/v1/reports/compliance"): Plan(),
    ("GET", "/api/v1/reports/log"): Plan(),
    ("GET", "/api/v1/reports/statement"): Plan(),
    ("GET", "/api/v1/reports/heatmap"): Plan(),
    ("GET", "/api/v1/reports/trend"): Plan(),
    ("GET", "/api/v1/reports/top"): Plan(),
    ("GET", "/api/v1/reports/attribution"): Plan(),
    ("GET", "/api/v1/reports/pauses"): Plan(),
    ("POST", "/api/v1/reports/snapshots"): Plan(
        (
            {
                "report": "compliance",
                "params": {"from": "2026-03-01", "to": "2026-03-02"},
                "format": "csv",
            },
        ),
        ("report", "params", "format"),
    ),
    ("GET", "/api/v1/reports/snapshots"): Plan(),
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}"): Plan(),
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}/content"): Plan(),
    ("GET", "/api/v1/notifications"): Plan(),
    ("GET", "/api/v1/tickets/{ticket_id}/notifications"): Plan(path_values=TICKETS),
    ("POST", "/api/v1/notifications/{delivery_id}/retry"): Plan(),
    ("GET", "/metrics"): Plan(),
    ("GET", "/api/v1/config"): Plan(),
    ("PUT", "/api/v1/config"): Plan((BASE_CONFIG_DATA,), CONFIG_PATHS, _config_texts),
    ("GET", "/api/v1/config/versions"): Plan(),
    ("GET", "/api/v1/config/diff"): Plan(),
    ("POST", "/api/v1/tokens"): Plan((TOKEN,), ("role", "name")),
    ("GET", "/api/v1/tokens"): Plan(),
    ("DELETE", "/api/v1/tokens/{token_id}"): Plan(path_values={"token_id": (SPARE,)}),
    ("POST", "/api/v1/whatif"): Plan((BASE_CONFIG_DATA,), CONFIG_PATHS, _config_texts),
    ("GET", "/api/v1/whatif/{job_id}"): Plan(),
}
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def plan_for(method: str, path: str) -> Plan:
    """The route's plan; a route without one gets hostile JSON bodies if it may take one."""
    return PLANS.get((method, path)) or Plan(
        more_bodies=hostile_json if method in _WRITES else None
    )


# Requests -----------------------------------------------------------------------------

CONTENT_TYPES = (
    b"application/json",
    b"text/plain",
    b"application/yaml",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data; boundary=zz",
    b"application/json; charset=utf-16",
    b"application/problem+json",
    b"",
    b"\xff/\xfe",
)
GARBAGE_AUTHORIZATION = (
    b"",
    b"Bearer",
    b"Bearer ",
    b"Bearer  ",
    b"bearer",
    b"Basic YWRtaW46YWRtaW4=",
    b"Token slk_x",
    b"Bearer slk_",
    b"Bearer slk_" + b"x" * 10_000,
    b"Bearer \x00",
    b"Bearer slk_\xff\xfe",
    b"Bearer a b",
    b"Bearer\tslk_x",
    b"Bearer slk_x, Bearer slk_y",
)
GARBAGE_SIGNATURES = (
    b"t=\xb2,v1=ab",
    b"t=,v1=",
    b"t=1,t=2,v1=ab",
    b"v1=ab",
    b"t=1773144000",
    b"t=1773144000,v1=",
    b"t=" + b"9" * 5000 + b",v1=ab",
    b"t=-1,v1=ab",
    b"t=1e3,v1=ab",
    "t=\u0661\u0662,v1=ab".encode(),
    b"=,=,=",
    b",,,",
    b"t==1,v1==2",
    b"t=1773144000,v1=" + b"0" * 10_000,
)
#: Timestamps a signature may carry (with an HMAC that is right for them): digits only
#: to Unicode (a server reads the byte 0xB2 as "²"), 5,000 digits, signs, fractions.
WORST_STAMPS = (
    b"\xb2",
    b"\xb9\xb2\xb3",
    b"9" * 5000,
    b"-1",
    b"0",
    str(2**63).encode(),
    b"1e3",
    b" 1773144000",
    b"01773144000",
    b"1773144000.5",
    b"",
)


@cache
def _garbage_credentials() -> Strategy[dict[str, bytes]]:
    authorization = st.one_of(
        st.sampled_from(GARBAGE_AUTHORIZATION),
        hostile_texts().map(lambda text: b"Bearer " + utf8(text)),
    )
    return st.one_of(
        st.just({}),
        authorization.map(lambda value: {"Authorization": value}),
        authorization.map(lambda value: {"Cookie": b"slaclock_token=" + value[7:]}),
    )


def signed_at(stamp: bytes, body: bytes) -> bytes:
    """A signature of ``body`` at ``stamp`` (the bytes sent), its HMAC right for the text
    a server reads from them."""
    read = stamp.decode("latin-1").encode()
    digest = hmac.new(SOURCE_SECRET.encode(), read + b"." + body, hashlib.sha256).hexdigest()
    return b"t=" + stamp + b",v1=" + digest.encode()


@cache
def _signatures() -> Strategy[Callable[[bytes], bytes | None]]:
    """How to sign a body: validly (now, or at a hostile time), with garbage, or not."""
    now = int(NOW.timestamp())
    stamps = st.one_of(
        st.sampled_from((now - 299, now + 299, now - 301, now + 301, 0, 2**63)).map(
            lambda stamp: str(stamp).encode()
        ),
        st.sampled_from(WORST_STAMPS),
        hostile_number_texts().map(utf8),
    )
    garbage = st.one_of(
        st.sampled_from(GARBAGE_SIGNATURES),
        hostile_texts().map(utf8),
        hostile_texts().map(lambda text: text.encode("latin-1", "replace")),
    )
    return st.one_of(
        st.just(lambda body: sign(SOURCE_SECRET, body, now).encode()),
        stamps.map(lambda stamp: lambda body: signed_at(stamp, body)),
        garbage.map(lambda header: lambda body: header),
        st.just(lambda body: None),
    )


def hostile_requests(
    method: str,
    path: str,
    declared: frozenset[str],
    plan: Plan,
    callers: Strategy[dict[str, bytes]],
    known: Mapping[str, tuple[str, ...]],
) -> Strategy[HostileRequest]:
    """Requests to ``path``: hostile path values (or known ones), query, body, headers."""
    urls = hostile_urls(path, known, sorted(declared))
    bodies = plan.bodies()
    if bodies is None:  # now and then a body where none belongs
        bodies = st.one_of(*[st.none()] * 9, hostile_json().map(utf8))
    content_types = st.sampled_from(CONTENT_TYPES)

    @st.composite
    def build(draw: Callable[..., Any]) -> HostileRequest:
        url = draw(urls)
        headers = dict(draw(callers))
        body = draw(bodies)
        if body is not None:
            headers["Content-Type"] = draw(content_types)
        if plan.signed:
            signature = draw(_signatures())(body or b"")
            if signature is not None:
                headers["X-Slaclock-Signature"] = signature
        return HostileRequest(method, url, headers, body)

    return build()


#: 5xx classes the fuzzing finds whose fix belongs in modules other engineers are
#: changing: each has a strict xfail regression test in test_hostile_inputs.py that
#: names it, and goes from here when that test passes.
KNOWN_OPEN: Mapping[str, Callable[[HostileRequest], bool]] = {}


def _known_open(request: HostileRequest) -> bool:
    return any(matches(request) for matches in KNOWN_OPEN.values())


# The world ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=DATABASES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from world_fixture(request, tmp_path_factory.mktemp("fuzz"))


def _known_values(world: World, plan: Plan) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(world.spare_token_id if v == SPARE else v for v in values)
        for name, values in plan.path_values.items()
    }


def _declared(method: str, path: str) -> frozenset[str]:
    return frozenset(query_names(ROUTES[(method, path)].dependant))


def attack(world: World, request: HostileRequest, plan: Plan, *, stranger: bool = False) -> bool:
    """Send one hostile request and check the answer (and that a refusal stored nothing);
    False when it met a known open 5xx (:data:`KNOWN_OPEN`), not checked."""
    before = world.snapshot() if plan.storage_checked else None
    response = world.send(request, stranger=stranger)
    after = world.snapshot() if plan.storage_checked else None
    if response.status_code >= 500 and _known_open(request):
        return False
    check_answer(request, response, before, after)
    if response.status_code < 300 and request.method == "PUT":
        world.restore_config()
    return True


def _fuzz(
    world: World,
    requests: Strategy[HostileRequest],
    examples: int,
    plan: Plan,
    *,
    stranger: bool = False,
) -> None:
    fuzz(world, requests, examples, lambda request: attack(world, request, plan, stranger=stranger))


def grid(world: World, method: str, path: str, plan: Plan) -> Iterator[tuple[HostileRequest, bool]]:
    """Each worst value once in each path parameter, query parameter, body field and
    header (the rest of the request valid), by an admin, or by a stranger with garbage
    credentials: the classes that broke slaclock before. Pairs (request, by a stranger)."""
    known = _known_values(world, plan)
    params = PATH_PARAMETER.findall(path)
    valid = {name: (known.get(name) or ("x",))[0] for name in params}
    template = plan.templates[0] if plan.templates else None
    now = int(NOW.timestamp())

    def request(
        values: Mapping[str, str] = valid,
        query: str = "",
        body: str | None = None,
        **headers: bytes,
    ) -> HostileRequest:
        content = utf8(body) if body is not None else None
        if content is None and template is not None:
            content = utf8(json_text(template))
        sent = {**world.caller_headers("admin"), **headers}
        if content is not None:
            sent.setdefault("Content-Type", b"application/json")
        if plan.signed:
            sent.setdefault("X-Slaclock-Signature", signed_at(str(now).encode(), content or b""))
        return HostileRequest(method, fill(path, values) + query, sent, content)

    for name in params:
        for value in WORST_URL_VALUES:
            yield request({**valid, name: value}), False
    for name in sorted(_declared(method, path)):
        for value in WORST_URL_VALUES:
            yield request(query=f"?{url_piece(name)}={url_piece(value)}"), False
    for spot in plan.fields:
        shape = plan.template_for(spot)
        for value in WORST_JSON_VALUES:
            yield request(body=spoiled(shape, spot, value)), False
    if plan.signed:
        for header in GARBAGE_SIGNATURES:
            yield request(**{"X-Slaclock-Signature": header}), False
        for stamp in WORST_STAMPS:
            signature = signed_at(stamp, utf8(json_text(template or {})))
            yield request(**{"X-Slaclock-Signature": signature}), False
    for authorization in GARBAGE_AUTHORIZATION:
        yield request(Authorization=authorization), True


def _grid_size(method: str, path: str) -> int:
    plan = plan_for(method, path)
    return plan.grid_size(len(PATH_PARAMETER.findall(path)), len(_declared(method, path)))


def _callers() -> list[tuple[str, str, str]]:
    """(method, path, caller) for every route and caller: each role, and garbage."""
    return [(m, p, c) for (m, p) in ROUTES for c in (*ROLES, GARBAGE)]


def _examples(method: str, path: str, caller: str) -> int:
    return DEEP_EXAMPLES if caller in allowed_roles(method, path) else SHALLOW_EXAMPLES


PATHS = sorted({path for _, path in ROUTES})
_OTHER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: What one run sends per database: Hypothesis's examples, the grids, the methods.
HOSTILE_CASES_PER_DATABASE = (
    sum(_examples(*case) for case in _callers())
    + sum(_grid_size(*route) for route in ROUTES)
    + METHOD_EXAMPLES * len(PATHS)
)


# The tests ----------------------------------------------------------------------------


def test_every_route_has_a_fuzz_plan(world: World) -> None:
    """The fuzzed routes are the app's, and each has a plan (a new route fails here)."""
    paths = world.site.openapi()["paths"]
    served = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert served == set(ROUTES)
    assert sorted(served - set(PLANS)) == [], "add a fuzz plan for the new route(s)"


@pytest.mark.parametrize(
    ("method", "path", "caller"), _callers(), ids=[" ".join(case) for case in _callers()]
)
def test_no_hostile_request_gets_a_5xx(world: World, method: str, path: str, caller: str) -> None:
    plan = plan_for(method, path)
    callers = _garbage_credentials() if caller == GARBAGE else st.just(world.caller_headers(caller))
    known = _known_values(world, plan)
    requests = hostile_requests(method, path, _declared(method, path), plan, callers, known)
    _fuzz(world, requests, _examples(method, path, caller), plan, stranger=caller == GARBAGE)


@pytest.mark.parametrize(
    ("method", "path"), sorted(ROUTES), ids=[" ".join(r) for r in sorted(ROUTES)]
)
def test_each_worst_value_in_each_parameter_and_field(world: World, method: str, path: str) -> None:
    plan, sent = plan_for(method, path), 0
    for request, stranger in grid(world, method, path, plan):
        attack(world, request, plan, stranger=stranger)
        sent += 1
    assert sent == _grid_size(method, path)


@pytest.mark.parametrize("path", PATHS)
def test_a_method_a_path_does_not_serve_is_refused(world: World, path: str) -> None:
    served = {m for (m, p) in ROUTES if p == path}
    methods = [m for m in _OTHER_METHODS if m not in served]
    plan = Plan(more_bodies=hostile_json)
    admin = st.just(world.caller_headers("admin"))
    requests = st.sampled_from(methods).flatmap(
        lambda method: hostile_requests(method, path, frozenset(), plan, admin, {})
    )
    _fuzz(world, requests, METHOD_EXAMPLES, plan)
