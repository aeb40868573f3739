"""The alert rules: each looks at one source and returns the conditions firing now.

A rule that could not look (its source failed) returns ``None`` so that nothing of its kind is
cleared by mistake. Messages are Japanese; details hold measured facts only.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cms.live.figures import LiveFigures
from realtime.audit.models import AuditEntry, AuditHead
from realtime.audit.service import GENESIS, compute_hash
from realtime.monitoring.models import AuditCheckpoint
from realtime.monitoring.store import Condition

GIB = 1024**3


# --- subsystem down ------------------------------------------------------------------------


@dataclass
class SubsystemWatch:
    """Counts consecutive failed readiness runs per check; down after ``after_runs``."""

    after_runs: int
    failures: dict[str, int] = field(default_factory=dict)

    def observe(self, results: Mapping[str, str]) -> list[Condition]:
        """Feed one ``Readiness.run()`` result; the checks down for long enough."""
        firing = []
        for name, state in results.items():
            self.failures[name] = 0 if state == "ok" else self.failures.get(name, 0) + 1
            runs = self.failures[name]
            if runs >= self.after_runs:
                firing.append(
                    Condition(
                        "subsystem_down",
                        name,
                        "critical",
                        f"サブシステム「{name}」が応答しません（{runs}回連続）。",
                        {"check": name, "consecutive_failures": runs},
                    )
                )
        for gone in set(self.failures) - set(results):
            del self.failures[gone]
        return firing


# --- service level falling -----------------------------------------------------------------


def service_level_falling(
    figures: LiveFigures, *, target: float, min_calls: int, already_open: bool
) -> list[Condition]:
    """This half hour's S-P1 below ``target`` and lower than the half hour before (or today).

    Once raised it stays until the half hour is no longer below the target."""
    current = figures.half_hour.service_level
    if current.value is None or (current.denominator or 0) < min_calls:
        return []
    if current.value >= target:
        return []
    previous = figures.previous_half_hour.service_level if figures.previous_half_hour else None
    reference = previous if previous is not None and previous.value is not None else None
    reference = reference or figures.today.service_level
    trending_down = reference.value is not None and current.value < reference.value
    if not (trending_down or already_open):
        return []
    return [
        Condition(
            "service_level",
            "phone",
            "warning",
            f"この30分のサービスレベル（15秒以内応答率）が {current.value:.1f}% で、"
            f"目標 {target:g}% を下回り低下しています。",
            {
                "half_hour_start": figures.half_hour_start.isoformat(),
                "service_level": round(current.value, 1),
                "reference": None if reference.value is None else round(reference.value, 1),
                "target": target,
                "calls": int(current.denominator or 0),
            },
        )
    ]


# --- disk filling --------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def disk_filling(
    folders: Mapping[str, Path], *, min_free_percent: float, min_free_bytes: int
) -> list[Condition]:
    """Each folder's disk: below either threshold is a warning, below half of it critical."""
    firing = []
    for label, path in folders.items():
        usage = shutil.disk_usage(_existing(path))
        percent = usage.free / usage.total * 100 if usage.total else 0.0
        low = percent < min_free_percent or usage.free < min_free_bytes
        if not low:
            continue
        very_low = percent < min_free_percent / 2 or usage.free < min_free_bytes / 2
        firing.append(
            Condition(
                "disk_space",
                label,
                "critical" if very_low else "warning",
                f"「{label}」フォルダのディスク空き容量が残り {usage.free / GIB:.1f} GB"
                f"（{percent:.1f}%）です。",
                {
                    "path": str(path),
                    "free_bytes": usage.free,
                    "total_bytes": usage.total,
                    "free_percent": round(percent, 2),
                },
            )
        )
    return firing


# --- repeated sign-in failures -------------------------------------------------------------

FAILED_OUTCOMES = ("failure", "locked")


def signin_failures(
    session: Session,
    *,
    now: datetime,
    window: timedelta,
    max_per_user: int,
    max_overall: int,
) -> list[Condition]:
    """Audited sign-in failures in the last ``window``: per user name and overall."""
    stmt = (
        select(AuditEntry.target, func.count())
        .where(col(AuditEntry.action) == "sign-in")
        .where(col(AuditEntry.outcome).in_(FAILED_OUTCOMES))
        .where(col(AuditEntry.at) >= now - window)
        .group_by(AuditEntry.target)
    )
    counts = {str(target): int(n) for target, n in session.exec(stmt)}
    minutes = f"{window.total_seconds() / 60:g}"
    firing = [
        Condition(
            "signin_failures",
            f"user:{user}",
            "warning",
            f"ユーザーID「{user}」のサインイン失敗が{minutes}分間に{n}回あります。",
            {"user": user, "failures": n, "window_minutes": float(minutes)},
        )
        for user, n in sorted(counts.items())
        if n > max_per_user
    ]
    total = sum(counts.values())
    if total > max_overall:
        firing.append(
            Condition(
                "signin_failures",
                "all",
                "critical",
                f"サインイン失敗が{minutes}分間に合計{total}回あります（総当たり攻撃の恐れ）。",
                {"failures": total, "users": len(counts), "window_minutes": float(minutes)},
            )
        )
    return firing


# --- audit chain broken --------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """One incremental verification: how many new entries, and the first bad one if any."""

    checked: int
    first_bad_seq: int | None
    reason: str
    verified_seq: int


def verify_new_entries(session: Session, *, now: datetime, limit: int = 50_000) -> ChainCheck:
    """Verify only the entries after the stored checkpoint, chained from its hash; advance it."""
    point = session.get(AuditCheckpoint, 1) or AuditCheckpoint(id=1, seq=0, entry_hash=GENESIS)
    if point.seq > 0:
        anchor = session.get(AuditEntry, point.seq)
        if anchor is None or anchor.entry_hash != point.entry_hash:
            reason = "verified entry deleted" if anchor is None else "verified entry changed"
            return ChainCheck(0, point.seq, reason, point.seq)
    head = session.get(AuditHead, 1)
    if head is not None and head.seq < point.seq:
        return ChainCheck(0, head.seq + 1, "entries deleted after the last check", point.seq)
    stmt = (
        select(AuditEntry)
        .where(col(AuditEntry.seq) > point.seq)
        .order_by(col(AuditEntry.seq))
        .limit(limit)
    )
    expected, prev_hash, checked = point.seq + 1, point.entry_hash, 0
    bad: tuple[int, str] | None = None
    for entry in session.exec(stmt):
        if entry.seq != expected:
            bad = (expected, "entry missing (sequence gap)")
        elif entry.prev_hash != prev_hash:
            bad = (entry.seq, "previous-hash link broken")
        elif _hash(entry) != entry.entry_hash:
            bad = (entry.seq, "entry content changed")
        if bad is not None:
            break
        prev_hash, expected, checked = entry.entry_hash, expected + 1, checked + 1
    if checked:
        point.seq, point.entry_hash, point.verified_at = expected - 1, prev_hash, now
        session.add(point)
    if bad is not None:
        return ChainCheck(checked, bad[0], bad[1], point.seq)
    return ChainCheck(checked, None, "", point.seq)


def _hash(entry: AuditEntry) -> str:
    return compute_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        outcome=entry.outcome,
        target=entry.target,
        ip=entry.ip,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def audit_chain_broken(check: ChainCheck) -> list[Condition]:
    """The chain's condition from one incremental check."""
    if check.first_bad_seq is None:
        return []
    return [
        Condition(
            "audit_chain",
            "chain",
            "critical",
            f"監査ログの連鎖が第{check.first_bad_seq}項目で壊れています（改ざんの恐れ）。",
            {"first_bad_seq": check.first_bad_seq, "reason": check.reason},
        )
    ]


# --- the floor: waits and mail/fax near 24 h --------------------------------------------------


def queue_wait_over(floor: Mapping[str, Any], *, threshold_s: float) -> list[Condition]:
    """Queues (from the call path's floor state) whose longest wait is over the threshold."""
    firing = []
    for queue in floor.get("queues", []):
        wait = float(queue.get("longest_wait_s") or 0)
        if wait > threshold_s:
            name = str(queue.get("name") or queue.get("id"))
            firing.append(
                Condition(
                    "queue_wait",
                    str(queue.get("id")),
                    "warning",
                    f"キュー「{name}」の最長待ち時間が {wait:.0f} 秒です"
                    f"（基準 {threshold_s:g} 秒）。",
                    {
                        "queue": queue.get("id"),
                        "longest_wait_s": wait,
                        "waiting": queue.get("waiting"),
                    },
                )
            )
    return firing


def items_due(figures: LiveFigures, *, near_hours: float) -> list[Condition]:
    """Unreplied mail and fax near (warning) and over (critical) the 24 h limit."""
    firing = []
    items = figures.items
    if items.over:
        firing.append(
            Condition(
                "items_due",
                "over",
                "critical",
                f"24時間を超えて未返信のメール・FAXが{items.over}件あります。",
                {"over": items.over},
            )
        )
    if items.near:
        firing.append(
            Condition(
                "items_due",
                "near",
                "warning",
                f"受付から{near_hours:g}時間を過ぎ、24時間が近いメール・FAXが{items.near}件あります。",
                {"near": items.near},
            )
        )
    return firing
