"""The half-yearly personal-data compliance report (個人情報特記事項 第11条).

Every six months the contractor reports to the city how it kept the personal-data clauses. The
figures come from the system itself: what personal data it holds now (crm/pii/inventory.py),
what it erased in the period (the disposal log, call-backs closed), who opened personal data
(the audit log), and the security events (alerts, the audit chain's check). The text the
contractor adds (training, site checks) is theirs; this report is the part the system can vouch
for. ``madoguchi report privacy --from --to --out``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from crm.workqueue.models import WorkItem
from inbox.fax.models import FaxDocument
from inbox.models import InboxMessage, InboxParsed
from inbox.reply.models import OutboxMail
from mediastore.recordings.models import Recording
from mediastore.retention.models import DisposalRecord
from mediastore.transcripts.models import TranscriptSegment
from realtime.audit import service as audit
from realtime.audit.models import AuditEntry
from realtime.monitoring.models import Alert
from realtime.timeutil import JST

ACCESS_ACTIONS: dict[str, str] = {
    "recording.play": "録音の再生",
    "recording.download": "録音のダウンロード",
    "recording.transcribe": "録音の文字起こし",
    "callback-number-shown": "折り返し先番号の表示",
    "callback-dialled": "折り返し架電",
    "inbox-quarantine-released": "隔離された添付ファイルの解除",
}
"""Audited actions that open a citizen's personal data."""

SECURITY_KINDS: dict[str, str] = {
    "audit_chain": "監査ログの改ざん検知",
    "signin_failures": "サインイン失敗の多発",
}


@dataclass
class PrivacyReport:
    """The figures of one period (JST days, both ends included)."""

    first_day: dt.date
    last_day: dt.date
    held: list[tuple[str, int]]
    erased: list[tuple[str, int]]
    access: list[tuple[str, str, int]]
    security: list[tuple[str, int]]
    audit_intact: bool
    audit_entries: int
    notes: list[str] = field(default_factory=list)


def _bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=JST)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=JST)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _count(session: Session, stmt: object) -> int:
    return int(session.exec(stmt).one())  # type: ignore[call-overload]


def build(session: Session, *, first_day: dt.date, last_day: dt.date) -> PrivacyReport:
    """Gather the period's figures from the database."""
    start, end = _bounds(first_day, last_day)
    count = func.count()

    def rows(model: type[SQLModel], *where: Any) -> int:
        return _count(session, select(count).select_from(model).where(*where))

    held = [
        (
            "折り返し架電の電話番号（未完了の依頼）",
            rows(WorkItem, col(WorkItem.callback_number_enc).is_not(None)),
        ),
        ("受信メール（差出人・本文・添付、暗号化）", rows(InboxMessage)),
        ("受信メールの解析結果（暗号化）", rows(InboxParsed)),
        ("返信メール（暗号化）", rows(OutboxMail)),
        ("受信FAX（送信元・画像、暗号化）", rows(FaxDocument)),
        ("通話録音（暗号化）", rows(Recording, col(Recording.deleted_at).is_(None))),
        ("文字起こし（個人情報をマスク済み）の区間", rows(TranscriptSegment)),
    ]
    disposals = session.exec(
        select(DisposalRecord.rule)
        .where(col(DisposalRecord.erased_at) >= start)
        .where(col(DisposalRecord.erased_at) < end)
    ).all()
    by_rule = Counter(disposals)
    erased = [
        (
            "通話録音（保存期間の経過）",
            sum(n for rule, n in by_rule.items() if rule.startswith("retention:")),
        ),
        ("通話録音（理由を付けた手動削除）", by_rule.get("manual", 0)),
        ("通話録音（障害で残った未登録ファイル）", by_rule.get("orphan", 0)),
        (
            "受信メール・FAX（保存期間の経過）",
            sum(n for rule, n in by_rule.items() if rule.startswith("inbox:")),
        ),
        (
            "折り返し架電の電話番号（対応完了で消去）",
            rows(
                WorkItem,
                col(WorkItem.kind) == "callback",
                col(WorkItem.callback_number_enc).is_(None),
                col(WorkItem.completed_at) >= start,
                col(WorkItem.completed_at) < end,
            ),
        ),
    ]
    opened = session.exec(
        select(AuditEntry.action, AuditEntry.actor)
        .where(col(AuditEntry.at) >= start)
        .where(col(AuditEntry.at) < end)
        .where(col(AuditEntry.action).in_(list(ACCESS_ACTIONS)))
    ).all()
    access = sorted(
        ((ACCESS_ACTIONS[action], actor, n) for (action, actor), n in Counter(opened).items()),
        key=lambda r: (r[0], -r[2], r[1]),
    )
    alerts = session.exec(
        select(Alert.kind)
        .where(col(Alert.raised_at) >= start)
        .where(col(Alert.raised_at) < end)
        .where(col(Alert.kind).in_(list(SECURITY_KINDS)))
    ).all()
    by_kind = Counter(alerts)
    security = [(label, by_kind.get(kind, 0)) for kind, label in SECURITY_KINDS.items()]
    entries = rows(AuditEntry, col(AuditEntry.at) >= start, col(AuditEntry.at) < end)
    return PrivacyReport(
        first_day=first_day,
        last_day=last_day,
        held=held,
        erased=erased,
        access=access,
        security=security,
        audit_intact=audit.verify(session).ok,
        audit_entries=entries,
    )


def render(report: PrivacyReport) -> str:
    """The report as Markdown, in Japanese (it goes to the city)."""
    lines = [
        "# 個人情報特記事項の遵守に関する報告書（システム記録）",
        "",
        f"- 対象期間: {report.first_day.isoformat()} 〜 {report.last_day.isoformat()}（日本時間）",
        "- 取り扱う個人情報の種類: 氏名・住所・性別・年齢・相談内容・電話番号・FAX番号・"
        "メールアドレス（保管場所と保護の方法は docs/personal-data.md）",
        "",
        "## 1. 保管している個人情報（作成時点）",
        "",
        "| 保管場所 | 件数 |",
        "|---|---:|",
        *[f"| {label} | {n:,} |" for label, n in report.held],
        "",
        "## 2. 期間中に消去した個人情報",
        "",
        "| 内容 | 件数 |",
        "|---|---:|",
        *[f"| {label} | {n:,} |" for label, n in report.erased],
        "",
        "## 3. 個人情報を開いた操作（監査ログ）",
        "",
    ]
    if report.access:
        lines += ["| 操作 | 利用者 | 回数 |", "|---|---|---:|"]
        lines += [f"| {label} | {actor} | {n:,} |" for label, actor, n in report.access]
    else:
        lines.append("期間中の記録はありません。")
    lines += [
        "",
        "## 4. 複写・持ち出し",
        "",
        "システムが作る複写は暗号化したバックアップ（市の承認した保存先）のみで、外部への送信は"
        "ありません。データの書き出し（madoguchi export csv）は契約終了時の引き渡しに限ります。",
        "",
        "## 5. セキュリティ上の事象",
        "",
        "| 事象 | 件数 |",
        "|---|---:|",
        *[f"| {label} | {n:,} |" for label, n in report.security],
        "",
        f"監査ログ: 期間中 {report.audit_entries:,} 件。改ざん検査（ハッシュチェーン）の結果: "
        + ("異常なし" if report.audit_intact else "**異常あり（インシデント対応手順に従うこと）**"),
        "",
    ]
    return "\n".join(lines)
