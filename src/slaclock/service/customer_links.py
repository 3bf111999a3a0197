"""Customer links: a signed, expiring link per ticket that shows its customer when a
reply or a fix is due (docs/dashboard.md, "Customer view").

The helpdesk puts the link in its mails or its portal; the customer opens it without
signing in. The link is the credential: it names the ticket and when it expires,
signed (:mod:`slaclock.service.signed_links`) with ``SLACLOCK_CUSTOMER_LINK_SECRET``,
so nobody can make one for another ticket or stretch its life. Nothing is stored: a
link cannot be revoked on its own, only all of them at once by changing the secret;
a short lifetime is the other limit. Without the secret no link can be made
(:class:`LinksDisabled`) and none is honoured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from slaclock.service.signed_links import LinkDamaged, read_link, sign_link

__all__ = [
    "CUSTOMER_LINK_SECRET_ENV",
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "MIN_SECONDS",
    "STATUS_PATH",
    "CustomerClaim",
    "CustomerLink",
    "LinksDisabled",
    "customer_token",
    "link_expiry",
    "link_secret",
    "link_url",
    "read_customer_token",
]

CUSTOMER_LINK_SECRET_ENV = "SLACLOCK_CUSTOMER_LINK_SECRET"
#: How long a link works unless another lifetime is asked for: long enough for the
#: life of most tickets, short enough that an old mail stops showing the ticket.
DEFAULT_DAYS = 30
#: The longest lifetime that may be asked for.
MAX_DAYS = 365
#: The shortest: an hour (a link that expires before the mail is read helps nobody).
MIN_SECONDS = 3600
#: Where the page lives: ``{base URL}/status/{token}``.
STATUS_PATH = "/status/"
_DOMAIN = "customer-link"
_WHAT = "customer link"


class LinksDisabled(RuntimeError):
    """``SLACLOCK_CUSTOMER_LINK_SECRET`` is not set: customer links are off."""

    def __init__(self) -> None:
        super().__init__(
            f"customer links are not enabled: set {CUSTOMER_LINK_SECRET_ENV} "
            "in the server's environment"
        )


@dataclass(frozen=True, slots=True)
class CustomerClaim:
    """What a link grants: seeing ``ticket`` until ``expires``."""

    ticket: str
    expires: datetime


@dataclass(frozen=True, slots=True)
class CustomerLink:
    """A link made for a ticket: its address and when it stops working."""

    ticket: str
    url: str
    expires_at: datetime

    def to_json(self) -> dict[str, str]:
        return {
            "ticket": self.ticket,
            "url": self.url,
            "expires_at": self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def link_secret(environ: Mapping[str, str]) -> str:
    """The signing secret; :class:`LinksDisabled` when it is not set (or empty)."""
    secret = environ.get(CUSTOMER_LINK_SECRET_ENV, "")
    if not secret:
        raise LinksDisabled()
    return secret


def link_expiry(
    now: datetime, days: int | None = None, expires_at: datetime | None = None
) -> datetime:
    """When a link made at ``now`` expires: ``expires_at``, else ``days`` from now, else
    :data:`DEFAULT_DAYS`; whole seconds. ValueError (naming the bound) when the
    lifetime is under :data:`MIN_SECONDS` or over :data:`MAX_DAYS` days, or both are
    given."""
    if days is not None and expires_at is not None:
        raise ValueError("give days or expires_at, not both")
    if expires_at is None:
        count = DEFAULT_DAYS if days is None else days
        if not 1 <= count <= MAX_DAYS:
            raise ValueError(f"days: {count} is not between 1 and {MAX_DAYS}")
        expires_at = now + timedelta(days=count)
    if expires_at.tzinfo is None:
        raise ValueError("expires_at: the instant needs an offset or Z")
    lifetime = expires_at - now
    if lifetime < timedelta(seconds=MIN_SECONDS):
        raise ValueError("expires_at: a link must live at least an hour from now")
    if lifetime > timedelta(days=MAX_DAYS):
        raise ValueError(f"expires_at: a link may live at most {MAX_DAYS} days")
    return expires_at.replace(microsecond=0)


def customer_token(secret: str, claim: CustomerClaim) -> str:
    return sign_link(secret, [claim.ticket], claim.expires, domain=_DOMAIN)


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{STATUS_PATH}{token}"


def read_customer_token(secret: str, token: str, now: datetime) -> CustomerClaim:
    """The claim of a genuine link that has not expired; raises
    :class:`~slaclock.service.signed_links.LinkExpired` for an expired one and
    another :class:`~slaclock.service.signed_links.LinkError` for anything else."""
    values, expires = read_link(secret, token, now, what=_WHAT, domain=_DOMAIN)
    if len(values) != 1 or not isinstance(values[0], str):
        raise LinkDamaged(f"this {_WHAT} is damaged")
    return CustomerClaim(values[0], expires)
