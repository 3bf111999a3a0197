"""The webhook signature scheme and the JSON-path mapping, without HTTP."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from slaclock.api.signing import SignatureError, extract, map_body, sign, verify_signature

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_sign_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", b"1772442000.{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", b"{}", 1772442000) == f"t=1772442000,v1={expected}"


def test_verify_accepts_any_matching_v1_among_several() -> None:
    t = int(NOW.timestamp())
    good = sign("s", b"x", t).split(",")[1]
    verify_signature(f"t={t},v1={'0' * 64},{good}", "s", b"x", NOW, 300)
    with pytest.raises(SignatureError):
        verify_signature(f"t={t},v1={'0' * 64}", "s", b"x", NOW, 300)


def test_extract_follows_keys_and_indexes() -> None:
    body = {"a": {"b": [{"c": 1}, {"c": 2}]}, "x.y": 3}
    assert extract(body, "$.a.b[1].c") == (True, 2)
    assert extract(body, "$") == (True, body)
    assert extract(body, "$.a.b[2].c") == (False, None)
    assert extract(body, "$.a.missing") == (False, None)
    assert extract(body, "a.b") == (False, None)
    assert extract(body, "$.a.b.c") == (False, None)


def test_map_body_nests_dotted_targets_and_reports_missing_paths() -> None:
    body = {"t": "T-1", "s": "open"}
    event, missing = map_body(
        body, {"ticket": "$.t", "changes.status": "$.s", "at": "$.when"}, {"type": "x"}
    )
    assert event == {"type": "x", "ticket": "T-1", "changes": {"status": "open"}}
    assert missing == ["at <- $.when"]
