"""Schemathesis against the OpenAPI schema, on SQLite and PostgreSQL: no 5xx, and every
answer fits the schema, for schema-valid (positive) and schema-invalid (negative) data.

The schema is read from an app built at collection time (the tests are generated from
it); each case is then sent, with an admin token, to the site of the ``world`` fixture:
the example configuration (with a signed webhook source) and events on a SQLite file or
a private PostgreSQL schema (tests/fuzz_world.py, as the fuzz tests use it). Bounded:
:data:`MAX_EXAMPLES` per operation, mode and database; derandomized.
"""

from __future__ import annotations

import atexit
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz_world import DATABASES, FUZZ, World, open_world, world_fixture

#: Examples per operation and database, the two modes together (16 operations).
MAX_EXAMPLES = 80
#: Schemathesis probes operations with invalid tokens again and again, from one address
#: at one instant: the throttle of failed checks (test_limits_auth.py) would rightly
#: answer 429 where a probe expects 401.
SITE_OPTIONS = {"failed_auth_limit": 0}


def _schema() -> Any:
    """The schema, read from a site built at collection time (kept until the end: the
    ASGI transport needs an app; each call names the ``world``'s instead)."""
    directory = Path(tempfile.mkdtemp(prefix="slaclock-st-"))
    site = _KEPT.enter_context(open_world("sqlite", directory, **SITE_OPTIONS)).site
    loaded = schemathesis.openapi.from_asgi("/openapi.json", site)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


_KEPT = ExitStack()
atexit.register(_KEPT.close)
schema = _schema()


@pytest.fixture(scope="module", params=DATABASES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from world_fixture(request, tmp_path_factory.mktemp("st"), **SITE_OPTIONS)


@schema.parametrize()
@settings(FUZZ, max_examples=MAX_EXAMPLES)
def test_api_conforms_to_its_schema(case: Any, world: World) -> None:
    """Every check but two: a schema cannot say what a valid SLA configuration, event,
    cursor or duration is, so a schema-valid request may rightly get 400/422; and the
    token this test gives every case turns schemathesis's "missing Authorization"
    negative cases into valid requests (it then reports a valid request as "negative
    data accepted"; seen with ``GET /queue``). Negative data still goes through every
    other check (no 5xx, answers fit the schema); refusals are the fuzz suite's
    (``test_fuzz_endpoints.py``: each 4xx is problem JSON and stores nothing)."""
    world.client.cookies.clear()
    case.call_and_validate(
        app=world.site,
        headers={"Authorization": f"Bearer {world.tokens['admin']}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
