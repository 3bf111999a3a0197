"""The email channel against a real SMTP server: aiosmtpd on 127.0.0.1, on a free port.

Plain SMTP, STARTTLS and implicit TLS (a throwaway CA from ``trustme``), AUTH with a
right and a wrong password, servers answering 4xx and 5xx at each stage, a closed
port, a silent and a hanging-up server; and the settings read from the environment.
"""

from __future__ import annotations

import pickle
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from slaclock.service.channels import (
    DeliveryError,
    SmtpSettings,
    build_email,
    send_email,
    smtp_settings,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SENDER = "Slaclock Støtte <sla@example.com>"
TO = "Ana Ștefănescu <ana@example.ro>"
SUBJECT = "Reamintire: T-1 – ș, Grüße, blåbærsyltetøy"
TEXT = "Bună ziua Ana,\nprimul răspuns la T-1 este datorat la 09:15.\n"
HTML = "<p>Bună ziua Ana,</p><p>Grüße, ø: <b>09:15</b></p>\n"
USER = "anna"
PASSWORD = "s3cret:p@ss/word"  # every character the URL must percent-encode
WRONG_PASSWORD = "hunter2-wrong"


def _quoted(text: str) -> str:
    return quote(text, safe="")


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")


# -- a real SMTP server ---------------------------------------------------------------


class _Controller(Controller):
    """aiosmtpd's threaded server, bound to port 0: the port the system chose is read back
    from the listening socket before the first connection."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Inbox:
    """Accepts everything, or answers ``reply`` at ``stage`` (MAIL, RCPT or DATA), or
    ``refuse[address]`` to the recipients named there."""

    def __init__(
        self,
        stage: str | None = None,
        reply: str | None = None,
        refuse: dict[str, str] | None = None,
    ) -> None:
        self.stage = stage
        self.reply = reply
        self.refuse = refuse or {}
        self.envelopes: list[Envelope] = []

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.stage == "MAIL":
            assert self.reply is not None
            return self.reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.stage == "RCPT":
            assert self.reply is not None
            return self.reply
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self.stage == "DATA":
            assert self.reply is not None
            return self.reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def only_message(self) -> EmailMessage:
        assert len(self.envelopes) == 1
        content = self.envelopes[0].original_content
        assert isinstance(content, bytes)
        message = message_from_bytes(content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        return message


@contextmanager
def smtp_server(handler: Inbox, **options: Any) -> Iterator[_Controller]:
    controller = _Controller(handler, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def _check_password(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


class Tls:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""

    def __init__(self, directory: Path, *names: str) -> None:
        self.ca = trustme.CA()
        self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*names).configure_cert(self.server_context)
        self.ca_file = directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return Tls(tmp_path_factory.mktemp("tls"), "127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def tls_for_another_name(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return Tls(tmp_path_factory.mktemp("tls-other"), "mail.example.com")


def settings(url: str, mail_from: str = SENDER) -> SmtpSettings:
    found = smtp_settings({"SLACLOCK_SMTP_URL": url, "SLACLOCK_MAIL_FROM": mail_from})
    assert found is not None
    return found


def message(delivery_id: str = "d_7f3a91", html: str | None = HTML, **kw: Any) -> EmailMessage:
    return build_email(
        delivery_id, TO, SUBJECT, TEXT, html, settings("smtp://127.0.0.1:25"), now=NOW, **kw
    )


def free_port() -> int:
    """A port nothing listens on (it was free a moment ago; nothing here binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def failure(settings: SmtpSettings, mail: EmailMessage, **kw: Any) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send_email(settings, mail, **kw)
    return caught.value


# -- delivery -------------------------------------------------------------------------


def test_plain_delivery_arrives_whole() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as server:
        send_email(settings(f"smtp://127.0.0.1:{server.port}"), message())
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "sla@example.com"
    assert envelope.rcpt_tos == ["ana@example.ro"]
    assert isinstance(envelope.original_content, bytes)
    assert envelope.original_content.isascii()  # 7-bit clean: any server takes it
    got = inbox.only_message()
    assert got.get_content_type() == "multipart/alternative"
    plain, html = got.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert _lines(plain.get_content()) == TEXT  # SMTP carries CRLF line ends
    assert _lines(html.get_content()) == HTML
    assert got["Message-ID"] == "<d_7f3a91@example.com>"
    assert got["X-Slaclock-Delivery"] == "d_7f3a91"
    assert got["Auto-Submitted"] == "auto-generated"
    assert str(got["Subject"]) == SUBJECT
    assert got["Date"].datetime == NOW
    assert got["To"].addresses[0].display_name == "Ana Ștefănescu"
    assert got["From"].addresses[0].display_name == "Slaclock Støtte"
    assert got["From"].addresses[0].addr_spec == "sla@example.com"


def test_text_only_delivery_is_one_plain_part() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as server:
        send_email(settings(f"smtp://127.0.0.1:{server.port}"), message(html=None))
    got = inbox.only_message()
    assert got.get_content_type() == "text/plain"
    assert _lines(got.get_content()) == TEXT


def test_starttls_delivery(tls: Tls) -> None:
    inbox = Inbox()
    with smtp_server(inbox, tls_context=tls.server_context, require_starttls=True) as server:
        url = f"smtp://127.0.0.1:{server.port}?starttls=true&ca_file={tls.ca_file}"
        send_email(settings(url), message())
    assert inbox.only_message()["X-Slaclock-Delivery"] == "d_7f3a91"


def test_implicit_tls_delivery(tls: Tls) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=tls.server_context) as server:
        send_email(settings(f"smtps://127.0.0.1:{server.port}?ca_file={tls.ca_file}"), message())
    assert inbox.only_message()["Message-ID"] == "<d_7f3a91@example.com>"


def test_tls_verify_false_accepts_an_unknown_certificate(tls: Tls) -> None:
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=tls.server_context) as server:
        send_email(settings(f"smtps://127.0.0.1:{server.port}?tls_verify=false"), message())
    assert len(inbox.envelopes) == 1


@pytest.mark.parametrize("case", ["unknown CA", "another name"])
def test_a_certificate_that_does_not_verify_is_permanent(
    case: str, tls: Tls, tls_for_another_name: Tls
) -> None:
    served, query = {
        "unknown CA": (tls, ""),  # the system's CAs do not know the throwaway one
        "another name": (tls_for_another_name, f"?ca_file={tls_for_another_name.ca_file}"),
    }[case]
    inbox = Inbox()
    with smtp_server(inbox, ssl_context=served.server_context) as server:
        error = failure(settings(f"smtps://127.0.0.1:{server.port}{query}"), message())
    assert not error.retryable
    assert "certificate" in error.reason
    assert inbox.envelopes == []


def test_starttls_required_but_not_offered_is_permanent_and_sends_nothing() -> None:
    inbox = Inbox()
    with smtp_server(inbox) as server:
        error = failure(settings(f"smtp://127.0.0.1:{server.port}?starttls=true"), message())
    assert not error.retryable
    assert "STARTTLS" in error.reason
    assert inbox.envelopes == []


@contextmanager
def auth_server(inbox: Inbox, tls: Tls, password: str) -> Iterator[SmtpSettings]:
    """A server that wants STARTTLS and AUTH; the settings to log in with ``password``."""
    with smtp_server(
        inbox,
        authenticator=_check_password,
        auth_required=True,
        tls_context=tls.server_context,
        require_starttls=True,
    ) as server:
        yield settings(
            f"smtp://{USER}:{_quoted(password)}@127.0.0.1:{server.port}"
            f"?starttls=true&ca_file={tls.ca_file}"
        )


def test_auth_with_the_right_password(tls: Tls) -> None:
    inbox = Inbox()
    with auth_server(inbox, tls, PASSWORD) as configured:
        send_email(configured, message())
    assert inbox.only_message()["X-Slaclock-Delivery"] == "d_7f3a91"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_auth_over_plain_smtp_when_the_server_allows_it() -> None:
    inbox = Inbox()
    with smtp_server(
        inbox, authenticator=_check_password, auth_required=True, auth_require_tls=False
    ) as server:
        send_email(
            settings(f"smtp://{USER}:{_quoted(PASSWORD)}@127.0.0.1:{server.port}"), message()
        )
    assert len(inbox.envelopes) == 1


def test_auth_with_a_wrong_password_is_permanent_and_never_shows_it(tls: Tls) -> None:
    inbox = Inbox()
    with auth_server(inbox, tls, WRONG_PASSWORD) as configured:
        error = failure(configured, message())
    assert not error.retryable
    assert "535" in error.reason and "user name or password" in error.reason
    for shown in (error.reason, str(error), repr(error), repr(error.args)):
        assert WRONG_PASSWORD not in shown
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    ("stage", "reply", "retryable"),
    [
        ("MAIL", "452 4.3.1 Insufficient system storage", True),
        ("RCPT", "450 4.2.1 Mailbox busy", True),
        ("RCPT", "451 4.7.1 Greylisted, please try again later", True),
        ("DATA", "451 4.3.0 Local error in processing", True),
        ("DATA", "421 4.3.2 Service shutting down", True),
        ("MAIL", "553 5.7.1 Sender address rejected", False),
        ("RCPT", "550 5.1.1 No such user here", False),
        ("RCPT", "553 5.1.3 Bad recipient address syntax", False),
        ("DATA", "554 5.7.1 Message rejected as spam", False),
    ],
)
def test_a_server_reply_decides_whether_to_retry(stage: str, reply: str, retryable: bool) -> None:
    inbox = Inbox(stage, reply)
    with smtp_server(inbox) as server:
        error = failure(settings(f"smtp://127.0.0.1:{server.port}"), message())
    assert error.retryable is retryable
    assert error.retry_after is None
    assert reply in error.reason  # the code and the server's words
    assert inbox.envelopes == []


def test_a_message_accepted_for_some_recipients_only_is_permanent() -> None:
    inbox = Inbox(refuse={"bob@example.com": "550 5.1.1 No such user here"})
    mail = message()
    mail["Cc"] = "bob@example.com"
    with smtp_server(inbox) as server:
        error = failure(settings(f"smtp://127.0.0.1:{server.port}"), mail)
    assert not error.retryable
    assert "accepted for some recipients" in error.reason
    assert "bob@example.com: 550 5.1.1 No such user here" in error.reason
    assert inbox.envelopes[0].rcpt_tos == ["ana@example.ro"]


def test_a_closed_port_is_retryable() -> None:
    port = free_port()
    error = failure(settings(f"smtp://127.0.0.1:{port}"), message())
    assert error.retryable
    assert f"127.0.0.1:{port}" in error.reason and "refused" in error.reason


def test_a_silent_server_times_out_retryably() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # the kernel completes the connection; no greeting ever comes
        port = listener.getsockname()[1]
        error = failure(settings(f"smtp://127.0.0.1:{port}"), message(), timeout=0.2)
    assert error.retryable
    assert "no answer within 0.2 s" in error.reason


def test_a_server_that_hangs_up_is_retryable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def hang_up() -> None:
            connection, _ = listener.accept()
            connection.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        error = failure(settings(f"smtp://127.0.0.1:{port}"), message())
        thread.join()
    assert error.retryable
    assert "closed the connection" in error.reason


def test_a_message_without_recipient_is_a_programming_error() -> None:
    mail = message()
    del mail["To"]
    with pytest.raises(ValueError, match="no recipient"):
        send_email(settings("smtp://127.0.0.1:25"), mail)


def test_an_unreadable_ca_file_fails_permanently_without_connecting(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("not a certificate\n")
    configured = settings(f"smtps://127.0.0.1:{free_port()}?ca_file={ca_file}")
    error = failure(configured, message())
    assert not error.retryable
    assert "CA file" in error.reason


# -- the message ----------------------------------------------------------------------


def test_the_message_id_is_stable_across_retries() -> None:
    first = message("d_42")
    again = build_email(
        "d_42", TO, SUBJECT, TEXT, HTML, settings("smtp://h"), now=NOW + timedelta(hours=3)
    )
    assert first["Message-ID"] == again["Message-ID"] == "<d_42@example.com>"
    assert first["Date"] != again["Date"]


def test_headers_are_ascii_and_decode_back() -> None:
    raw = message().as_bytes()
    assert raw.isascii()
    head = raw.split(b"\n\n", 1)[0].decode()
    assert "=?utf-8?" in head  # RFC 2047 words for ș, ü and ø
    got = message_from_bytes(raw, policy=default_policy)
    assert str(got["Subject"]) == SUBJECT
    assert got["Date"] == format_datetime(NOW)


def test_the_date_is_the_given_instant_in_its_offset() -> None:
    oslo = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    mail = build_email("d_1", TO, "s", "t", None, settings("smtp://h"), now=oslo)
    assert mail["Date"] == "Mon, 02 Mar 2026 10:00:00 +0100"
    assert mail["Date"].datetime == NOW


def test_an_internationalised_sender_domain_is_sent_as_idna() -> None:
    configured = settings("smtp://h", mail_from="Slaclock <sla@støtte.no>")
    assert configured.mail_from_address == "sla@xn--sttte-wua.no"
    mail = build_email("d_1", "kari@blåbær.no", "s", "t", None, configured, now=NOW)
    assert mail["Message-ID"] == "<d_1@xn--sttte-wua.no>"
    assert mail["To"].addresses[0].domain == "xn--blbr-roah.no"


def test_a_line_break_in_the_subject_becomes_a_space() -> None:
    mail = build_email(
        "d_1", TO, "T-1\r\nBcc: eve@example.com", "t", None, settings("smtp://h"), now=NOW
    )
    assert str(mail["Subject"]) == "T-1 Bcc: eve@example.com"
    assert mail["Bcc"] is None


def test_extra_headers_are_added() -> None:
    mail = message(extra_headers={"References": "<t-1@example.com>", "List-Id": "SLA <sla>"})
    assert mail["References"] == "<t-1@example.com>"
    assert mail["List-Id"] == "SLA <sla>"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"now": datetime(2026, 3, 2, 9, 0)}, "timezone-aware"),
        ({"delivery_id": ""}, "delivery id"),
        ({"delivery_id": "d 1"}, "delivery id"),
        ({"delivery_id": "<d1>"}, "delivery id"),
        ({"delivery_id": "d..1"}, "delivery id"),
        ({"delivery_id": "d_1\nBcc: x@y"}, "delivery id"),
        ({"to": ""}, "to: expected one address"),
        ({"to": "a@example.com, b@example.com"}, "to: expected one address"),
        ({"to": "not an address"}, "to: not a valid address"),
        ({"to": "Ana <ana@>"}, "to: not a valid address"),
        ({"to": "ș@example.ro"}, "to: the part before '@' must be ASCII"),
        ({"extra_headers": {"Message-ID": "<x@y>"}}, "build_email sets it"),
        ({"extra_headers": {"bcc": "eve@example.com"}}, "build_email sets it"),
        ({"extra_headers": {"X Bad": "1"}}, "not a header name"),
        ({"extra_headers": {"X-Note": "a\r\nBcc: eve@example.com"}}, "line break"),
    ],
)
def test_build_email_rejects(change: dict[str, Any], expected: str) -> None:
    arguments: dict[str, Any] = {
        "delivery_id": "d_1",
        "to": TO,
        "subject": "s",
        "text": "t",
        "html": None,
        "settings": settings("smtp://h"),
        "now": NOW,
    }
    with pytest.raises(ValueError, match=expected):
        build_email(**(arguments | change))


# -- settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 25, "plain", None, None)),
        ("SMTP://Mail.Example.COM:2525/", ("mail.example.com", 2525, "plain", None, None)),
        (
            "smtp://u:p@mail.example.com?starttls=true",
            ("mail.example.com", 587, "starttls", "u", "p"),
        ),
        (
            "smtp://mail.example.com:25?starttls=yes",
            ("mail.example.com", 25, "starttls", None, None),
        ),
        ("smtp://mail.example.com?starttls=false", ("mail.example.com", 25, "plain", None, None)),
        ("smtps://mail.example.com", ("mail.example.com", 465, "tls", None, None)),
        ("smtps://u:p@mail.example.com:4650", ("mail.example.com", 4650, "tls", "u", "p")),
        ("smtp://[::1]:2525", ("::1", 2525, "plain", None, None)),
        (
            "smtp://anna%40example.com:s3cret%3Ap%40ss%2Fword%20x@h",
            ("h", 25, "plain", "anna@example.com", "s3cret:p@ss/word x"),
        ),
    ],
)
def test_settings_forms(url: str, expected: tuple[Any, ...]) -> None:
    found = settings(url)
    assert (found.host, found.port, found.security, found.username, found.password) == expected
    assert found.timeout == 30.0
    assert found.tls_verify is True and found.ca_file is None


def test_settings_options(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("")
    found = settings(f"smtps://h?timeout=2.5&tls_verify=false&ca_file={ca_file}")
    assert (found.timeout, found.tls_verify, found.ca_file) == (2.5, False, str(ca_file))
    assert settings("smtp://h?starttls=TRUE&tls_verify=true").security == "starttls"


@pytest.mark.parametrize(
    ("mail_from", "name", "address"),
    [
        ("sla@example.com", "", "sla@example.com"),
        ("  Slaclock <sla@example.com>  ", "Slaclock", "sla@example.com"),
        ("Slaclock Støtte <sla@støtte.no>", "Slaclock Støtte", "sla@xn--sttte-wua.no"),
        ('"Support, EU" <sla@example.com>', "Support, EU", "sla@example.com"),
    ],
)
def test_mail_from_forms(mail_from: str, name: str, address: str) -> None:
    found = settings("smtp://h", mail_from=mail_from)
    assert (found.mail_from_name, found.mail_from_address) == (name, address)
    assert found.sender.display_name == name


@pytest.mark.parametrize("environ", [{}, {"SLACLOCK_SMTP_URL": ""}, {"SLACLOCK_SMTP_URL": " "}])
def test_no_smtp_url_no_email_channel(environ: dict[str, str]) -> None:
    assert smtp_settings(environ | {"SLACLOCK_MAIL_FROM": "sla@example.com"}) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mail.example.com", "expected smtp://"),
        ("http://mail.example.com", "unknown scheme 'http'"),
        ("smtp://", "the host is missing"),
        ("smtp://h:port", "the port must be a whole number"),
        ("smtp://h:99999", "the port must be a whole number"),
        ("smtp://h:0", "the port must be a whole number"),
        ("smtp://[::1", "not a valid URL"),
        ("smtp://h/path", "a path is not allowed"),
        ("smtp://h#x", "'#' part is not allowed"),
        ("smtp://h?starttls=maybe", "starttls: expected true or false, not 'maybe'"),
        ("smtp://h?starttls", "starttls: expected true or false"),
        ("smtp://h?timeout=0", "timeout: expected a number of seconds > 0"),
        ("smtp://h?timeout=-1", "timeout: expected a number of seconds > 0"),
        ("smtp://h?timeout=inf", "timeout: expected a number of seconds > 0"),
        ("smtp://h?timeout=soon", "timeout: expected a number of seconds, not 'soon'"),
        ("smtp://h?timeout=1&timeout=2", "option 'timeout' is given twice"),
        ("smtp://h?tls=true", "unknown option 'tls'"),
        ("smtps://h?starttls=true", "starttls=true does not apply to smtps://"),
        ("smtp://h?tls_verify=false", "apply only with smtps:// or starttls=true"),
        ("smtps://h?ca_file=/no/such/ca.pem", "ca_file: no such file '/no/such/ca.pem'"),
        ("smtp://hunter2@h", "a user name without a password"),
        ("smtp://:hunter2@h", "a password without a user name"),
        ("smtp://anna:hunter2ș@h", "must be ASCII"),
        ("smtp://anna:hunter2%C8%99@h", "must be ASCII"),
        ("smtp://anna:hunter2/x@h", "percent-encoded"),
        ("smtp://anna:hunter2?x@h", "percent-encoded"),
        ("smtp://anna:hunter2#x@h", "percent-encoded"),
        ("smtp://anna:hunter2", "the port must be a whole number"),  # forgot the host
        ("smtp://anna:hunter2@h:x", "the port must be a whole number"),
    ],
)
def test_bad_smtp_url(url: str, expected: str) -> None:
    with pytest.raises(ValueError) as caught:
        smtp_settings({"SLACLOCK_SMTP_URL": url, "SLACLOCK_MAIL_FROM": "sla@example.com"})
    text = str(caught.value)
    assert text.startswith("SLACLOCK_SMTP_URL: ")
    assert expected in text
    assert "hunter2" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("mail_from", "expected"),
    [
        (None, "required when SLACLOCK_SMTP_URL is set"),
        ("", "required when SLACLOCK_SMTP_URL is set"),
        ("slaclock", "not a valid address"),
        ("a@example.com, b@example.com", "expected one address"),
        ("Slaclock <sla@>", "not a valid address"),
        ("ș@example.ro", "the part before '@' must be ASCII"),
    ],
)
def test_bad_mail_from(mail_from: str | None, expected: str) -> None:
    environ = {"SLACLOCK_SMTP_URL": "smtp://h"}
    if mail_from is not None:
        environ["SLACLOCK_MAIL_FROM"] = mail_from
    with pytest.raises(ValueError, match=expected) as caught:
        smtp_settings(environ)
    assert str(caught.value).startswith("SLACLOCK_MAIL_FROM: ")


def test_the_password_is_hidden_in_repr() -> None:
    found = settings(f"smtp://{USER}:{_quoted(PASSWORD)}@h")
    for shown in (repr(found), str(found), f"{found}", repr([found])):
        assert PASSWORD not in shown and _quoted(PASSWORD) not in shown
        assert "password='***'" in shown
    assert "password=None" in repr(settings("smtp://h"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"security": "ssl"}, "security must be one of"),
        ({"host": ""}, "host is missing"),
        ({"port": 70000}, "from 1 to 65535"),
        ({"timeout": 0.0}, "timeout"),
        ({"username": "anna"}, "both a user name and a password"),
        ({"tls_verify": False}, "apply only with"),
        ({"mail_from_address": "sla"}, "sender address"),
    ],
)
def test_settings_built_by_hand_are_checked(change: dict[str, Any], expected: str) -> None:
    arguments: dict[str, Any] = {
        "host": "h",
        "port": 25,
        "security": "plain",
        "mail_from_address": "sla@example.com",
    }
    with pytest.raises(ValueError, match=expected):
        SmtpSettings(**(arguments | change))


# -- the shared error -----------------------------------------------------------------


def test_delivery_error_fields_and_pickling() -> None:
    error = DeliveryError("429 slow down", True, retry_after=30.0)
    assert (error.reason, error.retryable, error.retry_after) == ("429 slow down", True, 30.0)
    assert str(error) == "429 slow down"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.reason, copy.retryable, copy.retry_after) == ("429 slow down", True, 30.0)


@pytest.mark.parametrize(
    ("retryable", "retry_after"), [(False, 10.0), (True, -1.0), (True, float("nan"))]
)
def test_delivery_error_rejects_a_meaningless_retry_after(
    retryable: bool, retry_after: float
) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        DeliveryError("x", retryable, retry_after)
