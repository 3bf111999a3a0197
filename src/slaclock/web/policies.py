"""``/policies``: the configuration in force, readable; a new version checked, compared
and saved (admins); and a what-if of a draft over past tickets.

Every signed-in role that may see the dashboard reads the configuration (an ingest
token gets the 403 page). Only admins see the forms, and the posts check the role
again after the CSRF token: ``/policies/check`` validates a draft as ``PUT
/api/v1/config`` does and shows its problems at their lines, or its diff against the
version in force; ``/policies/save`` stores it through the same service call
(``Services.config_apply``), with the version it was checked against, so a version
saved in between is never overwritten unseen; ``/policies/whatif`` starts the API's
what-if job (``service/whatif_jobs.py``), whose page refreshes itself until it is done.
The handlers are thin: the tables come from ``policy_view``, the checks and diffs from
``config_draft``, the job's figures from ``whatif_view``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from slaclock.api.query import reject_nul_characters
from slaclock.core.errors import ConfigError
from slaclock.service.config_versions import ConfigConflict
from slaclock.service.reports import ReportError, report_instant
from slaclock.service.views import ConfigVersion
from slaclock.service.whatif_jobs import JobsBusy, jobs_of, start_what_if
from slaclock.web.config_draft import check_draft, diff_rows, listing, normalise, parse_diff
from slaclock.web.pages import Page, render
from slaclock.web.policy_view import config_sections
from slaclock.web.policy_words import PolicyWords
from slaclock.web.reader import ReaderDep, Text, error_page, gate, now_of, services_of
from slaclock.web.routes import _is_count
from slaclock.web.session import CSRF_FIELD, Viewer, csrf_accepted, csrf_token, set_csrf_cookie
from slaclock.web.whatif_view import job_values

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_nul_characters)])

#: A form here carries a whole configuration (1 MiB at most), percent-encoded: up to
#: three bytes sent per byte of text, and a few short fields.
MAX_FORM_BYTES = 3 * 1024 * 1024 + 8192
#: The what-if window when none is given: the last 90 days, today included.
WHATIF_DAYS = 90
#: Versions listed on the page, newest first.
VERSIONS_SHOWN = 20
#: Seconds between two looks at a running what-if job (the page without JavaScript).
REFRESH_SECONDS = 2


# ---------------------------------------------------------------------- helpers


def _with_csrf(request: Request, response: Response, token: str, new: bool) -> Response:
    if new:
        set_csrf_cookie(response, token, request)
    return response


def _version_facts(page: Page, entry: ConfigVersion | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "number": entry.version,
        "author": entry.author,
        "at": page.fmt.instant(entry.created_at, "medium"),
        "url": f"/policies/versions/{entry.version}",
    }


def _window(page: Page, now: datetime) -> tuple[str, str]:
    """The default what-if window: the last 90 days in the viewer's zone, today included."""
    today = now.astimezone(page.fmt.tz).date()
    return (today - timedelta(days=WHATIF_DAYS - 1)).isoformat(), (
        today + timedelta(days=1)
    ).isoformat()


class _Refused(Exception):
    """A post that is not accepted: the response says why."""

    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


async def _admin_post(request: Request) -> tuple[Viewer, Page, dict[str, str]]:
    """A form post's viewer, page and fields, once signed in, within the size cap, from
    one of our pages (CSRF) and by an admin; else :class:`_Refused`."""
    found = gate(request, None, None)
    if isinstance(found, Response):
        raise _Refused(found)
    viewer, _, page = found
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        message = page.gettext("The form is too large: a configuration may be at most 1 MiB.")
        raise _Refused(error_page(request, page, 413, message, viewer))
    try:
        fields = parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=16, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        message = page.gettext("The form could not be read (it must be UTF-8 text).")
        raise _Refused(error_page(request, page, 400, message, viewer)) from None
    form = {name: values[0] for name, values in fields.items()}
    if not csrf_accepted(request, form.get(CSRF_FIELD)):
        message = page.gettext("This form was sent from another site.")
        raise _Refused(error_page(request, page, 403, message, viewer))
    if viewer.role != "admin":
        raise _Refused(
            error_page(request, page, 403, page.gettext("Only an admin may do this."), viewer)
        )
    return viewer, page, form


def _refuse_non_admin(request: Request, page: Page, viewer: Viewer) -> Response | None:
    if viewer.role == "admin":
        return None
    return error_page(request, page, 403, page.gettext("Only an admin may do this."), viewer)


# ------------------------------------------------------------------ the reading


@router.get("/policies")
def policies(request: Request, reader: ReaderDep, saved: Text = None) -> Response:
    """The configuration in force as tables and sentences; its versions."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services, now = reader.services, reader.now
    version, _, config = services.config_current()
    versions = services.config_versions()
    current = next((v for v in reversed(versions) if v.version == version), None)
    note = None
    if _is_count(saved):
        note = page.gettext("Saved as version %(version)s.") % {"version": saved}
    return render(
        request,
        page,
        "policies.html",
        directory=directory,
        viewer=viewer,
        now_text=page.fmt.instant(now, "medium"),
        note=note,
        version=_version_facts(page, current),
        is_admin=viewer.role == "admin",
        versions=[_version_facts(page, v) for v in reversed(versions[-VERSIONS_SHOWN:])],
        more_versions=max(0, len(versions) - VERSIONS_SHOWN),
        **config_sections(config, now, PolicyWords(page.locale, page.gettext, config)),
    )


@router.get("/policies/versions/{number}")
def version_changes(request: Request, reader: ReaderDep, number: str) -> Response:
    """What one version changed against the one before it."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    services = reader.services
    versions = {v.version: v for v in services.config_versions()}
    wanted = int(number) if _is_count(number) and len(number) < 10 else None
    if wanted not in versions:
        message = page.gettext("There is no configuration version %(version)s.") % {
            "version": number
        }
        return error_page(request, page, 404, message, viewer)
    assert wanted is not None
    return render(
        request,
        page,
        "policies_version.html",
        directory=directory,
        viewer=viewer,
        version=_version_facts(page, versions[wanted]),
        previous=wanted - 1,
        newer=wanted + 1 if wanted + 1 in versions else None,
        diff=parse_diff(services.config_diff(wanted - 1, wanted)),
        json_url=f"/api/v1/config/diff?from={wanted - 1}&to={wanted}",
    )


# ------------------------------------------------------------------ the editing


def _edit_page(
    request: Request,
    viewer: Viewer,
    page: Page,
    text: str,
    base: int,
    status_code: int = 200,
    **values: Any,
) -> Response:
    """The edit page: the draft in its textarea, with what the last step found."""
    token, new = csrf_token(request)
    start, end = _window(page, now_of(request))
    values.setdefault("problems", None)
    values.setdefault("lines", None)
    values.setdefault("diff", None)
    values.setdefault("error", None)
    values.setdefault("whatif_from", start)
    values.setdefault("whatif_to", end)
    response = render(
        request,
        page,
        "policies_edit.html",
        status_code,
        viewer=viewer,
        csrf=token,
        text=text,
        base=base,
        next_version=base + 1,
        **values,
    )
    return _with_csrf(request, response, token, new)


@router.get("/policies/edit")
def edit(request: Request, reader: ReaderDep) -> Response:
    """The text in force in a form, to change or replace by a file (admins)."""
    viewer, page = reader.viewer, reader.page
    refused = _refuse_non_admin(request, page, viewer)
    if refused is not None:
        return refused
    version, text, _ = services_of(request).config_current()
    return _edit_page(request, viewer, page, text, version)


def _checked(
    request: Request,
    viewer: Viewer,
    page: Page,
    text: str,
    status_code: int | None = None,
    **values: Any,
) -> Response:
    """The draft checked: its problems at their lines (nothing saved), or its diff
    against the version in force (the base a save will name) with the save and
    what-if forms."""
    version, current_text, _ = services_of(request).config_current()
    checked = check_draft(text)
    if checked.problems:
        values.update(problems=checked.problems, lines=listing(text, checked.problems))
    else:
        values.update(diff=diff_rows(current_text, text, version, version + 1))
    status = status_code or (422 if checked.problems else 200)
    return _edit_page(request, viewer, page, text, version, status, **values)


@router.post("/policies/check")
async def check(request: Request) -> Response:
    """Validate a draft as the API does; its problems, or its changes (admins)."""
    try:
        viewer, page, form = await _admin_post(request)
    except _Refused as refused:
        return refused.response
    text = normalise(form.get("text", ""))
    return await run_in_threadpool(_checked, request, viewer, page, text)


@router.post("/policies/save")
async def save(request: Request) -> Response:
    """Store a checked draft as the next version, unless another came first (admins)."""
    try:
        viewer, page, form = await _admin_post(request)
    except _Refused as refused:
        return refused.response
    services = services_of(request)
    text = normalise(form.get("text", ""))
    base = form.get("base", "")
    if not (_is_count(base) and len(base) < 10):
        message = page.gettext("The form has no version to save on; check the draft again.")
        return _edit_page(request, viewer, page, text, 0, 400, error=message)
    try:
        version = await run_in_threadpool(
            services.config_apply, text, viewer.name, now_of(request), int(base)
        )
    except ConfigError:
        return await run_in_threadpool(_checked, request, viewer, page, text)
    except ConfigConflict as conflict:
        latest = services.config_versions()[-1]
        message = page.gettext(
            "Not saved: the configuration changed since you checked this draft. Version "
            "%(version)s was saved by %(author)s at %(time)s. Below, your draft compared "
            "with version %(version)s: save it only if it should replace those changes."
        ) % {
            "version": conflict.current,
            "author": latest.author,
            "time": page.fmt.instant(latest.created_at, "medium"),
        }
        return await run_in_threadpool(_checked, request, viewer, page, text, 409, error=message)
    return RedirectResponse(f"/policies?saved={version}", status_code=303)


# --------------------------------------------------------------------- what-if


@router.post("/policies/whatif")
async def whatif(request: Request) -> Response:
    """Start a what-if of the draft over a window; then its page (admins)."""
    try:
        viewer, page, form = await _admin_post(request)
    except _Refused as refused:
        return refused.response
    services, now = services_of(request), now_of(request)
    text = normalise(form.get("text", ""))
    start_text, end_text = form.get("from", "").strip(), form.get("to", "").strip()
    window = {"whatif_from": start_text, "whatif_to": end_text}
    try:
        start = report_instant(start_text, "from", page.tz_name)
        end = report_instant(end_text, "to", page.tz_name)
        job = await run_in_threadpool(
            start_what_if, services, text, start, end, now, request.app.state.ctx.now
        )
    except ConfigError:
        return await run_in_threadpool(_checked, request, viewer, page, text, None, **window)
    except (ReportError, JobsBusy) as exc:
        status = 429 if isinstance(exc, JobsBusy) else 400
        return await run_in_threadpool(
            _checked, request, viewer, page, text, status, error=str(exc), **window
        )
    return RedirectResponse(f"/policies/whatif/{quote(job.id, safe='')}", status_code=303)


@router.get("/policies/whatif/{job_id}")
def whatif_job(request: Request, reader: ReaderDep, job_id: str) -> Response:
    """A what-if job: its progress while it runs, then its result (admins)."""
    viewer, directory, page = reader.viewer, reader.directory, reader.page
    refused = _refuse_non_admin(request, page, viewer)
    if refused is not None:
        return refused
    job = jobs_of(services_of(request)).get(job_id)
    if job is None:
        message = page.gettext(
            "There is no what-if job %(id)s here (jobs are kept a while, in the server "
            "process that ran them)."
        ) % {"id": job_id}
        return error_page(request, page, 404, message, viewer)
    return render(
        request,
        page,
        "policies_whatif.html",
        directory=directory,
        viewer=viewer,
        job=job_values(page, job),
        refresh_seconds=REFRESH_SECONDS,
        here=request.url.path,
    )
