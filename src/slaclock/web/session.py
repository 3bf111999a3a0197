"""Signing in to the dashboard: the API token held in a cookie, checked on every page.

A person pastes an API token once; it is kept in an ``HttpOnly`` (no script can read
it), ``SameSite=Strict`` (no other site can make the browser send it) cookie, and
verified on every request exactly as the API verifies a bearer token, so revoking
the token signs the person out. The token is never logged, echoed or put in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request, Response

from slaclock.api.context import ApiContext

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "LANG_COOKIE",
    "PAGE_ROLES",
    "TOKEN_COOKIE",
    "TZ_COOKIE",
    "Viewer",
    "clear_token_cookie",
    "csrf_accepted",
    "csrf_token",
    "current_viewer",
    "is_same_origin",
    "safe_next",
    "set_csrf_cookie",
    "set_token_cookie",
]

TOKEN_COOKIE = "slaclock_token"
LANG_COOKIE = "slaclock_lang"
TZ_COOKIE = "slaclock_tz"
#: The signed double-submit CSRF token: in this cookie and in each form's hidden field.
CSRF_COOKIE = "slaclock_csrf"
CSRF_FIELD = "csrf"
#: Who may see the dashboard: everyone who may read the queue through the API.
PAGE_ROLES = frozenset({"admin", "agent", "viewer"})
#: A pasted token longer than this is not one of ours; refuse it before hashing.
MAX_TOKEN_CHARS = 200
#: A year: the remembered language and time zone outlive a browser session.
PREFERENCE_SECONDS = 365 * 86400


@dataclass(frozen=True)
class Viewer:
    """The signed-in token: its public id, name and role (never the secret)."""

    token_id: str
    name: str
    role: str

    @property
    def may_see_pages(self) -> bool:
        return self.role in PAGE_ROLES


def verify(ctx: ApiContext, secret: str | None) -> Viewer | None:
    """Who ``secret`` belongs to, or None for a missing, unknown or revoked token."""
    if not secret or len(secret) > MAX_TOKEN_CHARS:
        return None
    info = ctx.tokens.verify(secret, ctx.now())
    if info is None:
        return None
    return Viewer(token_id=info.id, name=info.name, role=info.role)


def current_viewer(request: Request) -> Viewer | None:
    """The viewer behind the request's cookie, if any."""
    return verify(request.app.state.ctx, request.cookies.get(TOKEN_COOKIE))


def set_token_cookie(response: Response, secret: str, request: Request) -> None:
    _set_strict_cookie(response, TOKEN_COOKIE, secret, request)


def _set_strict_cookie(response: Response, name: str, value: str, request: Request) -> None:
    """A session cookie no script can read and no other site can make the browser send."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_token_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        TOKEN_COOKIE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def set_preference(response: Response, request: Request, name: str, value: str) -> None:
    """Remember a language or time zone choice (not a secret: readable, long-lived)."""
    response.set_cookie(
        name,
        value,
        max_age=PREFERENCE_SECONDS,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def is_same_origin(request: Request) -> bool:
    """Whether a form post comes from our own pages (the CSRF check of ``POST /login``).

    The ``Origin`` header, else the ``Referer``, must name this host (and port). A post
    with neither is refused: every current browser sends ``Origin`` with a form post.
    Only the host is compared, not the scheme, so a TLS-terminating proxy in front of
    plain HTTP still works.
    """
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or not host or source == "null":
        return False
    try:
        return urlsplit(source).netloc.lower() == host
    except ValueError:  # "http://[" is no URL (an unclosed IPv6 address)
        return False


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in ("/" unless it is a local path).

    Anything that could leave the site (``//evil.example``, ``https://…``, ``/\\evil``)
    becomes "/", so the login form is no open redirect.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return "/"
    return target


def _csrf_signature(secret: str, nonce: str) -> str:
    """The nonce signed with the signed-in token's secret: only our pages know both."""
    return hmac.new(secret.encode("utf-8"), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def _csrf_signed(request: Request, token: str) -> bool:
    """Whether ``token`` is ``nonce.signature`` signed for this request's session."""
    secret = request.cookies.get(TOKEN_COOKIE)
    nonce, _, signature = token.partition(".")
    if not secret or not nonce or not signature or len(token) > 200:
        return False
    return hmac.compare_digest(signature, _csrf_signature(secret, nonce))


def csrf_token(request: Request) -> tuple[str, bool]:
    """The CSRF token for this page's forms, and whether it is new (then the response
    must set it with :func:`set_csrf_cookie`).

    Signed double submit: a random nonce signed (HMAC-SHA256) with the session's token
    secret, kept in a ``SameSite=Strict`` cookie and sent again in each form. Another
    site can neither read the cookie nor forge a signature for the session, and a token
    stops working with the session it was made for.
    """
    held = request.cookies.get(CSRF_COOKIE)
    if held and _csrf_signed(request, held):
        return held, False
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_csrf_signature(request.cookies.get(TOKEN_COOKIE, ''), nonce)}", True


def set_csrf_cookie(response: Response, token: str, request: Request) -> None:
    _set_strict_cookie(response, CSRF_COOKIE, token, request)


def csrf_accepted(request: Request, sent: str | None) -> bool:
    """Whether a form post passes the CSRF checks: same origin (:func:`is_same_origin`),
    and the form's token equal to the cookie's and signed for this session."""
    held = request.cookies.get(CSRF_COOKIE)
    if not sent or not held or not is_same_origin(request):
        return False
    return hmac.compare_digest(sent.encode(), held.encode()) and _csrf_signed(request, sent)
