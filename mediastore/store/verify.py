"""Integrity check of every stored file: header, key slot, size and every chunk's tag."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mediastore.crypto.errors import MediaKeyMissing, MediaNotFound, MediaTampered
from mediastore.store.store import MediaStore


@dataclass
class VerifyReport:
    """Files checked, and the ones that failed (id -> reason or missing master key id)."""

    checked: int = 0
    ok: int = 0
    bytes_checked: int = 0
    tampered: dict[str, str] = field(default_factory=dict)
    key_missing: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def all_ok(self) -> bool:
        return self.ok == self.checked

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "ok": self.ok,
            "bytes_checked": self.bytes_checked,
            "tampered": self.tampered,
            "key_missing": self.key_missing,
            "seconds": round(self.seconds, 3),
        }


def verify_files(
    store: MediaStore,
    *,
    file_ids: list[str] | None = None,
    progress: Callable[[str, bool], None] | None = None,
) -> VerifyReport:
    """Authenticate each file completely (all ids when ``file_ids`` is None)."""
    started = time.perf_counter()
    report = VerifyReport()
    for file_id in store.list_ids() if file_ids is None else file_ids:
        report.checked += 1
        good = False
        try:
            with store.open(file_id=file_id) as reader:
                reader.verify_all_chunks()
                report.bytes_checked += reader.length
            good = True
            report.ok += 1
        except MediaTampered as exc:
            report.tampered[file_id] = exc.reason
        except MediaKeyMissing as exc:
            report.key_missing[file_id] = exc.key_id
        except MediaNotFound:
            report.tampered[file_id] = "missing"
        if progress is not None:
            progress(file_id, good)
    report.seconds = time.perf_counter() - started
    return report
