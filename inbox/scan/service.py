"""Recording scan verdicts and refusing unscanned or quarantined files to agents."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from crm.pii.mask import mask_text
from inbox.scan.models import ScanVerdict
from inbox.scan.scanner import Scanner, ScanResult
from realtime.errors import MadoguchiError
from realtime.timeutil import utcnow

CLEAN = "clean"
QUARANTINED = "quarantined"
HELD = "held"  # the scanner could not judge (clamd down): not served, scanned again later


class FileQuarantined(MadoguchiError):
    error_id = "file-quarantined"
    status_code = 403
    message_ja = "このファイルは安全確認ができないため開けません（隔離中）。"

    def __init__(self, *, file_key: str, reason: str) -> None:
        super().__init__(file_key=file_key, reason=reason)
        self.file_key = file_key
        self.reason = reason


def neutral_name(filename: str) -> str:
    """``添付ファイル.pdf`` for ``山田花子_申請書.pdf``: the extension without the name."""
    if not filename:
        return ""
    stem, dot, ext = filename.strip().rpartition(".")
    keep = dot and stem and ext.isascii() and ext.isalnum() and len(ext) <= 10
    return f"添付ファイル.{ext.lower()}" if keep else "添付ファイル"


def scan_and_record(
    session: Session,
    *,
    scanner: Scanner,
    file_key: str,
    data: bytes,
    filename: str = "",
    content_type: str = "",
) -> ScanVerdict:
    """Scan once and store the verdict (an existing final verdict for the same content is kept;
    a held one is scanned again)."""
    sha = hashlib.sha256(data).hexdigest()
    existing = session.get(ScanVerdict, file_key)
    if existing is not None and existing.sha256 == sha and existing.verdict != HELD:
        return existing
    result: ScanResult = scanner.scan(data=data, filename=filename, content_type=content_type)
    row = existing or ScanVerdict(file_key=file_key, verdict="", scanner="", scanned_at=utcnow())
    row.verdict = CLEAN if result.clean else HELD if result.retry else QUARANTINED
    # A file name is the citizen's own text ("山田花子_申請書.pdf"): only its extension is kept
    # here; the name itself is in the sealed mail (N-PRIV-3).
    neutral = neutral_name(filename)
    reason = (
        result.reason.replace(f"「{filename}」", f"「{neutral}」") if filename else result.reason
    )
    row.reason = mask_text(reason)[0]
    row.scanner = result.scanner
    row.filename = neutral
    row.content_type = content_type[:128]
    row.size = len(data)
    row.sha256 = sha
    row.scanned_at = utcnow()
    session.add(row)
    session.flush()
    return row


def require_clean(session: Session, *, file_key: str) -> ScanVerdict:
    """The verdict of a file an agent wants to open; FileQuarantined unless it is clean."""
    row = session.get(ScanVerdict, file_key)
    if row is None:
        raise FileQuarantined(file_key=file_key, reason="まだウイルス検査が済んでいません")
    if row.verdict != CLEAN:
        raise FileQuarantined(file_key=file_key, reason=row.reason)
    return row
