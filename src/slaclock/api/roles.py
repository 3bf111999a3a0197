"""Who may call what: the role table, as data.

Every route of the API must have an entry here (a test walks the app's routes and
fails on a missing one), and :func:`slaclock.api.auth.authorize` refuses any request
whose route has none — so a new endpoint is closed until someone decides who may use it.

- ``admin``: everything, including configuration and tokens;
- ``agent``: reads, and ticket actions;
- ``viewer``: reads only;
- ``ingest``: events and inbound webhooks only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["ENDPOINT_ROLES", "ROLES", "allowed_roles", "methods_for"]

ROLES: tuple[str, ...] = ("admin", "agent", "viewer", "ingest")

_READERS = frozenset({"admin", "agent", "viewer"})
_INGEST = frozenset({"admin", "ingest"})
_ADMIN = frozenset({"admin"})
_AGENTS = frozenset({"admin", "agent"})
#: Prometheus' scraper: a viewer token is enough, an agent's is not needed.
_SCRAPERS = frozenset({"admin", "viewer"})

#: (method, path template) -> the roles allowed to call it.
ENDPOINT_ROLES: Mapping[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/events"): _INGEST,
    ("POST", "/api/v1/webhooks/{source}"): _INGEST,
    ("POST", "/api/v1/tickets/{ticket_id}/events"): _AGENTS,
    ("GET", "/api/v1/tickets/{ticket_id}/events"): _READERS,
    ("POST", "/api/v1/tickets/{ticket_id}/acknowledge"): _AGENTS,
    ("POST", "/api/v1/tickets/{ticket_id}/customer-link"): _AGENTS,
    ("GET", "/api/v1/tickets/{ticket_id}"): _READERS,
    ("GET", "/api/v1/tickets/{ticket_id}/instances"): _READERS,
    ("GET", "/api/v1/tickets/{ticket_id}/explain"): _READERS,
    ("GET", "/api/v1/queue"): _READERS,
    ("GET", "/api/v1/summary"): _READERS,
    ("GET", "/api/v1/reports/compliance"): _READERS,
    ("GET", "/api/v1/reports/log"): _READERS,
    ("GET", "/api/v1/reports/statement"): _READERS,
    ("GET", "/api/v1/reports/heatmap"): _READERS,
    ("GET", "/api/v1/reports/trend"): _READERS,
    ("GET", "/api/v1/reports/top"): _READERS,
    ("GET", "/api/v1/reports/attribution"): _READERS,
    ("GET", "/api/v1/reports/pauses"): _READERS,
    ("POST", "/api/v1/reports/snapshots"): _ADMIN,
    ("GET", "/api/v1/reports/snapshots"): _READERS,
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}"): _READERS,
    ("GET", "/api/v1/reports/snapshots/{snapshot_id}/content"): _READERS,
    ("GET", "/api/v1/notifications"): _READERS,
    ("GET", "/api/v1/tickets/{ticket_id}/notifications"): _READERS,
    ("POST", "/api/v1/notifications/{delivery_id}/retry"): _ADMIN,
    ("GET", "/metrics"): _SCRAPERS,
    ("GET", "/api/v1/config"): _READERS,
    ("PUT", "/api/v1/config"): _ADMIN,
    ("GET", "/api/v1/config/versions"): _READERS,
    ("GET", "/api/v1/config/diff"): _READERS,
    ("POST", "/api/v1/tokens"): _ADMIN,
    ("GET", "/api/v1/tokens"): _ADMIN,
    ("DELETE", "/api/v1/tokens/{token_id}"): _ADMIN,
    ("POST", "/api/v1/whatif"): _ADMIN,
    ("GET", "/api/v1/whatif/{job_id}"): _ADMIN,
}


def allowed_roles(method: str, path_template: str) -> frozenset[str]:
    """The roles allowed on a route; empty (nobody) for a route missing from the table."""
    return ENDPOINT_ROLES.get((method.upper(), path_template), frozenset())


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(template)) + "$")


_PATTERNS = [(method, _pattern(template)) for method, template in ENDPOINT_ROLES]


def methods_for(path: str) -> list[str]:
    """The methods the API serves at a concrete path (for a 405's ``Allow`` header)."""
    return sorted({method for method, pattern in _PATTERNS if pattern.match(path)})
