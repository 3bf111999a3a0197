"""RFC 9457 problem details: every error the API returns has this one shape.

One function per source of error maps it to a :class:`Problem`; :func:`install` wires
them as the app's exception handlers so no route builds an error response by hand.
An unexpected exception still answers problem+json (500) rather than a bare text page,
but the tests make sure no input reaches it.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from slaclock.api.roles import methods_for
from slaclock.core.errors import ConfigError, EventError, SlaclockError

__all__ = ["PROBLEM_MEDIA_TYPE", "Problem", "install", "json_safe", "problem_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://slaclock.dev/problems/"
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error to send as problem+json; ``extensions`` become extra members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.headers = headers
        self.extensions = extensions


def json_safe(value: Any) -> Any:
    """``value`` with what JSON in UTF-8 cannot carry made printable: a lone surrogate
    becomes its escape (``\\udfff``), a NaN or infinite float its name. Problems and
    ingest answers echo the input they refuse, and echoing must not fail."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    """The one place a problem becomes an HTTP response."""
    title = HTTPStatus(problem.status).phrase
    slug = problem.slug or title.lower().replace(" ", "-")
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
        **problem.extensions,
    }
    return JSONResponse(
        json_safe(body),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def _from_http(exc: StarletteHTTPException) -> Problem:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no such endpoint"
    headers = dict(exc.headers) if exc.headers else None
    return Problem(exc.status_code, detail, headers=headers)


def _method_not_allowed(request: Request) -> Problem:
    """405 with ``Allow`` listing every method of the path, not just one route's."""
    allowed = methods_for(request.url.path)
    detail = f"{request.method} is not served here; allowed: {', '.join(allowed)}"
    return Problem(405, detail, slug="method-not-allowed", headers={"Allow": ", ".join(allowed)})


def _from_validation(exc: RequestValidationError) -> Problem:
    errors = [
        {
            "location": ".".join(str(part) for part in err.get("loc", ())),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid request"
    return Problem(422, detail, slug="invalid-request", errors=errors)


def config_problem(exc: ConfigError) -> Problem:
    """Configuration errors list the same messages as ``slaclock validate``."""
    problems = [
        {
            "path": p.path,
            "line": p.line,
            "message": p.message,
            "value": None if p.value is None else repr(p.value),
            "text": str(p),
        }
        for p in exc.problems
    ]
    return Problem(422, str(exc), slug="invalid-configuration", errors=problems)


def install(app: FastAPI) -> None:
    """Map every exception to problem+json, once for the whole app."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            return problem_response(request, _method_not_allowed(request))
        return problem_response(request, _from_http(exc))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(request, _from_validation(exc))

    async def on_config(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConfigError)
        return problem_response(request, config_problem(exc))

    async def on_slaclock(request: Request, exc: Exception) -> JSONResponse:
        slug = "invalid-event" if isinstance(exc, EventError) else "invalid-input"
        return problem_response(request, Problem(422, str(exc), slug=slug))

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, Problem(500, "internal error; see the server log"))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ConfigError, on_config)
    app.add_exception_handler(SlaclockError, on_slaclock)
    app.add_exception_handler(Exception, on_unexpected)
