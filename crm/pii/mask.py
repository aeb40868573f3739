"""Replace personal data in a text with labels, for texts kept where nobody reviews them."""

from __future__ import annotations

from crm.pii.detector import scan
from crm.pii.models import Finding, PiiType

LABELS: dict[PiiType, str] = {
    PiiType.NAME: "［氏名］",
    PiiType.PHONE: "［電話番号］",
    PiiType.EMAIL: "［メール］",
    PiiType.ADDRESS: "［住所］",
}


def mask_text(text: str) -> tuple[str, int]:
    """``text`` with each finding replaced by its label, and how many were replaced."""
    findings = scan(text)
    return replace_findings(text, findings), len(findings)


def replace_findings(text: str, findings: list[Finding]) -> str:
    """``text`` with the given findings (in order, not overlapping) replaced by their labels."""
    out: list[str] = []
    pos = 0
    for finding in findings:
        out.append(text[pos : finding.start])
        out.append(LABELS[finding.type])
        pos = finding.end
    out.append(text[pos:])
    return "".join(out)
