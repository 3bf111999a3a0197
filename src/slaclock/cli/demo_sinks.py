"""Where ``slaclock demo`` delivers notifications: a local SMTP server and a local
webhook receiver that keep what arrives as files a person can open.

Mails land in ``var/demo-inbox/mail/`` (one ``.eml`` each: any mail client opens it)
and webhook bodies in ``var/demo-inbox/webhooks/`` (one ``.json`` each, with the
delivery id and signature header beside the body). Both listen on 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["DemoSinks", "start_sinks"]


@dataclass
class DemoSinks:
    """The running sinks: their addresses and a ``stop``."""

    smtp_url: str
    webhook_port: int
    folder: Path
    _stoppers: list[Any]

    def stop(self) -> None:
        for stop in self._stoppers:
            stop()


def start_sinks(folder: Path, webhook_port: int) -> DemoSinks:
    """Start both sinks (the SMTP one on a free port); files go under ``folder``."""
    from aiosmtpd.controller import Controller

    mail, hooks = folder / "mail", folder / "webhooks"
    for place in (mail, hooks):
        place.mkdir(parents=True, exist_ok=True)
    numbers = itertools.count(1)

    class KeepMail:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            to = "_".join(envelope.rcpt_tos)[:80].replace("/", "_")
            (mail / f"{next(numbers):05d}-{to}.eml").write_bytes(envelope.original_content)
            return "250 OK"

    smtp = Controller(KeepMail(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    server = ThreadingHTTPServer(("127.0.0.1", webhook_port), _receiver(hooks, numbers))
    threading.Thread(target=server.serve_forever, name="demo-webhooks", daemon=True).start()
    return DemoSinks(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}",
        webhook_port=server.server_address[1],
        folder=folder,
        _stoppers=[smtp.stop, server.shutdown],
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _receiver(folder: Path, numbers: Any) -> type[BaseHTTPRequestHandler]:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            kept = {
                "path": self.path,
                "delivery": self.headers.get("X-Slaclock-Delivery"),
                "signature": self.headers.get("X-Slaclock-Signature"),
                "body": body,
            }
            name = f"{next(numbers):05d}-{kept['delivery'] or 'unknown'}.json"
            (folder / name).write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n")
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Receiver
