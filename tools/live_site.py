"""A site a real browser can open: uvicorn on 127.0.0.1 in a thread, and Debian's chromium.

Shared by the browser tests (``tests/browser``) and ``tools/screenshots.py``::

    with LiveServer(create_site(services, clock.now)) as server:
        browser = launch_chromium(playwright)
        page = browser.new_page(base_url=server.url)

Playwright's own browser download (``playwright install``) cannot run here: the browser
is Debian's package ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it
when it is missing), started headless from :data:`CHROMIUM`.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

__all__ = ["CHROMIUM", "LiveServer", "chromium_missing", "launch_chromium"]

#: Debian's chromium (package ``chromium``).
CHROMIUM = Path("/usr/bin/chromium")
#: Small containers have a small /dev/shm; chromium then crashes on large pages.
CHROMIUM_ARGS = ("--disable-dev-shm-usage", "--disable-gpu", "--no-first-run")


def chromium_missing() -> str | None:
    """Why the browser cannot run here (chromium or Playwright missing), else None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian package `chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (the dev extra)"
    return None


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, headless, driven by ``playwright`` (a started sync_playwright)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )


class LiveServer:
    """``app`` served by uvicorn on 127.0.0.1, on a free port, in a daemon thread.

    The socket is bound before the thread starts, so the port cannot be taken in
    between; :attr:`url` is the site's base address. Use it as a context manager (or
    :meth:`start` and :meth:`stop`).
    """

    def __init__(self, app: Any, *, start_timeout: float = 10.0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True,
            name=f"live-site-{self.port}",
        )  # fmt: skip
        self._start_timeout = start_timeout

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the live site did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
