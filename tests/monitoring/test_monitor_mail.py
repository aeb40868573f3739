"""The monitor end to end (N-SEC-4): a subsystem down for N runs is raised once, pushed, and
mailed once through a real SMTP server (aiosmtpd), with a retry after a temporary refusal."""

from __future__ import annotations

import asyncio
import email
import email.policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP
from sqlmodel import select

from realtime.monitoring.models import Alert
from realtime.monitoring.subsystem import Monitor
from tests.support.app import make_app, make_settings

RECIPIENTS = ["kanshi@city.example.jp", "sv@callcenter.example.jp"]


class Handler:
    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.rcpt_calls = 0
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_calls += 1
        if self.rcpt_calls <= self.refuse:
            return "451 4.3.0 temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


async def _scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handler: Handler) -> Any:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("MADOGUCHI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MADOGUCHI_SMTP_PORT", str(port))
    monkeypatch.setenv("MADOGUCHI_REPORT_FROM", "center@callcenter.example.jp")
    monkeypatch.setenv("MADOGUCHI_MONITOR_ALERT_RECIPIENTS", ",".join(RECIPIENTS))
    monkeypatch.setenv("MADOGUCHI_MONITOR_DOWN_AFTER_RUNS", "2")
    monkeypatch.setenv("MADOGUCHI_MONITOR_MAIL_RETRY_SECONDS", "[0.0, 0.0]")
    monkeypatch.setenv("MADOGUCHI_MONITOR_DISK_MIN_FREE_BYTES", "0")
    monkeypatch.setenv("MADOGUCHI_MONITOR_DISK_MIN_FREE_PERCENT", "0")
    app = make_app(make_settings(tmp_path))
    monitor: Monitor = app.ctx.extras["monitor"]
    pushed: list[tuple[str, str, Any]] = []

    async def capture(name: str, data: Any, *, namespace: str, room: str | None = None) -> None:
        pushed.append((name, namespace, data))

    monkeypatch.setattr(app.ctx.hub, "emit", capture)

    async def switch_down() -> None:
        raise ConnectionError("FreeSWITCH does not answer")

    app.ctx.readiness.add("switch", switch_down)
    try:
        runs = [await monitor.run_rules_once() for _ in range(4)]
        sent = [await monitor.mail_once() for _ in range(3)]
        with app.ctx.db.session() as session:
            alerts = list(session.exec(select(Alert)))
        return runs, sent, alerts, pushed
    finally:
        server.close()
        await server.wait_closed()
        app.ctx.db.dispose()


@pytest.mark.req("N-SEC-4", "N-REL-1")
def test_subsystem_down_is_raised_once_pushed_and_mailed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Handler(refuse=0)
    runs, sent, alerts, pushed = asyncio.run(_scenario(tmp_path, monkeypatch, handler))
    assert [len(r.raised) for r in runs] == [0, 1, 0, 0]  # down after 2 runs, then no storm
    assert sent == [1, 0, 0]
    (alert,) = [a for a in alerts if a.kind == "subsystem_down"]
    assert alert.subject == "switch"
    assert alert.mail_state == "sent"
    assert alert.mail_attempts == 1
    assert [(n, ns) for n, ns, _ in pushed if n == "alert"] == [
        ("alert", "/supervisor"),
        ("alert", "/admin"),
    ]
    assert len(handler.messages) == 1
    rcpt, raw = handler.messages[0]
    assert sorted(rcpt) == sorted(RECIPIENTS)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert "サブシステム停止" in str(msg["Subject"])
    assert "重大" in str(msg["Subject"])
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    assert "サブシステム「switch」が応答しません" in body.get_content()


@pytest.mark.req("N-SEC-4", "N-REL-1")
def test_a_temporary_smtp_refusal_is_retried_and_the_alert_mailed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = Handler(refuse=len(RECIPIENTS))  # every recipient refused on the first attempt
    _runs, sent, alerts, _pushed = asyncio.run(_scenario(tmp_path, monkeypatch, handler))
    (alert,) = [a for a in alerts if a.kind == "subsystem_down"]
    assert sent == [0, 1, 0]
    assert alert.mail_state == "sent"
    assert alert.mail_attempts == 2
    assert len(handler.messages) == 1
