"""What-if jobs: a what-if run in a thread of this process, whose progress can be read
(``POST /api/v1/whatif`` starts one, ``GET /api/v1/whatif/{id}`` reads it).

A small bounded registry per :class:`Services` (per process): at most
:data:`RUNNING_MAX` jobs run at once (another start is refused with :class:`JobsBusy`
until one ends), and at most :data:`JOBS_KEPT` are kept, the oldest finished ones
forgotten first. Jobs live in memory only: a restart forgets them, and with several
server processes a job is known to the process that started it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaclock.core.model import Config
from slaclock.service.app_state import Services
from slaclock.service.formats import iso_z
from slaclock.service.whatif import Progress, WhatIf, check_window, parse_draft, what_if

__all__ = [
    "JOBS_KEPT",
    "RUNNING_MAX",
    "JobView",
    "JobsBusy",
    "WhatIfJobs",
    "jobs_of",
    "start_what_if",
]

#: Jobs a process remembers (running ones are never forgotten).
JOBS_KEPT = 16
#: Jobs a process runs at once: each replays the whole window (a core's worth of work).
RUNNING_MAX = 2
log = logging.getLogger(__name__)


class JobsBusy(RuntimeError):
    """As many what-if jobs as allowed are running; try again when one has ended."""


@dataclass(frozen=True)
class JobView:
    """A job as read at one moment: ``state`` running, done or failed; ``done`` of
    ``total`` tickets replayed (``total`` None until the window's tickets are listed)."""

    id: str
    state: str
    created_at: datetime
    finished_at: datetime | None
    done: int
    total: int | None
    result: WhatIf | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "state": self.state,
            "created_at": iso_z(self.created_at),
            "finished_at": iso_z(self.finished_at),
            "progress": {"done": self.done, "total": self.total},
        }
        if self.error is not None:
            out["error"] = self.error
        if self.result is not None:
            out["result"] = self.result.to_json()
        return out


class _Job:
    def __init__(self, job_id: str, created_at: datetime) -> None:
        self.id = job_id
        self.created_at = created_at
        self.state = "running"
        self.finished_at: datetime | None = None
        self.done = 0
        self.total: int | None = None
        self.result: WhatIf | None = None
        self.error: str | None = None

    def view(self) -> JobView:
        return JobView(self.id, self.state, self.created_at, self.finished_at, self.done,
                       self.total, self.result, self.error)  # fmt: skip


class WhatIfJobs:
    """The jobs of one process (thread-safe)."""

    def __init__(self, kept: int = JOBS_KEPT, running_max: int = RUNNING_MAX) -> None:
        self.kept = kept
        self.running_max = running_max
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, work: Callable[[Progress], WhatIf], now: Callable[[], datetime]) -> JobView:
        """Run ``work(progress)`` in a new thread as a job; its view. JobsBusy when
        :attr:`running_max` jobs run already."""
        with self._lock:
            running = sum(1 for job in self._jobs.values() if job.state == "running")
            if running >= self.running_max:
                raise JobsBusy(
                    f"{running} what-if jobs are running (at most {self.running_max}); "
                    "try again when one has ended"
                )
            job = _Job("wi_" + secrets.token_urlsafe(12), now())
            self._jobs[job.id] = job
            self._forget_old()
            view = job.view()
        thread = threading.Thread(
            target=self._run, args=(job, work, now), name=f"slaclock-{job.id}", daemon=True
        )
        thread.start()
        return view

    def get(self, job_id: str) -> JobView | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.view()

    def _forget_old(self) -> None:
        """Drop the oldest finished jobs beyond :attr:`kept` (lock held)."""
        excess = len(self._jobs) - self.kept
        for job_id in [i for i, j in self._jobs.items() if j.state != "running"][: max(excess, 0)]:
            del self._jobs[job_id]

    def _run(
        self, job: _Job, work: Callable[[Progress], WhatIf], now: Callable[[], datetime]
    ) -> None:
        def progress(done: int, total: int) -> None:
            with self._lock:
                job.done, job.total = done, total

        try:
            result = work(progress)
        except Exception as exc:
            log.exception("what-if job %s failed", job.id)
            with self._lock:
                job.state, job.error, job.finished_at = "failed", f"{exc}", now()
            return
        with self._lock:
            job.state, job.result, job.finished_at = "done", result, now()


_REGISTRIES: weakref.WeakKeyDictionary[Services, WhatIfJobs] = weakref.WeakKeyDictionary()
_REGISTRIES_LOCK = threading.Lock()


def jobs_of(services: Services) -> WhatIfJobs:
    """The job registry of ``services`` (one per Services, made on first use)."""
    with _REGISTRIES_LOCK:
        jobs = _REGISTRIES.get(services)
        if jobs is None:
            jobs = _REGISTRIES[services] = WhatIfJobs()
        return jobs


def start_what_if(
    services: Services,
    draft: str | Config,
    start: datetime,
    end: datetime,
    as_of: datetime,
    now: Callable[[], datetime],
) -> JobView:
    """Validate the window (ReportError) and the draft (ConfigError, naming its
    problems) here, then start a what-if job on them (JobsBusy when too many run);
    the job's first view."""
    check_window(start, end, as_of)
    config = parse_draft(draft) if isinstance(draft, str) else draft

    def work(progress: Progress) -> WhatIf:
        return what_if(services, config, start, end, as_of, progress)

    return jobs_of(services).start(work, now)
