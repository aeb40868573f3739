"""The switch subsystem inside the app: readiness follows the ESL connection; metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from starlette.testclient import TestClient

from realtime.errors import ConfigurationError
from realtime.http.context import AppContext
from realtime.settings import Settings
from switch.subsystem import SwitchSubsystem, build
from tests.support.app import BACKGROUND, make_app, make_settings

DEADLINE = 15.0


def poll_readyz(client: TestClient, want: int) -> dict[str, object]:
    """GET /readyz until it answers ``want`` (the switch changes state on its own threads)."""
    end = time.monotonic() + DEADLINE
    while True:
        response = client.get("/readyz")
        if response.status_code == want:
            body: dict[str, object] = response.json()
            return body
        assert time.monotonic() < end, response.json()


def run_on_app_loop(client: TestClient, fn: Callable[[], None]) -> None:
    """Call ``fn`` on the app's event loop (the stand-in lives there)."""
    portal = client.portal
    assert portal is not None

    async def call() -> None:
        fn()

    portal.call(call)


@pytest.mark.req("N-REL-1")
def test_standin_switch_makes_readyz_follow_the_esl_connection(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, switch_mode="standin")
    app = make_app(settings)
    with TestClient(app) as client:
        body = poll_readyz(client, 200)
        assert body["checks"] == {"database": "ok", "switch": "ok", "monitor": "ok", **BACKGROUND}
        sub: SwitchSubsystem = app.ctx.extras["switch"]
        standin = sub.standin
        assert standin is not None

        def cut() -> None:
            standin.deny_acl()
            standin.drop_esl()

        run_on_app_loop(client, cut)
        body = poll_readyz(client, 503)
        assert body["checks"] == {
            "database": "ok",
            "switch": "unavailable",
            "monitor": "ok",
            **BACKGROUND,
        }
        run_on_app_loop(client, lambda: standin.deny_acl(False))
        poll_readyz(client, 200)
        text = generate_latest(app.ctx.extras["metrics"].registry).decode()
        assert "madoguchi_switch_reconnects_total 1.0" in text
        assert 'madoguchi_switch_connects_total{link="inbound"} 2.0' in text
        assert 'madoguchi_switch_disconnects_total{link="inbound"} 1.0' in text
        assert 'madoguchi_switch_reconciliations_total{link="inbound"} 2.0' in text
        assert 'madoguchi_switch_rude_rejections_total{link="inbound"}' in text
        assert "madoguchi_switch_connected 1.0" in text
        assert 'madoguchi_subsystem_ready{subsystem="switch"} 1.0' in text


@pytest.mark.req("N-REL-1")
def test_switch_is_off_by_default_and_without_a_password(tmp_path: Path) -> None:
    off = make_settings(tmp_path)
    assert off.switch_mode == "off"
    assert build(_ctx(off)) is None
    no_password = make_settings(tmp_path, switch_mode="freeswitch")
    assert build(_ctx(no_password)) is None
    real = make_settings(tmp_path, switch_mode="freeswitch", esl_password="s3cret-Pass")
    ctx = _ctx(real)
    sub = build(ctx)
    assert isinstance(sub, SwitchSubsystem)
    assert ctx.extras["switch"] is sub
    assert (sub.client.config.host, sub.client.config.port) == ("127.0.0.1", 8021)
    assert sub.standin is None


def test_production_refuses_the_standin(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as refused:
        make_settings(
            tmp_path,
            mode="production",
            switch_mode="standin",
            database_url="postgresql+psycopg://u:p@db/x",
            esl_password="s3cret-Pass",
            media_master_key="k" * 44,
            public_url="https://madoguchi.example.jp",
        )
    assert any("SWITCH_MODE" in item for item in refused.value.missing)


def _ctx(settings: Settings) -> AppContext:
    from realtime.app import build_context

    return build_context(settings)
