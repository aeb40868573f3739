from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

from cms.reports.daily import approve_daily, draft_daily, edit_daily, get_daily, send_daily
from cms.reports.errors import DailyReportState, MailSendFailed
from cms.reports.mailconfig import ReportMailSettings
from cms.service import append_many
from crm.pii.guard import PersonalDataFound
from realtime.audit.models import AuditEntry
from tests.cms_kpi.builders import DAY, LATER, standard_day

RECIPIENTS = ["soudan@city.example.jp", "kacho@city.example.jp"]


class Handler:
    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.messages: list[tuple[list[str], bytes]] = []
        self.rcpt_calls = 0

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


async def _send_via_real_server(session: Any, handler: Handler) -> Any:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    mail = ReportMailSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        report_from="center@callcenter.example.jp",
        report_recipients=",".join(RECIPIENTS),
        retry_delays=(0.01, 0.02),
        timeout=10,
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    try:
        return await send_daily(session, day=DAY, actor="sv1", mail=mail, sleep=sleep), waits
    finally:
        server.close()
        await server.wait_closed()


def _ready(session: Any) -> None:
    append_many(session, events=standard_day().events)
    draft_daily(session, day=DAY, actor="system", now=LATER)
    edit_daily(
        session,
        day=DAY,
        actor="sv1",
        fields={
            "complaints": "待ち時間が長いとのご意見が2件ありました。",
            "situation": "午前中に入電が集中しました。",
            "user_voices": "案内が分かりやすかったとの声。",
            "suspicious_calls": "区職員を名乗る還付金の電話について1件。",
        },
    )
    approve_daily(session, day=DAY, actor="sv1")


@pytest.mark.req("R-DAILY")
def test_daily_report_is_mailed_with_text_html_chart_and_japanese_subject(session):
    _ready(session)
    handler = Handler(refuse=0)
    row, waits = asyncio.run(_send_via_real_server(session, handler))
    assert row.state == "sent"
    assert waits == []
    assert len(handler.messages) == 1
    rcpts, raw = handler.messages[0]
    assert sorted(rcpts) == sorted(RECIPIENTS)
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # encoded-word subject
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "コールセンター日報 2026年11月2日（月）"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None
    assert html is not None
    body = text.get_content()
    assert "着信件数: 7件" in body
    assert "応答件数: 4件" in body
    assert "問合せ受付総数: 9件" in body
    assert "新型コロナ専用ダイヤル 着信件数: 2件" in body
    assert "還付金" in body
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    png = images[0].get_content()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    cid = images[0]["Content-ID"].strip("<>")
    assert f"cid:{cid}" in html.get_content()
    actions = [e.action for e in session.exec(__import__("sqlmodel").select(AuditEntry))]
    assert actions == [
        "report.daily.drafted",
        "report.daily.edited",
        "report.daily.approved",
        "report.daily.sent",
    ]


@pytest.mark.req("R-DAILY")
def test_temporary_smtp_refusal_is_retried_with_back_off(session):
    _ready(session)
    handler = Handler(refuse=3)  # attempt 1: both refused; 2: the first refused; 3: accepted
    row, waits = asyncio.run(_send_via_real_server(session, handler))
    assert row.state == "sent"
    assert row.send_attempts == 3
    assert waits == [0.01, 0.02]
    delivered = sorted(r for rcpts, _ in handler.messages for r in rcpts)
    assert delivered == sorted(RECIPIENTS)  # each exactly once


@pytest.mark.req("R-DAILY")
def test_persistent_refusal_keeps_the_report_approved_with_the_error(session):
    _ready(session)
    handler = Handler(refuse=100)
    with pytest.raises(MailSendFailed) as info:
        asyncio.run(_send_via_real_server(session, handler))
    assert info.value.attempts == 3
    row = get_daily(session, day=DAY)
    assert row.state == "approved"
    assert "451" in row.last_error
    assert handler.messages == []


@pytest.mark.req("R-DAILY")
def test_personal_data_in_narrative_is_refused_and_states_only_move_forward(session):
    append_many(session, events=standard_day().events)
    draft_daily(session, day=DAY, actor="system", now=LATER)
    with pytest.raises(PersonalDataFound):
        edit_daily(session, day=DAY, actor="sv1", fields={"user_voices": "電話 090-1234-5678 の方"})
    with pytest.raises(DailyReportState):
        asyncio.run(_send_via_real_server(session, Handler(refuse=0)))
    approve_daily(session, day=DAY, actor="sv1")
    with pytest.raises(DailyReportState):
        edit_daily(session, day=DAY, actor="sv1", fields={"situation": "x"})
    with pytest.raises(DailyReportState):
        draft_daily(session, day=DAY, actor="system", now=LATER)
