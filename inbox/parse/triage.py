"""Deciding what happens to a received raw message: a work-queue item or quarantine.

Whatever the input (empty, broken, looping, part of a bounce storm) the result carries the raw
bytes unchanged and a Japanese reason an administrator can read, so nothing is ever lost.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from inbox.parse.errors import MailUnparseable
from inbox.parse.message import DEFAULT_MAX_ATTACHMENT_BYTES, ParsedMail, parse_message
from inbox.parse.mime import parse_entity

DEFAULT_MAX_HOPS = 30


class Action(StrEnum):
    """Where a received message goes."""

    QUEUE = "queue"
    QUARANTINE = "quarantine"


@dataclass
class BounceStormGuard:
    """Counts machine-sent mail in a sliding window; above the limit it is quarantined."""

    limit: int = 20
    window: timedelta = timedelta(minutes=10)
    _seen: deque[datetime] = field(default_factory=deque)

    def record(self, *, at: datetime) -> bool:
        """Count one machine-sent mail received ``at``; True when the window is over the limit."""
        self._seen.append(at)
        while self._seen and at - self._seen[0] > self.window:
            self._seen.popleft()
        return len(self._seen) > self.limit


@dataclass(frozen=True)
class Triage:
    """The decision for one raw message, with the untouched raw bytes."""

    action: Action
    reasons: list[str]
    raw: bytes
    mail: ParsedMail | None
    answerable: bool


def _loop_reasons(raw: bytes, mail: ParsedMail, own: frozenset[str], max_hops: int) -> list[str]:
    root = parse_entity(raw)
    reasons: list[str] = []
    hops = len(root.all_headers("received"))
    if hops > max_hops:
        reasons.append(f"中継回数が多すぎます（Received ヘッダー {hops} 個）。メールループの疑い")
    for value in root.all_headers("x-loop"):
        if value.decode("latin-1").strip().lower() in own:
            reasons.append("X-Loop ヘッダーが自局のアドレスです。メールループの疑い")
            break
    if mail.sender_address.lower() in own:
        reasons.append("差出人が自局のアドレスです。メールループの疑い")
    return reasons


def triage(
    *,
    raw: bytes,
    received_at: datetime,
    own_addresses: frozenset[str] = frozenset(),
    storm_guard: BounceStormGuard | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    max_hops: int = DEFAULT_MAX_HOPS,
) -> Triage:
    """Parse ``raw`` and decide queue or quarantine, with reasons; never raises."""
    own = frozenset(a.lower() for a in own_addresses)
    try:
        mail = parse_message(raw, max_attachment_bytes=max_attachment_bytes)
    except MailUnparseable as exc:
        return Triage(Action.QUARANTINE, [exc.message], raw, None, answerable=False)
    except Exception as exc:  # the raw message must survive any parser bug
        reason = f"メールの解析中に予期しないエラーが発生しました（{type(exc).__name__}）"
        return Triage(Action.QUARANTINE, [reason], raw, None, answerable=False)
    loop = _loop_reasons(raw, mail, own, max_hops)
    if loop:
        return Triage(Action.QUARANTINE, loop, raw, mail, answerable=False)
    if mail.is_auto and storm_guard is not None and storm_guard.record(at=received_at):
        reason = (
            f"自動送信メール（エラー通知・自動応答）が {storm_guard.window} 以内に"
            f" {storm_guard.limit} 通を超えました（バウンスストームの疑い）"
        )
        return Triage(Action.QUARANTINE, [reason, *mail.auto_reasons], raw, mail, answerable=False)
    reasons = list(mail.warnings)
    if mail.is_auto:
        reasons.append("自動送信メールのため、自動返信はしません: " + "、".join(mail.auto_reasons))
    return Triage(Action.QUEUE, reasons, raw, mail, answerable=not mail.is_auto)
