"""What every request handler can reach: the app's services, built once per app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from realtime.auth.secretbox import SecretBox
from realtime.auth.service import SessionPolicy
from realtime.db import Database
from realtime.settings import Settings

if TYPE_CHECKING:
    from realtime.health import Readiness
    from realtime.hub.server import Hub

SESSION_COOKIE = "madoguchi_session"
CSRF_COOKIE = "madoguchi_csrf"


@dataclass
class AppContext:
    """The services of one app instance (no globals: tests build as many apps as they like)."""

    settings: Settings
    db: Database
    templates: Jinja2Templates
    hub: Hub
    readiness: Readiness
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def session_policy(self) -> SessionPolicy:
        s = self.settings
        return SessionPolicy(
            idle=timedelta(minutes=s.session_idle_minutes),
            absolute=timedelta(hours=s.session_absolute_hours),
            max_failures=s.login_max_failures,
            lockout=timedelta(minutes=s.login_lockout_minutes),
        )

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    def totp_box(self) -> SecretBox:
        return SecretBox(self.secret, purpose="totp-secret")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix pins the cookie to this host and path when served over TLS.
        return (
            f"__Host-{SESSION_COOKIE}" if self.settings.effective_cookie_secure else SESSION_COOKIE
        )

    @property
    def csrf_cookie_name(self) -> str:
        return f"__Host-{CSRF_COOKIE}" if self.settings.effective_cookie_secure else CSRF_COOKIE


def context_of(conn: HTTPConnection) -> AppContext:
    ctx: AppContext = conn.app.state.ctx
    return ctx


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else ""
