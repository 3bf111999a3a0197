"""Signed links (service/signed_links.py), shared by the acknowledgement links and the
customer links: a tampered, foreign or garbled token is refused, expiry holds to the
second, the two kinds never pass for each other, and a customer link's lifetime and
secret are checked before one is made (issue 24, "Customer view")."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from slaclock.service.acknowledgements import AckClaim, ack_token, read_ack_token
from slaclock.service.customer_links import (
    CUSTOMER_LINK_SECRET_ENV,
    DEFAULT_DAYS,
    CustomerClaim,
    LinksDisabled,
    customer_token,
    link_expiry,
    link_secret,
    link_url,
    read_customer_token,
)
from slaclock.service.signed_links import (
    MAX_TOKEN_CHARS,
    LinkDamaged,
    LinkExpired,
    LinkForged,
    read_link,
    sign_link,
)

NOW = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
SECRET = "customer-secret-0123456789"
LATER = NOW + timedelta(days=3)


def _token(ticket: str = "T-1", expires: datetime = LATER, secret: str = SECRET) -> str:
    return customer_token(secret, CustomerClaim(ticket, expires))


def test_a_link_reads_back_as_it_was_made() -> None:
    for ticket in ("T-1", "ÆØÅ/票 ticket with spaces", "x" * 200):
        claim = read_customer_token(SECRET, _token(ticket), NOW)
        assert claim == CustomerClaim(ticket, LATER)
    token = _token()
    assert link_url("https://sla.example/", token) == f"https://sla.example/status/{token}"


def _swap_payload(token: str, payload: bytes) -> str:
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{encoded}.{token.partition('.')[2]}"


@pytest.mark.parametrize(
    "token",
    [
        _token()[:-1] + ("0" if _token()[-1] != "0" else "1"),  # the mac changed
        _swap_payload(_token(), b'["T-2",1900000000]'),  # another ticket, the old mac
        _swap_payload(_token(), b'["T-1",4102444800]'),  # a longer life, the old mac
        _token(secret="another-secret"),
        _token().partition(".")[0],  # no mac at all
        "." + _token().partition(".")[2],  # no payload
        "",
        "not-a-token",
        _token() + "é",  # a mac that is not ASCII must not raise TypeError
        "a" * (MAX_TOKEN_CHARS + 1),
    ],
    ids=[
        "mac", "ticket", "lifetime", "other-secret", "no-mac", "no-payload", "empty",
        "garbage", "non-ascii", "too-long",
    ],
)  # fmt: skip
def test_a_tampered_or_foreign_link_is_not_genuine(token: str) -> None:
    with pytest.raises(LinkForged, match="not genuine"):
        read_customer_token(SECRET, token, NOW)


def test_a_genuine_token_that_cannot_be_read_is_damaged() -> None:
    for values in (["T-1", 5], [5]):  # a ticket that is not text; no ticket at all
        token = sign_link(SECRET, values, LATER, domain="customer-link")
        with pytest.raises(LinkDamaged, match="damaged"):
            read_customer_token(SECRET, token, NOW)


def test_expiry_holds_to_the_second() -> None:
    token = _token(expires=NOW + timedelta(hours=1))
    assert read_customer_token(SECRET, token, NOW + timedelta(hours=1)).ticket == "T-1"
    with pytest.raises(LinkExpired, match="has expired"):
        read_customer_token(SECRET, token, NOW + timedelta(hours=1, seconds=1))
    # the message names the kind of link; an expired forged one is still "not genuine"
    with pytest.raises(LinkForged):
        read_customer_token("other", token, NOW + timedelta(days=9))


def test_a_link_of_one_kind_does_not_pass_as_the_other() -> None:
    """The two kinds share the scheme but not the signed domain: even under one secret,
    an acknowledgement token is no customer link, and the other way round."""
    ack = ack_token(SECRET, AckClaim("T-1", "sla", "first_response", 0, "mark", LATER))
    with pytest.raises(LinkForged):
        read_customer_token(SECRET, ack, NOW)
    with pytest.raises(LinkForged):
        read_ack_token(SECRET, _token(), NOW)


def test_acknowledgement_tokens_keep_their_format() -> None:
    """Links already sent in breach messages must still work: the token of a claim is
    the one the acknowledgement module always made (payload JSON, 32 hex of HMAC)."""
    claim = AckClaim("T-1", "sla", "first_response", 0, "mark", datetime(2026, 3, 9, tzinfo=UTC))
    token = ack_token("ack-secret", claim)
    assert token == (  # made by the module before the signing moved to signed_links.py
        "WyJULTEiLCJzbGEiLCJmaXJzdF9yZXNwb25zZSIsMCwibWFyayIsMTc3MzAxNDQwMF0"
        ".d7bb7abde2883eca290e69d79d53d8c8"
    )
    assert read_ack_token("ack-secret", token, NOW) == claim
    with pytest.raises(ValueError, match="acknowledgement link has expired"):
        read_ack_token("ack-secret", token, claim.expires + timedelta(seconds=1))


def test_read_link_returns_the_values_and_the_expiry() -> None:
    token = sign_link(SECRET, ["a", 1], LATER, domain="d")
    assert read_link(SECRET, token, NOW, what="link", domain="d") == (["a", 1], LATER)
    with pytest.raises(LinkForged):
        read_link(SECRET, token, NOW, what="link", domain="e")


def test_without_the_secret_no_link_is_made() -> None:
    for environ in ({}, {CUSTOMER_LINK_SECRET_ENV: ""}):
        with pytest.raises(LinksDisabled, match=CUSTOMER_LINK_SECRET_ENV):
            link_secret(environ)
    assert link_secret({CUSTOMER_LINK_SECRET_ENV: SECRET}) == SECRET


def test_a_links_lifetime_is_bounded() -> None:
    assert link_expiry(NOW) == NOW + timedelta(days=DEFAULT_DAYS)
    assert link_expiry(NOW, 1) == NOW + timedelta(days=1)
    assert link_expiry(NOW, 365) == NOW + timedelta(days=365)
    hour = NOW + timedelta(hours=1)
    assert link_expiry(NOW, expires_at=hour) == hour
    assert link_expiry(NOW, expires_at=hour + timedelta(microseconds=5)) == hour
    refused = [
        ({"days": 0}, "days: 0 is not between 1 and 365"),
        ({"days": 366}, "days: 366"),
        ({"expires_at": hour - timedelta(seconds=1)}, "at least an hour"),
        ({"expires_at": NOW - timedelta(days=1)}, "at least an hour"),
        ({"expires_at": NOW + timedelta(days=365, seconds=1)}, "at most 365 days"),
        ({"expires_at": datetime(2026, 4, 1)}, "needs an offset"),
        ({"days": 3, "expires_at": hour}, "not both"),
    ]
    for kwargs, message in refused:
        with pytest.raises(ValueError, match=message):
            link_expiry(NOW, **kwargs)  # type: ignore[arg-type]
