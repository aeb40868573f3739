"""Refusing to save interaction history that holds personal data (N-PRIV-1)."""

from __future__ import annotations

from collections.abc import Mapping

from crm.pii.detector import scan
from crm.pii.models import Finding, PiiType
from realtime.errors import ValidationFailed

TYPE_LABELS_JA: dict[PiiType, str] = {
    PiiType.NAME: "氏名",
    PiiType.PHONE: "電話・FAX番号",
    PiiType.EMAIL: "メールアドレス",
    PiiType.ADDRESS: "住所",
}


class PersonalDataFound(ValidationFailed):
    """Some fields of an interaction hold personal data; the form and the API refuse to save."""

    error_id = "personal-data-found"
    message_ja = (
        "対応履歴に個人情報（氏名・電話番号・FAX番号・メールアドレス・住所）が含まれているため"
        "保存できません。該当箇所を削除してから保存してください。"
    )

    def __init__(self, *, findings: Mapping[str, list[Finding]]) -> None:
        fields = {
            field: "・".join(dict.fromkeys(TYPE_LABELS_JA[f.type] for f in found))
            + "が含まれています。"
            for field, found in findings.items()
        }
        super().__init__(fields=fields)
        self.findings = dict(findings)

    def spans(self) -> dict[str, list[dict[str, str | int]]]:
        """Where each finding is, per field, for the form to highlight (types and offsets only)."""
        return {
            field: [{"type": f.type.value, "start": f.start, "end": f.end} for f in found]
            for field, found in self.findings.items()
        }


def find_personal_data(*, fields: Mapping[str, str]) -> dict[str, list[Finding]]:
    """Scan each free-text field; only fields with findings are returned."""
    result: dict[str, list[Finding]] = {}
    for name, value in fields.items():
        found = scan(value)
        if found:
            result[name] = found
    return result


def ensure_no_personal_data(*, fields: Mapping[str, str]) -> None:
    """Raise PersonalDataFound if any field holds personal data."""
    findings = find_personal_data(fields=fields)
    if findings:
        raise PersonalDataFound(findings=findings)
