"""``/ack/{token}``: the acknowledgement link of a breach or escalation message.

The signed link is the credential (``slaclock.service.acknowledgements``): opening it
shows what it acknowledges and one button; the button posts the form (same-origin
check, as the sign-in form), which records ``sla.acknowledged`` by the person the
message went to. Opening the link alone changes nothing — mail scanners follow links.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from slaclock.service.acknowledgements import ACK_SECRET_ENV, AckClaim, read_ack_token
from slaclock.web.pages import make_page, render
from slaclock.web.session import is_same_origin

__all__ = ["router"]

router = APIRouter()


@router.get("/ack/{token}")
def ack_form(request: Request, token: str) -> Response:
    page = make_page(request, None, None)
    claim = _claim(request, token)
    if isinstance(claim, str):
        return render(request, page, "error.html", 404, status=404, message=claim)
    return render(request, page, "ack.html", claim=claim, token=token, done=False)


@router.post("/ack/{token}")
async def ack(request: Request, token: str) -> Response:
    page = make_page(request, None, None)
    if not is_same_origin(request):
        message = page.gettext("This form was sent from another site.")
        return render(request, page, "error.html", 403, status=403, message=message)
    claim = _claim(request, token)
    if isinstance(claim, str):
        return render(request, page, "error.html", 404, status=404, message=claim)
    ctx = request.app.state.ctx
    instance = (claim.kind, claim.metric, claim.cycle)
    try:
        await run_in_threadpool(
            ctx.services.acknowledge, claim.ticket, instance, claim.person, ctx.now(),
            "ack-link",
        )  # fmt: skip
    except LookupError as exc:
        return render(request, page, "error.html", 404, status=404, message=str(exc.args[0]))
    return render(request, page, "ack.html", claim=claim, token=token, done=True)


def _claim(request: Request, token: str) -> AckClaim | str:
    """The link's claim, or why it is refused (in words for the page)."""
    ctx = request.app.state.ctx
    secret = ctx.environ.get(ACK_SECRET_ENV)
    if not secret:
        return "acknowledgement links are not enabled here"
    try:
        return read_ack_token(secret, token, ctx.now())
    except ValueError as exc:
        return str(exc)
