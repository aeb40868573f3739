"""CSRF protection: a signed double-submit token.

A random value lives in an HttpOnly cookie; pages carry HMAC(secret, value) in a hidden form
field, and scripts send it in the ``X-CSRF-Token`` header. A forged request cannot read the
cookie, so it cannot produce the token. The Origin header, when sent, must be our own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from realtime.errors import CsrfFailed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"


def token_for(secret: str, cookie_value: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), b"csrf:" + cookie_value.encode("ascii"), hashlib.sha256)
    return mac.hexdigest()


class CsrfCookieMiddleware:
    """Give every browser a CSRF cookie before any page renders a form."""

    def __init__(self, app: ASGIApp, *, cookie_name: str, secure: bool) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        value = request.cookies.get(self.cookie_name, "")
        fresh = not (16 <= len(value) <= 128 and value.isascii())
        if fresh:
            value = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_cookie"] = value

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                attrs = "Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if self.secure else "")
                cookie = f"{self.cookie_name}={value}; {attrs}"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode("latin-1")))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def page_token(request: Request, secret: str) -> str:
    """The token a page embeds in its forms."""
    return token_for(secret, request.state.csrf_cookie)


async def check(request: Request, *, secret: str, own_origin: str) -> None:
    """Raise :class:`CsrfFailed` unless a state-changing request proves it came from our page."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        allowed = {own_origin, f"{request.url.scheme}://{request.url.netloc}"}
        if _origin_of(origin) not in allowed:
            raise CsrfFailed(reason="origin", origin=origin[:100])
    cookie_value = request.cookies.get(request.app.state.ctx.csrf_cookie_name)
    if not cookie_value:
        raise CsrfFailed(reason="no-cookie")
    provided = request.headers.get(HEADER)
    if provided is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(FORM_FIELD)
            provided = value if isinstance(value, str) else None
    if not provided or not hmac.compare_digest(provided, token_for(secret, cookie_value)):
        raise CsrfFailed(reason="token")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
