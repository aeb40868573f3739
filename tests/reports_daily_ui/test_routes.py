"""The daily-report JSON routes and page in-process: each action, validation, the version check,
sending to an aiosmtpd relay on loopback, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from cms.reports.dailyview import MAX_FIELD_CHARS
from realtime.audit.models import AuditEntry
from realtime.timeutil import JST, utcnow
from tests.cms_kpi.builders import DAY
from tests.reports_daily_ui.conftest import mail_to
from tests.reports_daily_ui.relay import RECIPIENTS, Handler, PermanentRefusal, relay_on_loopback

URL = f"/api/reports/daily/{DAY.isoformat()}"
TEXTS = {
    "complaints": "待ち時間が長いとのご意見が2件ありました。",
    "handoff_topics": "保険年金課への取次ぎが午前に集中。",
    "situation": "午前中に入電が集中しました。",
    "covid_status": "ワクチン接種証明の問合せが3件。",
    "user_voices": "案内が分かりやすかったとの声。",
    "suspicious_calls": "区職員を名乗る還付金の電話について1件。",
}


def _actions(app: Any) -> list[tuple[str, str, str]]:
    with app.ctx.db.session() as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("report.daily."))
            .order_by(col(AuditEntry.seq))
        )
        return [(e.action, e.actor, e.outcome) for e in rows]


@pytest.mark.req("R-DAILY")
def test_supervisor_lists_recent_reports_and_reads_numbers_and_texts(signed_in: Any) -> None:
    sv = signed_in("sv")
    listing = sv.get("/api/reports/daily")
    assert listing.status_code == 200
    [line] = listing.json()["reports"]
    assert line["day"] == DAY.isoformat()
    assert (line["status"], line["status_label"]) == ("draft", "下書き")
    assert line["calls_received"] == 7
    report = sv.get(URL).json()["report"]
    assert report["numbers"]["calls_received"] == 7
    assert report["numbers"]["calls_answered"] == 4
    assert report["numbers"]["total_inquiries"] == 9
    assert report["texts"] == dict.fromkeys(TEXTS, "")
    assert report["editable"] is True
    assert [h["label"] for h in report["history"]] == ["下書き作成（①集計）"]
    assert report["history"][0]["actor"] == "system:daily-report"


@pytest.mark.req("R-DAILY")
def test_saving_texts_stores_them_changes_the_version_and_is_audited(
    signed_in: Any, seeded: Any
) -> None:
    sv = signed_in("sv")
    before = sv.get(URL).json()["report"]["version"]
    saved = sv.post(URL + "/texts", {"fields": TEXTS, "version": before})
    assert saved.status_code == 200, saved.text
    report = saved.json()["report"]
    assert report["texts"] == TEXTS
    assert report["edited_by"] == "sv"
    assert report["version"] != before
    assert report["history"][-1]["label"] == "記入・保存"
    assert "② 主なクレーム・課題等" in report["history"][-1]["detail"]
    assert _actions(seeded)[-1] == ("report.daily.edited", "sv", "success")


@pytest.mark.req("R-DAILY", "N-PRIV-1")
def test_wrong_texts_get_a_japanese_message_per_field(signed_in: Any) -> None:
    sv = signed_in("sv")
    version = sv.get(URL).json()["report"]["version"]
    bad = sv.post(
        URL + "/texts",
        {
            "fields": {
                "complaints": "あ" * (MAX_FIELD_CHARS + 1),
                "situation": 12,
                "covid_status": "ベル\x07",
                "nonsense": "x",
            },
            "version": version,
        },
    )
    assert bad.status_code == 422
    fields = bad.json()["fields"]
    assert fields["complaints"] == (
        f"② 主なクレーム・課題等は{MAX_FIELD_CHARS}文字以内で入力してください"
        f"（現在{MAX_FIELD_CHARS + 1}文字）。"
    )
    assert "文字で入力" in fields["situation"]
    assert "制御文字" in fields["covid_status"]
    assert fields["nonsense"] == "この項目は日報にありません。"
    assert sv.post(URL + "/texts", {"fields": {}}).status_code == 422
    pii = sv.post(URL + "/texts", {"fields": {"user_voices": "電話 090-1234-5678 の方から"}})
    assert pii.status_code == 422
    assert pii.json()["error"] == "personal-data-found"
    assert "電話・FAX番号" in pii.json()["fields"]["user_voices"]
    assert sv.get(URL).json()["report"]["texts"]["user_voices"] == ""
    assert sv.get(URL).json()["report"]["version"] == version


@pytest.mark.req("R-DAILY")
def test_a_stale_version_is_refused_so_one_supervisor_cannot_overwrite_another(
    signed_in: Any,
) -> None:
    sv, sv2 = signed_in("sv"), signed_in("sv2")
    seen = sv.get(URL).json()["report"]["version"]
    assert sv2.post(URL + "/texts", {"fields": {"situation": "A"}, "version": seen}).is_success
    late = sv.post(URL + "/texts", {"fields": {"situation": "B"}, "version": seen})
    assert late.status_code == 409
    assert late.json()["error"] == "daily-report-changed"
    assert "他の人が更新しました" in late.json()["message"]
    assert sv.post(URL + "/approve", {"version": seen}).status_code == 409
    assert sv.get(URL).json()["report"]["texts"]["situation"] == "A"


@pytest.mark.req("R-DAILY")
def test_a_past_day_can_be_drafted_and_redrafted_but_not_today_or_after_approval(
    signed_in: Any, seeded: Any
) -> None:
    sv = signed_in("sv")
    other = DAY - dt.timedelta(days=1)
    made = sv.post(f"/api/reports/daily/{other.isoformat()}/draft")
    assert made.status_code == 201, made.text
    assert made.json()["report"]["numbers"]["calls_received"] == 0
    again = sv.post(URL + "/draft", {"version": sv.get(URL).json()["report"]["version"]})
    assert again.status_code == 200
    assert again.json()["report"]["numbers"]["calls_received"] == 7
    today = utcnow().astimezone(JST).date().isoformat()
    refused = sv.post(f"/api/reports/daily/{today}/draft")
    assert refused.status_code == 422
    assert "昨日以前" in refused.json()["fields"]["day"]
    assert sv.post("/api/reports/daily/2026-13-40/draft").status_code == 422
    assert sv.get("/api/reports/daily/2026-10-01").status_code == 404
    assert sv.post(URL + "/approve").status_code == 200
    assert sv.post(URL + "/draft").json()["error"] == "daily-report-state"
    assert [a for a, _, _ in _actions(seeded)].count("report.daily.drafted") == 3


@pytest.mark.req("R-DAILY")
def test_approval_freezes_the_texts(signed_in: Any, seeded: Any) -> None:
    sv = signed_in("sv")
    sv.post(URL + "/texts", {"fields": TEXTS})
    approved = sv.post(URL + "/approve", {"version": sv.get(URL).json()["report"]["version"]})
    assert approved.status_code == 200
    report = approved.json()["report"]
    assert (report["status"], report["editable"]) == ("approved", False)
    assert report["history"][-1]["actor"] == "sv"
    frozen = sv.post(URL + "/texts", {"fields": {"situation": "後から変更"}})
    assert frozen.status_code == 409
    assert frozen.json()["error"] == "daily-report-state"
    assert sv.post(URL + "/approve").status_code == 409
    assert ("report.daily.approved", "sv", "success") in _actions(seeded)


@pytest.mark.req("R-DAILY")
def test_sending_mails_the_report_with_text_and_html_to_the_relay(
    signed_in: Any, seeded: Any
) -> None:
    sv = signed_in("sv")
    sv.post(URL + "/texts", {"fields": TEXTS})
    sv.post(URL + "/approve")
    with relay_on_loopback(Handler(refuse=0)) as relay:
        seeded.ctx.extras["report_mail"] = mail_to(relay.port)
        sent = sv.post(URL + "/send", {"version": sv.get(URL).json()["report"]["version"]})
        assert sent.status_code == 200, sent.text
        [(rcpts, msg)] = relay.messages()
    report = sent.json()["report"]
    assert report["status"] == "sent"
    assert report["sent_at"]
    assert report["history"][-1]["label"] == "送信"
    assert sorted(rcpts) == sorted(RECIPIENTS)
    assert msg["Subject"] == "コールセンター日報 2026年11月2日（月）"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "着信件数: 7件" in text.get_content()
    assert "還付金" in text.get_content()
    assert "保険年金課" in html.get_content()
    assert sv.post(URL + "/send").status_code == 409  # sent once; never twice
    assert _actions(seeded)[-1] == ("report.daily.sent", "sv", "success")


@pytest.mark.req("R-DAILY")
def test_a_refused_send_is_shown_in_japanese_kept_approved_and_can_be_resent(
    signed_in: Any, seeded: Any
) -> None:
    sv = signed_in("sv")
    sv.post(URL + "/approve")
    with relay_on_loopback(PermanentRefusal(refuse=len(RECIPIENTS))) as relay:
        seeded.ctx.extras["report_mail"] = mail_to(relay.port)
        failed = sv.post(URL + "/send")
        assert failed.status_code == 502
        body = failed.json()
        assert body["error"] == "report-mail-failed"
        assert body["message"].startswith("日報のメール送信に失敗しました")
        assert body["report"]["status"] == "failed"
        assert body["report"]["status_label"] == "送信失敗（再送できます）"
        assert "550" in body["report"]["last_error"]
        assert sv.get("/api/reports/daily").json()["reports"][0]["status"] == "failed"
        resent = sv.post(URL + "/send", {"version": body["report"]["version"]})
        assert resent.status_code == 200, resent.text
        assert resent.json()["report"]["status"] == "sent"
        assert len(relay.messages()) == 1
    assert [(a, o) for a, _, o in _actions(seeded)][-2:] == [
        ("report.daily.sent", "failure"),
        ("report.daily.sent", "success"),
    ]


@pytest.mark.req("R-DAILY")
def test_sending_without_a_mail_server_configured_says_what_is_missing(
    signed_in: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MADOGUCHI_SMTP_HOST", "MADOGUCHI_REPORT_FROM", "MADOGUCHI_REPORT_RECIPIENTS"):
        monkeypatch.delenv(name, raising=False)
    sv = signed_in("sv")
    sv.post(URL + "/approve")
    refused = sv.post(URL + "/send")
    assert refused.status_code == 422
    assert refused.json()["message"] == "日報の送信先またはメールサーバーが設定されていません。"
    assert sv.get(URL).json()["report"]["status"] == "approved"


@pytest.mark.req("R-DAILY", "N-SEC-1")
def test_readers_may_look_but_only_supervisors_change_and_others_are_refused(
    signed_in: Any, seeded: Any
) -> None:
    city, op = signed_in("city"), signed_in("op")
    assert city.get(URL).status_code == 200
    assert city.get("/api/reports/daily").status_code == 200
    for action in ("texts", "draft", "approve", "send"):
        denied = city.post(f"{URL}/{action}", {"fields": {"situation": "x"}})
        assert denied.status_code == 403, action
        assert denied.json()["error"] == "permission-denied"
    assert op.get(URL).status_code == 403
    assert op.get("/api/reports/daily").status_code == 403
    assert op.post(URL + "/approve").status_code == 403
    with TestClient(seeded, base_url="http://testserver") as anonymous:
        refused = anonymous.get(URL, headers={"Accept": "application/json"})
        assert refused.status_code == 401
    assert city.get(URL).json()["report"]["state"] == "draft"
    assert not [a for a in _actions(seeded) if a[1] in ("city", "op")]


@pytest.mark.req("R-DAILY", "N-USE-1")
def test_the_page_shows_the_report_and_controls_for_the_supervisor_only(
    signed_in: Any,
) -> None:
    sv, city = signed_in("sv"), signed_in("city")
    page = sv.http.get(f"/reports/daily?day={DAY.isoformat()}")
    assert page.status_code == 200
    html = page.text
    assert "2026年11月2日の日報" in html
    assert 'data-number="calls_received">7件' in html
    assert 'id="approve-btn"' in html
    assert 'id="send-btn"' in html
    assert "② 主なクレーム・課題等" in html
    assert "不審電話情報" in html
    assert "<kbd>Alt</kbd>+<kbd>S</kbd>" in html
    assert '<a href="/reports/daily">日報</a>' in sv.http.get("/").text
    reader = city.http.get(f"/reports/daily?day={DAY.isoformat()}").text
    assert 'id="approve-btn"' not in reader
    assert "閲覧のみ" in reader
    assert sv.http.get("/reports/daily?day=11/02").status_code == 422
    missing = sv.http.get("/reports/daily?day=2026-10-01").text
    assert "この日の日報はまだありません" in missing
    assert 'id="draft-btn"' in missing
