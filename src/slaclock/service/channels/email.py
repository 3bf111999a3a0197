"""The email channel: SMTP settings from the environment, one message per delivery, and
handing it to an SMTP server with :mod:`smtplib`.

- :func:`smtp_settings` reads ``SLACLOCK_SMTP_URL`` and ``SLACLOCK_MAIL_FROM`` (``None``
  when no SMTP server is configured; a bad value is a :class:`ValueError` naming the
  variable). The password never appears in an error or in the settings' ``repr``.
- :func:`build_email` makes the message of one delivery: plain text, or
  ``multipart/alternative`` with an HTML part after it; ``Message-ID`` and
  ``X-Slaclock-Delivery`` derive from the delivery id, so every retry of a delivery sends
  the same message and a re-sent copy is recognisable. ``Date`` is the ``now`` passed in.
- :func:`send_email` sends it and returns ``None`` once the server accepted it, else raises
  :class:`DeliveryError` saying whether a later attempt may succeed: network failures,
  timeouts, a dropped connection and SMTP 4xx replies are retryable; 5xx replies, a
  rejected password and a certificate that does not verify are permanent.

``docs/notifications.md`` ("Email") is the user's page for all of this.
"""

from __future__ import annotations

import math
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, getaddresses
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from slaclock.service.channels.outcome import DeliveryError

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_TIMEOUT",
    "MAIL_FROM_ENV",
    "SMTP_URL_ENV",
    "Security",
    "SmtpSettings",
    "build_email",
    "send_email",
    "smtp_settings",
]

SMTP_URL_ENV = "SLACLOCK_SMTP_URL"
MAIL_FROM_ENV = "SLACLOCK_MAIL_FROM"

#: ``plain``: no TLS (``smtp://``); ``starttls``: upgrade after connecting
#: (``smtp://…?starttls=true``); ``tls``: implicit TLS from the first byte (``smtps://``).
Security = Literal["plain", "starttls", "tls"]
_SECURITIES: tuple[Security, ...] = ("plain", "starttls", "tls")

#: The customary port of each: 25 (server to server), 587 (submission with STARTTLS,
#: RFC 6409) and 465 (submission over implicit TLS, RFC 8314).
DEFAULT_PORTS: Mapping[str, int] = {"plain": 25, "starttls": 587, "tls": 465}

#: Seconds each network step (connecting, every reply) may take, unless the URL says
#: ``?timeout=`` or the caller passes ``timeout``.
DEFAULT_TIMEOUT = 30.0

_OPTIONS = ("starttls", "timeout", "tls_verify", "ca_file")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_URL_FORM = "smtp://[user:password@]host[:port][?starttls=true] or smtps://…"

#: RFC 5322 dot-atom-text: what may stand left of the ``@`` of a Message-ID.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
#: RFC 5322 field names: printable ASCII but the colon.
_FIELD_NAME = re.compile(r"[!-9;-~]+")
#: Headers build_email writes itself; extra_headers may not replace them.
_OWN_HEADERS = frozenset(
    name.lower()
    for name in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Sender",
        "Subject",
        "Date",
        "Message-ID",
        "X-Slaclock-Delivery",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
    )
)


@dataclass(frozen=True, repr=False)
class SmtpSettings:
    """Where and how to send mail. ``repr`` shows ``password='***'``, never the password.

    ``mail_from_address`` is the envelope sender and the ``From`` address (ASCII: an
    internationalised domain is kept in its ``xn--`` form); ``mail_from_name`` its display
    name (any text, encoded in the header as needed). ``tls_verify=False`` accepts any
    certificate — unsafe, for a local test server only; ``ca_file`` trusts the CAs in
    that PEM file instead of the system's."""

    host: str
    port: int
    security: Security
    mail_from_address: str
    mail_from_name: str = ""
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    tls_verify: bool = True
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security not in _SECURITIES:
            raise ValueError(f"security must be one of {', '.join(_SECURITIES)}")
        if not self.host:
            raise ValueError("the host is missing")
        if not 1 <= self.port <= 65535:
            raise ValueError(f"the port must be a whole number from 1 to 65535, not {self.port}")
        _check_timeout(self.timeout)
        if (self.username is None) != (self.password is None):
            raise ValueError("give both a user name and a password, or neither")
        if not (self.username or "").isascii() or not (self.password or "").isascii():
            raise ValueError("the user name and password must be ASCII (smtplib sends no other)")
        if self.security == "plain" and (not self.tls_verify or self.ca_file is not None):
            raise ValueError("tls_verify and ca_file apply only with smtps:// or starttls=true")
        local, at, domain = self.mail_from_address.rpartition("@")
        if not (local and at and domain and self.mail_from_address.isascii()):
            raise ValueError("the sender address must be an ASCII address such as sla@example.com")

    def __repr__(self) -> str:
        shown = []
        for field in fields(self):
            value = getattr(self, field.name)
            hidden = field.name == "password" and value is not None
            shown.append(f"{field.name}={'***'!r}" if hidden else f"{field.name}={value!r}")
        return f"SmtpSettings({', '.join(shown)})"

    @property
    def sender(self) -> Address:
        """The ``From`` mailbox: display name and address."""
        return Address(display_name=self.mail_from_name, addr_spec=self.mail_from_address)

    @property
    def mail_domain(self) -> str:
        """The domain of the sender address: the right side of every ``Message-ID``."""
        return self.mail_from_address.rpartition("@")[2]


def smtp_settings(environ: Mapping[str, str]) -> SmtpSettings | None:
    """The SMTP settings in ``environ``; ``None`` when ``SLACLOCK_SMTP_URL`` is unset or
    empty (no email channel). ``SLACLOCK_MAIL_FROM`` is then required. A bad value raises
    :class:`ValueError` naming the variable and what is wrong, never the password."""
    url = environ.get(SMTP_URL_ENV, "").strip()
    if not url:
        return None
    sender_text = environ.get(MAIL_FROM_ENV, "").strip()
    if not sender_text:
        raise ValueError(
            f"{MAIL_FROM_ENV}: required when {SMTP_URL_ENV} is set; expected an address "
            "such as 'Slaclock <sla@example.com>'"
        )
    try:
        sender = _mailbox(sender_text)
    except ValueError as error:
        raise ValueError(f"{MAIL_FROM_ENV}: {error}") from None
    try:
        return _parse_url(url, sender)
    except ValueError as error:
        # ``from None``: a chained urllib error could quote the URL, password and all
        raise ValueError(f"{SMTP_URL_ENV}: {error}") from None


def _parse_url(url: str, sender: Address) -> SmtpSettings:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"expected {_URL_FORM}")
    scheme = scheme.lower()
    if scheme not in ("smtp", "smtps"):
        shown = f" {scheme!r}" if re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme) else ""
        raise ValueError(f"unknown scheme{shown}; expected smtp:// or smtps://")
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    if "@" in rest[authority_end:]:
        # the user name or password holds a '/', '?' or '#', which ended the host part early
        raise ValueError(
            "cannot tell the host from the user name and password: write '/', '?', '#' and "
            "'@' in them percent-encoded (%2F, %3F, %23, %40)"
        )
    try:
        parts = urlsplit(url)
        port_given = parts.port
    except ValueError:
        raise ValueError(
            "not a valid URL: the port must be a whole number from 1 to 65535 and an IPv6 "
            f"address is written in brackets; expected {_URL_FORM}"
        ) from None
    if parts.path not in ("", "/"):
        raise ValueError(f"a path is not allowed; expected {_URL_FORM}")
    if parts.fragment:
        raise ValueError(f"a '#' part is not allowed; expected {_URL_FORM}")
    if not parts.hostname:
        raise ValueError(f"the host is missing; expected {_URL_FORM}")
    options = _options(parts.query)
    starttls = _flag(options, "starttls", default=False)
    if scheme == "smtps" and starttls:
        raise ValueError("starttls=true does not apply to smtps:// (TLS from the first byte)")
    security: Security = "tls" if scheme == "smtps" else "starttls" if starttls else "plain"
    timeout = DEFAULT_TIMEOUT
    if "timeout" in options:
        timeout = _seconds(options["timeout"])
    ca_file = options.get("ca_file")
    if ca_file is not None and not os.path.isfile(ca_file):
        raise ValueError(f"ca_file: no such file {ca_file!r}")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if username is None and password is not None:
        raise ValueError("a password without a user name")
    if username is not None and password is None:
        raise ValueError("a user name without a password (user:password@host)")
    return SmtpSettings(
        host=parts.hostname,
        port=DEFAULT_PORTS[security] if port_given is None else port_given,
        security=security,
        mail_from_address=sender.addr_spec,
        mail_from_name=sender.display_name,
        username=username,
        password=password,
        timeout=timeout,
        tls_verify=_flag(options, "tls_verify", default=True),
        ca_file=ca_file,
    )


def _options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in _OPTIONS:
            raise ValueError(f"unknown option {name!r}; expected {', '.join(_OPTIONS)}")
        if name in options:
            raise ValueError(f"option {name!r} is given twice")
        options[name] = value
    return options


def _flag(options: Mapping[str, str], name: str, *, default: bool) -> bool:
    text = options.get(name)
    if text is None:
        return default
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError(f"{name}: expected true or false, not {text!r}")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"timeout: expected a number of seconds, not {text!r}") from None
    _check_timeout(value)
    return value


def _check_timeout(value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"timeout: expected a number of seconds > 0, not {value!r}")


def _mailbox(text: str) -> Address:
    """The one mailbox ``text`` names (``sla@example.com``, ``Name <sla@example.com>``),
    its domain in ASCII (IDNA); ValueError unless it is exactly one well-formed address
    with an ASCII local part."""
    header = default_policy.header_factory("To", text)
    addresses = header.addresses
    if len(addresses) != 1:
        raise ValueError(f"expected one address such as 'Name <sla@example.com>', not {text!r}")
    address = addresses[0]
    if not address.username.isascii():
        raise ValueError(f"the part before '@' must be ASCII: {text!r}")
    if header.defects or not address.username or not address.domain:
        raise ValueError(f"not a valid address: {text!r}")
    try:
        domain = address.domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"not a valid domain: {text!r}") from None
    return Address(display_name=address.display_name, username=address.username, domain=domain)


def build_email(
    delivery_id: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    settings: SmtpSettings,
    extra_headers: Mapping[str, str] | None = None,
    *,
    now: datetime,
) -> EmailMessage:
    """The message of delivery ``delivery_id`` to ``to`` (``ana@example.com`` or
    ``Ana Ștefănescu <ana@example.com>``): ``text`` as ``text/plain``, and with ``html``
    a ``multipart/alternative`` of the two (plain first, so a client shows the HTML).

    ``Message-ID: <{delivery_id}@{domain of the sender}>`` and ``X-Slaclock-Delivery``
    are the same on every attempt; ``Date`` is ``now`` (timezone-aware); the message is
    ``Auto-Submitted: auto-generated`` and asks Exchange not to answer it with an
    out-of-office reply. Non-ASCII names and subjects are encoded (RFC 2047), bodies are
    UTF-8 in quoted-printable, so any server takes them. A line break in ``subject`` becomes
    a space. ``extra_headers`` (e.g. ``References``, ``List-Id``) are added as given; they
    may not replace the headers above. ValueError on a malformed id, address or header."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if len(delivery_id) > 200 or not _DOT_ATOM.fullmatch(delivery_id):
        raise ValueError(
            f"delivery id {delivery_id!r}: expected letters, digits and _-+=. (a Message-ID part)"
        )
    try:
        recipient = _mailbox(to)
    except ValueError as error:
        raise ValueError(f"to: {error}") from None
    message = EmailMessage(policy=default_policy)
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = re.sub(r"[\r\n]+", " ", subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{delivery_id}@{settings.mail_domain}>"
    message["X-Slaclock-Delivery"] = delivery_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    for name, value in (extra_headers or {}).items():
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"extra header {name!r}: not a header name")
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"extra header {name!r}: build_email sets it")
        if "\r" in value or "\n" in value:
            raise ValueError(f"extra header {name!r}: a value may not contain a line break")
        message[name] = value
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        for part in message.iter_parts():
            del part["MIME-Version"]  # add_alternative gives the part one; the top has it
    return message


def send_email(
    settings: SmtpSettings, message: EmailMessage, *, timeout: float | None = None
) -> None:
    """Hand ``message`` to the SMTP server of ``settings``, for its ``To``/``Cc``/``Bcc``
    recipients, with ``settings.mail_from_address`` as the envelope sender; returns once
    the server accepted it. ``timeout`` (seconds per network step) overrides the
    settings'. TLS (``smtps://`` or STARTTLS) verifies the server's certificate and name
    unless ``tls_verify=False``; with a user name the client logs in (AUTH PLAIN or
    LOGIN, whichever the server offers), over TLS or not, as configured.

    Raises :class:`DeliveryError` when the message was not accepted: retryable for
    network errors, timeouts, a dropped connection and SMTP 4xx replies (greylisting: a
    4xx to the recipient too); permanent for 5xx replies, a rejected login, a missing
    STARTTLS or AUTH, and a certificate that does not verify. A message accepted for some
    recipients and refused for others is a permanent failure naming the refused ones.
    ValueError when the message has no recipient."""
    recipient_fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    if not any(address for _, address in getaddresses(recipient_fields)):
        raise ValueError("the message has no recipient (To, Cc or Bcc)")
    seconds = settings.timeout if timeout is None else timeout
    _check_timeout(seconds)
    try:
        context = _tls_context(settings)
    except (OSError, ssl.SSLError) as error:
        raise _scrubbed(
            DeliveryError(f"cannot load the CA file {settings.ca_file!r}: {error}", False),
            settings,
        ) from None
    try:
        refused = _converse(settings, message, seconds, context)
    except (smtplib.SMTPException, OSError) as error:
        raise _scrubbed(_failure(error, settings, seconds), settings) from error
    if refused:
        raise _scrubbed(
            DeliveryError(f"accepted for some recipients, {_refusals(refused)}", False), settings
        )


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.security == "plain":
        return None
    context = ssl.create_default_context(cafile=settings.ca_file)
    if not settings.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _converse(
    settings: SmtpSettings,
    message: EmailMessage,
    seconds: float,
    context: ssl.SSLContext | None,
) -> dict[str, tuple[int, bytes]]:
    """One SMTP session; the recipients refused when others were accepted."""
    client: smtplib.SMTP
    if settings.security == "tls":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=seconds, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=seconds)
    try:
        if settings.security == "starttls":
            client.starttls(context=context)  # SMTPNotSupportedError if not offered
        if settings.username is not None and settings.password is not None:
            client.login(settings.username, settings.password)
        refused = client.send_message(message, from_addr=settings.mail_from_address)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
        _quit(client)  # the server is still talking: say goodbye
        raise
    except BaseException:
        client.close()
        raise
    _quit(client)  # accepted: whatever QUIT brings, the message is delivered
    return refused


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _failure(error: BaseException, settings: SmtpSettings, seconds: float) -> DeliveryError:
    """What a failed session means for the delivery."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, OSError):
        # smtplib turns a network error while reading a reply (a timeout among them) into
        # "Connection unexpectedly closed": name the network error instead
        return _failure(error.__context__, settings, seconds)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        temporary = bool(codes) and all(400 <= code < 500 for code in codes)
        return DeliveryError(_refusals(error.recipients), temporary)
    if isinstance(error, smtplib.SMTPResponseException):
        if isinstance(error, smtplib.SMTPAuthenticationError):
            # named by neither part: some providers take an API token as the user name
            doing = "the server rejected the user name or password"
        elif isinstance(error, smtplib.SMTPSenderRefused):
            doing = f"the server refused the sender {settings.mail_from_address}"
        elif isinstance(error, smtplib.SMTPDataError):
            doing = "the server refused the message"
        elif isinstance(error, smtplib.SMTPConnectError):
            doing = f"{where} refused the session"
        elif isinstance(error, smtplib.SMTPHeloError):
            doing = "the server refused EHLO/HELO"
        else:
            doing = "the server refused"
        permanent = 500 <= error.smtp_code < 600
        return DeliveryError(f"{doing}: {_reply(error.smtp_code, error.smtp_error)}", not permanent)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"{where} closed the connection: {error}", True)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"{where} cannot do what the settings ask: {error}", False)
    if isinstance(error, smtplib.SMTPException):  # e.g. no AUTH mechanism in common
        return DeliveryError(f"{where}: {error}", False)
    if isinstance(error, ssl.SSLCertVerificationError):
        return DeliveryError(
            f"{where}: the server's TLS certificate does not verify ({error.verify_message}); "
            "see ca_file and tls_verify",
            False,
        )
    if isinstance(error, ssl.SSLError):
        return DeliveryError(f"{where}: TLS failed: {error.reason or error}", True)
    if isinstance(error, TimeoutError):
        return DeliveryError(f"{where}: no answer within {seconds:g} s", True)
    if isinstance(error, ConnectionRefusedError):
        return DeliveryError(f"{where}: connection refused", True)
    if isinstance(error, socket.gaierror):
        return DeliveryError(f"{settings.host}: cannot resolve the host ({error.strerror})", True)
    if isinstance(error, OSError):
        return DeliveryError(f"{where}: {error.strerror or error}", True)
    raise TypeError(f"not a delivery failure: {error!r}")


def _refusals(replies: Mapping[str, tuple[int, bytes]]) -> str:
    listed = "; ".join(f"{address}: {_reply(*reply)}" for address, reply in replies.items())
    return f"the server refused the recipient {listed}"


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP reply as one short line: ``550 5.1.1 no such user``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(text.split())
    if len(line) > 300:
        line = line[:299] + "…"
    return f"{code} {line}"


def _scrubbed(error: DeliveryError, settings: SmtpSettings) -> DeliveryError:
    """``error`` with the password (should a server echo it) replaced by ``***``."""
    if not settings.password or settings.password not in error.reason:
        return error
    return DeliveryError(
        error.reason.replace(settings.password, "***"), error.retryable, error.retry_after
    )
