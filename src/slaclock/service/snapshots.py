"""Snapshots for disputes (issue 23): a report stored with its request, the
configuration version and ``as_of`` it was produced under, and the SHA-256 of its
bytes — downloaded again later byte for byte, whatever happened to the data since.

The request's ``as_of`` is fixed when the snapshot is taken (now, unless given), so
the parameters alone name what was reported; the bytes are what was reported.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slaclock.service.report_requests import parse_request, render_request
from slaclock.store.snapshots import Snapshot

if TYPE_CHECKING:
    from slaclock.service.app_state import Services

__all__ = ["Snapshot", "snapshot_json", "take_snapshot"]


def take_snapshot(
    services: Services,
    report: str,
    params: Mapping[str, Any],
    format: str,
    author: str,
    now: datetime,
) -> Snapshot:
    """Produce the report and store it; ReportError names a bad parameter."""
    checked = parse_request(report, params, now)
    version = services.config_current()[0]
    rendered = render_request(services, report, checked, format)
    snapshot = Snapshot(
        id="s_" + uuid.uuid4().hex[:24],
        report=report,
        params=rendered.params,
        format=format,
        media_type=rendered.media_type,
        config_version=version,
        as_of=rendered.as_of,
        sha256=hashlib.sha256(rendered.content).hexdigest(),
        size=len(rendered.content),
        author=author,
        created_at=now,
        content=rendered.content,
    )
    services.db.writing(lambda tx: tx.snapshots.add(snapshot))
    return snapshot


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot's description (never its bytes), instants as ``…Z``."""
    from slaclock.service.formats import iso_z

    return {
        "id": snapshot.id, "report": snapshot.report, "params": snapshot.params,
        "format": snapshot.format, "media_type": snapshot.media_type,
        "config_version": snapshot.config_version, "as_of": iso_z(snapshot.as_of),
        "sha256": snapshot.sha256, "size": snapshot.size, "author": snapshot.author,
        "created_at": iso_z(snapshot.created_at),
    }  # fmt: skip
