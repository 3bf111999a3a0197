"""Schemathesis against the OpenAPI schema: no 500, and every answer fits the schema.

Runs with an admin token on a fresh SQLite database holding the example configuration
and events, with a bounded number of examples per operation (part of the normal run).
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from slaclock.api import create_app
from slaclock.service.compose import open_services

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
MAX_EXAMPLES = 60


def _build() -> tuple[str, Any]:
    """An app on a fresh SQLite file with the example data (built at collection time,
    because the schema must exist before the tests are generated)."""
    directory = Path(tempfile.mkdtemp(prefix="slaclock-st-"))
    services = open_services(f"sqlite:///{directory / 'st.db'}", upgrade=True)
    services.config_apply((DATA / "example_config.yaml").read_text(), "test", NOW)
    lines = (DATA / "example_events.jsonl").read_text().splitlines()
    services.ingest([json.loads(line) for line in lines], NOW)
    _, secret = services.tokens.create("admin", "schemathesis", NOW)
    # Schemathesis probes operations with invalid tokens again and again, from one
    # address at one instant: the throttle of failed checks (test_limits_auth.py) would
    # rightly answer 429 where the probe expects 401.
    return secret, create_app(services, lambda: NOW, environ={}, failed_auth_limit=0)


ADMIN_TOKEN, APP = _build()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case: Any) -> None:
    """Every check but one: a schema cannot say what a valid SLA configuration, event,
    cursor or duration is, so a schema-valid request may rightly get 400/422."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )
