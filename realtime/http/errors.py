"""Turn exceptions into responses: the error id and a Japanese message, nothing internal.

API paths (``/api/``) and JSON clients get JSON; browsers get a page. Sign-in problems on pages
redirect to the sign-in screen. Refusals (4xx other than 404/405 and form mistakes) are audited.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from realtime.audit import service as audit
from realtime.errors import (
    Conflict,
    InvalidCredentials,
    InvalidTotp,
    MadoguchiError,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    SecondFactorRequired,
    ValidationFailed,
)
from realtime.http.context import client_ip, context_of

log = logging.getLogger("madoguchi.errors")

# Refusals that the services audit themselves, or that are ordinary mistakes.
_NOT_AUDITED = (
    NotFound,
    MethodNotAllowed,
    ValidationFailed,
    Conflict,
    InvalidCredentials,
    InvalidTotp,
)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def handle_madoguchi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MadoguchiError)
    ctx = context_of(request)
    ctx.extras["metrics"].rejections.labels(error=exc.error_id).inc()
    if exc.status_code == 503 and exc.temporary:
        # Temporarily unavailable (e.g. no switch leader): not a fault; the id tells the client.
        log.warning("%s on %s", exc.error_id, request.url.path)
    elif exc.status_code >= 500:
        return await handle_unexpected(request, exc)
    if not isinstance(exc, _NOT_AUDITED):
        await _audit_rejection(request, exc)
    if not wants_json(request) and request.method == "GET":
        if isinstance(exc, SecondFactorRequired):
            return RedirectResponse("/signin/totp", status_code=303)
        if isinstance(exc, NotAuthenticated):
            target = quote(request.url.path, safe="/")
            return RedirectResponse(f"/signin?next={target}", status_code=303)
    if wants_json(request):
        return JSONResponse(exc.public(), status_code=exc.status_code)
    return render_error_page(request, exc.status_code, exc.message, exc.error_id)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    mapped: MadoguchiError = MethodNotAllowed() if exc.status_code == 405 else NotFound()
    return await handle_madoguchi_error(request, mapped)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A fault: logged with a reference the user can quote; the client sees nothing else."""
    ref = secrets.token_hex(4)
    log.exception("unhandled error ref=%s path=%s", ref, request.url.path, exc_info=exc)
    message = f"システムエラーが発生しました（参照番号 {ref}）。時間をおいて再度お試しください。"
    if wants_json(request):
        return JSONResponse({"error": "internal-error", "message": message}, status_code=500)
    return render_error_page(request, 500, message, "internal-error")


def render_error_page(request: Request, status: int, message: str, error_id: str) -> Response:
    ctx = context_of(request)
    return ctx.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "error_id": error_id, "principal": None},
        status_code=status,
    )


async def _audit_rejection(request: Request, exc: MadoguchiError) -> None:
    ctx = context_of(request)
    principal = request.scope.get("state", {}).get("principal")
    actor = principal.username if principal is not None else "-"

    def write() -> None:
        with ctx.db.session() as session:
            audit.record(
                session,
                actor=actor,
                action="request-rejected",
                outcome="denied",
                target=f"{request.method} {request.url.path}"[:255],
                ip=client_ip(request),
                detail={"error": exc.error_id},
            )

    await ctx.db.run(write)
