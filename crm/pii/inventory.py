"""The register of citizens' personal data the system keeps (N-PRIV-3, 別紙7 第2条).

The city allows name, address, sex, age, consultation content, phone, fax and e-mail, nothing
else, and no copies. This register says where each of those can be, in what form, and why every
other text column cannot hold them. ``tests/privacy`` keeps it true: a new column whose name
looks like it could hold personal data fails the suite until it is classified here, and the
end-to-end test looks for a citizen's details in every file the system writes.
``madoguchi pii inventory`` prints it (docs/personal-data.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PERMITTED: dict[str, str] = {
    "name": "氏名",
    "address": "住所",
    "sex": "性別",
    "age": "年齢",
    "consultation": "相談内容",
    "phone": "電話番号",
    "fax": "FAX番号",
    "email": "メールアドレス",
}
"""The categories 別紙7 第2条 allows, with their names in the contract."""

EVERYTHING = tuple(PERMITTED)
"""What a citizen may write in a mail or say on a call: any of the permitted categories."""


INBOX_RETENTION = (
    "MADOGUCHI_INBOX_RETENTION_DAYS (365) after its work item closed (inbox/retention.py)"
)


class Form(StrEnum):
    """How a holding is protected at rest."""

    SEALED = "sealed"
    """Encrypted with a key derived from the server secret (``realtime.crypto.SecretBox``)."""
    MEDIA = "media"
    """A media-store file: AES-256-GCM with its own data key, wrapped by the media master key."""
    MASKED = "masked"
    """Plain text in which the detector replaced personal data by labels before storing."""


@dataclass(frozen=True)
class Holding:
    """One place that holds citizens' personal data."""

    place: str
    """``table.column`` in the database, or ``media:<kind>`` in the media store."""
    categories: tuple[str, ...]
    form: Form
    purpose: str
    erased: str


CITIZEN_DATA: tuple[Holding, ...] = (
    Holding(
        "work_item.callback_number_enc",
        ("phone",),
        Form.SEALED,
        "the number to call back (折り返し架電)",
        "when the call-back is closed",
    ),
    Holding(
        "inbox_message.sender_sealed",
        ("email",),
        Form.SEALED,
        "the address a reply goes to",
        INBOX_RETENTION,
    ),
    Holding(
        "inbox_parsed.parsed_sealed",
        EVERYTHING,
        Form.SEALED,
        "the mail as parsed (subject, text, attachments list) for the agent answering it",
        INBOX_RETENTION,
    ),
    Holding(
        "inbox_fax.remote_sealed",
        ("fax",),
        Form.SEALED,
        "the sender's fax number or station id",
        INBOX_RETENTION,
    ),
    Holding(
        "inbox_outbox.mail_sealed",
        EVERYTHING,
        Form.SEALED,
        "the reply as composed, kept until it is delivered (retries)",
        INBOX_RETENTION,
    ),
    Holding(
        "inbox_outbox.recipients_sealed",
        ("email",),
        Form.SEALED,
        "the envelope recipients of the reply",
        INBOX_RETENTION,
    ),
    Holding(
        "transcript_segment.text",
        ("consultation",),
        Form.MASKED,
        "the transcript of a recording, for search and QA",
        "with its recording",
    ),
    Holding(
        "transcript_segment.words",
        ("consultation",),
        Form.MASKED,
        "word timings of the transcript",
        "with its recording",
    ),
    Holding(
        "media:recording",
        EVERYTHING,
        Form.MEDIA,
        "the call recording (stereo WAV), for QA and disputes",
        "by the retention policy of its line and category",
    ),
    Holding(
        "media:mail",
        EVERYTHING,
        Form.MEDIA,
        "the mail as received (RFC 5322 bytes) and its attachments",
        INBOX_RETENTION,
    ),
    Holding(
        "media:fax",
        EVERYTHING,
        Form.MEDIA,
        "the fax as received (TIFF/PDF), its PDF and page images",
        INBOX_RETENTION,
    ),
)

GUARDED: dict[str, str] = {
    "interaction.answer": "interaction history: refused when it holds personal data (N-PRIV-1)",
    "interaction_version.reason": "why a history was edited: same guard",
    "interaction_version.snapshot": "every field of a history version: saved through the guard",
    "qa_evaluation.comment": "QA comment on a call: refused when it holds personal data",
    "qa_score.comment": "QA comment per criterion: same guard",
    "recording.hold_reason": "why a recording is held: same guard",
    "recording.deleted_reason": "why a recording was erased: same guard, or the rule's name",
    "disposal_record.reason": "copied from recording.deleted_reason",
    "daily_report.complaints": "daily report text: checked before approval and before sending",
    "daily_report.handoff_topics": "daily report text: same check",
    "daily_report.situation": "daily report text: same check",
    "daily_report.user_voices": "daily report text: same check",
    "daily_report.suspicious_calls": "daily report text: same check",
    "inbox_scan_verdict.filename": "添付ファイル and the extension only (the name is sealed)",
    "inbox_scan_verdict.reason": "the scanner's reason, with that neutral name and masked",
}
"""Free text about citizens' contacts that passes the detector before it is stored."""

NOT_CITIZEN_DATA: dict[str, str] = {
    # built by the system from ids and codes, never from what a citizen said or wrote
    "contact_event.payload": "system: event fields from codes and counts (docs/events.md)",
    "audit_entry.detail": "system: what an administrator changed (settings, ids)",
    "monitor_alert.subject": "system: the subsystem, queue or account an alert is about",
    "monitor_alert.detail": "system: measurements of the alert",
    "monitor_alert.mail_error": "system: the SMTP server's answer",
    "monitor_alert.mail_state": "system: whether the alert mail went out",
    "monitor_alert.mail_attempts": "a count",
    "monitor_alert.mailed_at": "a time",
    "inbox_scan_verdict.content_type": "the declared MIME type",
    "inbox_message.sender_domain": "the domain only (no mailbox), for the sorting rules",
    "inbox_message.reasons": "system: why a mail was held, from the scan verdicts (masked)",
    "inbox_fax.reasons": "system: why a fax was held, from the scan verdicts (masked)",
    "daily_report.numbers": "system: the day's counts",
    "report_contact_fact.answered_at": "a time",
    "inbox_message.answerable": "a flag",
    "inbox_message.mailbox": "the center's own mailbox",
    "inbox_mailbox_cursor.mailbox": "the center's own mailbox",
    "transcript_segment.masked": "a count",
    # staff and the city's own settings
    "app_user.username": "staff account",
    "app_user.display_name": "staff name shown to colleagues",
    "app_user.totp_secret_enc": "staff second factor, sealed",
    "app_user.totp_pending_enc": "staff second factor being enrolled, sealed",
    "callpath_agent.username": "staff account",
    "report_recipient.address": "the city's mailbox receiving the daily report",
    "report_recipient.name_ja": "the city's department receiving the daily report",
    "callpath_emergency.overflow_number": "the city's own number for emergency overflow",
    "callpath_line.name_ja": "the line's label",
    "callpath_sound.file_name": "an uploaded guidance recording's file name",
    "callpath_closure.reason_ja": "why the center is closed that day (holiday, disaster)",
    "announcement.text": "a supervisor's message to the agents",
    "inbox_reply_template.name": "a reply template (administrators' text)",
    "inbox_reply_template.subject": "a reply template (administrators' text)",
    "inbox_reply_template.body": "a reply template (administrators' text)",
    "inbox_sort_rule.name": "a sorting rule's label",
    "faq_entry.question": "FAQ knowledge (public information)",
    "faq_entry.answer": "FAQ knowledge (public information)",
    "faq_entry.keywords": "FAQ knowledge (public information)",
    "faq_revision.content": "FAQ knowledge (public information)",
    "qa_form.name": "a QA form's name",
    "retention_policy.note": "an administrator's note on a retention policy",
    "wfm_schedule.name": "a staffing schedule's name",
}
"""Text columns that look as if they could hold personal data and why they cannot."""

LOOKS_PERSONAL = re.compile(
    r"(_enc|_sealed)$|phone|(^|_)tel($|_)|address|sender|recipient|remote|caller|citizen|mail"
    r"|fax|birth|(^|_)sex$|gender|(^|_)age$|name|number|text|body|note|subject|comment|answer"
    r"|question|reason|detail|payload|snapshot|words|content|keyword|complaint|voice|suspicious"
    r"|situation|topic|masked",
    re.IGNORECASE,
)
"""Column names a reviewer must classify here before they can be used."""


def classification(place: str) -> str | None:
    """Which part of the register a ``table.column`` is in (None: not classified)."""
    if any(h.place == place for h in CITIZEN_DATA):
        return "citizen"
    if place in GUARDED:
        return "guarded"
    if place in NOT_CITIZEN_DATA:
        return "not-citizen"
    return None


def render() -> str:
    """The register as Markdown (docs/personal-data.md)."""
    lines = [
        "# Personal data register (N-PRIV-3)",
        "",
        "Generated by `madoguchi pii inventory` from `crm/pii/inventory.py`; a test keeps it",
        "current and checks it against the database schema and against every file the system",
        "writes. Permitted categories (別紙7 第2条): "
        + "、".join(f"{ja} (`{key}`)" for key, ja in PERMITTED.items())
        + ".",
        "",
        "## Where citizens' personal data is kept",
        "",
        "| place | categories | form | purpose | erased |",
        "|---|---|---|---|---|",
    ]
    for h in CITIZEN_DATA:
        cats = "、".join(PERMITTED[c] for c in h.categories)
        lines.append(f"| `{h.place}` | {cats} | {h.form.value} | {h.purpose} | {h.erased} |")
    lines += [
        "",
        "Forms: **sealed** = encrypted with a key derived from the server secret; **media** =",
        "a media-store file encrypted with its own data key (AES-256-GCM), wrapped by the media",
        "master key; **masked** = the detector replaced names, numbers, e-mail addresses and",
        "addresses by labels before storing. Backups are encrypted again with the backup key.",
        "No other copy exists: logs, the contact log, KPIs, reports and exports hold ids and",
        "codes.",
        "",
        "## Free text checked before it is stored",
        "",
        "| column | rule |",
        "|---|---|",
    ]
    lines += [f"| `{place}` | {why} |" for place, why in GUARDED.items()]
    lines += [
        "",
        "## Text columns that hold no citizen data",
        "",
        "| column | what it holds |",
        "|---|---|",
    ]
    lines += [f"| `{place}` | {why} |" for place, why in NOT_CITIZEN_DATA.items()]
    return "\n".join(lines) + "\n"
