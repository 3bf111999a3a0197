"""Receivers on 127.0.0.1 for what the notification worker sends: an HTTP server that
records each webhook request (:func:`http_receiver`) and an SMTP server that keeps each
message (:func:`smtp_inbox`, aiosmtpd). Each runs in threads of the test's process,
on a port the system chose, for the length of a ``with`` block::

    @pytest.fixture
    def receiver() -> Iterator[HttpReceiver]:
        with http_receiver() as state:
            yield state
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

__all__ = [
    "HttpReceiver",
    "Received",
    "SmtpInbox",
    "free_port",
    "http_receiver",
    "smtp_inbox",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One request as it arrived: its time (``time.time()``), headers and body."""

    at: float
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class HttpReceiver:
    """A webhook receiver: records each POST whole in ``received``, in arrival order,
    and answers from ``script`` first ((status, headers), one per request), then
    ``status``. A request cut off before its whole body arrived (its sender killed
    mid-send) is only counted, in ``broken``, and gets no answer. Read ``received``
    under ``lock`` while requests may still arrive."""

    url: str = ""
    status: int = 200
    received: list[Received] = field(default_factory=list)
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    broken: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def http_receiver(status: int = 200) -> Iterator[HttpReceiver]:
    """An :class:`HttpReceiver` at ``http://127.0.0.1:<port>/hooks`` (its ``url``)
    that answers ``status`` unless scripted otherwise."""
    state = HttpReceiver(status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                length = int(self.headers["Content-Length"])
                raw = self.rfile.read(length)
            except (OSError, ValueError, TypeError):
                raw, length = b"", -1
            with state.lock:
                if len(raw) != length:
                    state.broken += 1
                    return
                state.received.append(Received(time.time(), dict(self.headers), raw))
                status, headers = state.script.pop(0) if state.script else (state.status, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status >= 200 and status not in (204, 304):  # these have no body to size
                self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class SmtpInbox:
    """An SMTP server's handler that accepts every message, except that it answers RCPT
    with the next of ``replies`` while there are any, and RCPT to an address in
    ``refuse_once`` once with the reply given there. ``port``: where it listens."""

    def __init__(self) -> None:
        self.port = 0
        self.replies: list[str] = []
        self.refuse_once: dict[str, str] = {}
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope,
                          address: str, options: Any) -> str:  # fmt: skip
        if self.replies:
            return self.replies.pop(0)
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> list[tuple[str, EmailMessage]]:
        """(address, message) of every message received, in order."""
        out = []
        for envelope in self.envelopes:
            assert isinstance(envelope.original_content, bytes)
            message = message_from_bytes(envelope.original_content, policy=default_policy)
            assert isinstance(message, EmailMessage)
            [address] = envelope.rcpt_tos
            out.append((address, message))
        return out

    def messages(self) -> dict[str, EmailMessage]:
        """The messages received, by recipient address (the last one to each)."""
        return dict(self.received())

    def addresses(self) -> list[str]:
        return sorted(address for address, _ in self.received())


@contextmanager
def smtp_inbox() -> Iterator[SmtpInbox]:
    """An :class:`SmtpInbox` listening on 127.0.0.1 (aiosmtpd)."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()
