"""The settings screens: what each is called, which audit actions it shows, its template."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Screen:
    """One settings screen under /admin/settings/<slug>."""

    slug: str
    title_ja: str
    summary_ja: str
    group_ja: str
    actions: tuple[str, ...]
    """Audit actions whose recent entries the page lists (who changed what, when)."""

    @property
    def path(self) -> str:
        return f"/admin/settings/{self.slug}"

    @property
    def template(self) -> str:
        return f"admin/{self.slug}.html"


PHONE = "電話（交換機・IVR・ACD）"
CRM = "CRM・ナレッジ"
OTHER = "メール・FAX、録音、報告"

SCREENS: tuple[Screen, ...] = (
    Screen(
        "lines",
        "回線と受付時間",
        "電話番号（DID）ごとの名称、最初のIVRメニュー、有人応対・交換・受付の時間帯",
        PHONE,
        ("callpath-line-saved", "callpath-line-deleted"),
    ),
    Screen(
        "closures",
        "休業日",
        "保守日・臨時休業など、管理者が追加する休業日（止めるサービスと回線）",
        PHONE,
        ("callpath-closure-added", "callpath-closure-deleted"),
    ),
    Screen(
        "menus",
        "IVRメニュー",
        "ガイダンス、番号ごとの行き先（メニュー・待ち行列・交換）、タイムアウトと再試行",
        PHONE,
        ("callpath-menu-saved", "callpath-menu-deleted"),
    ),
    Screen(
        "sounds",
        "ガイダンス音声",
        "IVRで流す録音（WAV）のアップロードと削除",
        PHONE,
        ("guidance-uploaded", "callpath-sound-deleted"),
    ),
    Screen(
        "queues",
        "待ち行列とスキル",
        "ACDの待ち行列、必要なスキルとレベル、優先度、あふれ先",
        PHONE,
        ("callpath-queue-saved", "callpath-queue-deleted"),
    ),
    Screen(
        "agents",
        "オペレーターの内線とスキル",
        "オペレーターごとの内線番号とスキルグループ・レベル",
        PHONE,
        ("callpath-agent-saved", "callpath-agent-deleted"),
    ),
    Screen(
        "emergency",
        "緊急時運用",
        "災害時などの緊急ガイダンス、転送先番号、災害用メニュー",
        PHONE,
        ("emergency-mode-on", "emergency-mode-off"),
    ),
    Screen(
        "faq",
        "FAQ",
        "FAQのCSV取込み、個別の編集と削除",
        CRM,
        ("faq-imported", "faq-entry-created", "faq-entry-changed", "faq-entry-deleted"),
    ),
    Screen(
        "scripts",
        "トークスクリプト",
        "業務種別・メニューごとの会話例、確認事項、引継ぎ基準（CSV取込みと編集）",
        CRM,
        ("talk-scripts-imported", "talk-script-created", "talk-script-changed"),
    ),
    Screen(
        "departments",
        "部署",
        "引継ぎ・転送先の部署一覧（CSV取込み、編集、削除）",
        CRM,
        ("departments-imported", "department-created", "department-changed", "department-deleted"),
    ),
    Screen(
        "rules",
        "メール・FAXの振り分け",
        "宛先・差出人・件名・FAX番号によるスキルへの自動振り分けルール",
        OTHER,
        ("inbox-sort-rule-created", "inbox-sort-rule-changed", "inbox-sort-rule-deleted"),
    ),
    Screen(
        "retention",
        "録音の保存期間",
        "回線・分類ごとの録音の保存日数（期間を過ぎた録音は削除されます）",
        OTHER,
        ("retention.policy.set", "retention.policy.delete"),
    ),
    Screen(
        "recipients",
        "日報の送付先",
        "日次報告をメールで送る区の担当者のアドレス",
        OTHER,
        ("report-recipient-added", "report-recipient-deleted"),
    ),
)

BY_SLUG = {s.slug: s for s in SCREENS}

ACTION_LABELS_JA = {
    "callpath-line-saved": "回線を保存",
    "callpath-line-deleted": "回線を削除",
    "callpath-closure-added": "休業日を追加",
    "callpath-closure-deleted": "休業日を削除",
    "callpath-menu-saved": "メニューを保存",
    "callpath-menu-deleted": "メニューを削除",
    "guidance-uploaded": "音声をアップロード",
    "callpath-sound-deleted": "音声を削除",
    "callpath-queue-saved": "待ち行列を保存",
    "callpath-queue-deleted": "待ち行列を削除",
    "callpath-agent-saved": "内線・スキルを保存",
    "callpath-agent-deleted": "内線・スキルを削除",
    "emergency-mode-on": "緊急時運用を開始",
    "emergency-mode-off": "緊急時運用を終了",
    "faq-imported": "FAQを取込み",
    "faq-entry-created": "FAQを追加",
    "faq-entry-changed": "FAQを変更",
    "faq-entry-deleted": "FAQを削除",
    "talk-scripts-imported": "スクリプトを取込み",
    "talk-script-created": "スクリプトを追加",
    "talk-script-changed": "スクリプトを変更",
    "departments-imported": "部署を取込み",
    "department-created": "部署を追加",
    "department-changed": "部署を変更",
    "department-deleted": "部署を削除",
    "inbox-sort-rule-created": "ルールを追加",
    "inbox-sort-rule-changed": "ルールを変更",
    "inbox-sort-rule-deleted": "ルールを削除",
    "retention.policy.set": "保存期間を設定",
    "retention.policy.delete": "保存期間を削除",
    "report-recipient-added": "送付先を追加",
    "report-recipient-deleted": "送付先を削除",
}
