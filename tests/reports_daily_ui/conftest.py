from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from starlette.testclient import TestClient

from cms.reports.daily import draft_daily
from cms.reports.mailconfig import ReportMailSettings
from cms.service import append_many
from realtime.auth.permissions import Role
from tests.cms_kpi.builders import DAY, LATER, standard_day
from tests.reports_daily_ui.relay import RECIPIENTS
from tests.support.app import add_user, signin

SECRETS = {"sv": pyotp.random_base32(), "sv2": pyotp.random_base32()}


@pytest.fixture
def seeded(app: Any) -> Any:
    """An app whose log holds the standard day (2026-11-02) and its automatic draft, with a
    supervisor (sv, sv2), a city-staff reader and an operator."""
    with app.ctx.db.session() as session:
        append_many(session, events=standard_day().events)
        draft_daily(session, day=DAY, actor="system:daily-report", now=LATER)
    add_user(app, "sv", Role.SUPERVISOR, totp_secret=SECRETS["sv"])
    add_user(app, "sv2", Role.SUPERVISOR, totp_secret=SECRETS["sv2"])
    add_user(app, "city", Role.CITY_STAFF)
    add_user(app, "op", Role.OPERATOR)
    return app


class Client:
    """A signed-in TestClient that sends JSON with the CSRF header."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.http = client
        self.token = token

    def get(self, path: str) -> Any:
        return self.http.get(path, headers={"Accept": "application/json"})

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.http.post(
            path,
            json=body or {},
            headers={"X-CSRF-Token": self.token, "Accept": "application/json"},
        )


@pytest.fixture
def signed_in(seeded: Any) -> Iterator[Any]:
    """signed_in("sv") → a Client for that user (each user once per test)."""
    opened: list[TestClient] = []

    def make(username: str) -> Client:
        client = TestClient(seeded, base_url="http://testserver")
        client.__enter__()
        opened.append(client)
        return Client(client, signin(client, username, totp_secret=SECRETS.get(username)))

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def mail_to(port: int) -> ReportMailSettings:
    """Report mail settings pointing at a relay on loopback."""
    return ReportMailSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        report_from="center@callcenter.example.jp",
        report_recipients=",".join(RECIPIENTS),
        timeout=10,
    )
