"""``madoguchi imap ...``: run the intake, take waiting mail once, show the cursors."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio
from sqlmodel import col, func, select

from inbox.intake.subsystem import build_intake
from inbox.intake.worker import StepHook
from inbox.models import InboxMessage, MailboxCursor
from realtime.cliutil import run_group
from realtime.db import Database
from realtime.settings import Settings, load_settings

# Fault injection for the crash tests: "stored-raw:6" pauses forever at the 6th "stored-raw"
# step, after touching the file named by MADOGUCHI_IMAP_PAUSE_FILE (the test then kills us).
PAUSE_AT_ENV = "MADOGUCHI_IMAP_PAUSE_AT"
PAUSE_FILE_ENV = "MADOGUCHI_IMAP_PAUSE_FILE"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``imap`` command group."""
    parser = sub.add_parser("imap", help="IMAP 受信（メールボックスからの取り込み）")
    group = parser.add_subparsers(dest="imap_command", required=True)
    run = group.add_parser("run", help="受信を続ける（IDLE またはポーリング、停止は Ctrl-C）")
    run.set_defaults(handler=_run)
    fetch = group.add_parser("fetch", help="いま届いているメールを一度だけ取り込んで終了する")
    fetch.set_defaults(handler=_fetch)
    status = group.add_parser("status", help="メールボックスごとの取り込み位置と件数を表示する")
    status.set_defaults(handler=_status)


def _settings() -> Settings:
    return load_settings(env_file=Path(".env"))


def _pause_hook() -> StepHook | None:
    spec = os.environ.get(PAUSE_AT_ENV)
    if not spec:
        return None
    step, _, count_text = spec.partition(":")
    target = int(count_text or "1")
    seen = 0

    async def hook(name: str, _uid: int) -> None:
        nonlocal seen
        if name != step:
            return
        seen += 1
        if seen == target:
            marker = os.environ.get(PAUSE_FILE_ENV)
            if marker:
                await anyio.Path(marker).write_text(str(os.getpid()), encoding="ascii")
            await asyncio.Event().wait()

    return hook


def _no_mailboxes() -> int:
    print("MADOGUCHI_IMAP_MAILBOXES が設定されていません。", file=sys.stderr)
    return 2


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.imap_mailboxes:
        return _no_mailboxes()

    async def main() -> None:
        db = Database(settings.effective_database_url)
        intake = build_intake(settings, db=db, step_hook=_pause_hook())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await intake.start()
        try:
            await stop.wait()
        finally:
            await intake.stop()
            db.dispose()

    asyncio.run(main())
    return 0


def _fetch(_args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.imap_mailboxes:
        return _no_mailboxes()

    async def main() -> dict[str, object]:
        db = Database(settings.effective_database_url)
        try:
            intake = build_intake(settings, db=db, step_hook=_pause_hook())
            taken = await intake.drain()
            return {
                "taken": taken,
                "mailboxes": {
                    w.mailbox.name: {"taken": w.stats.taken, "by_state": w.stats.by_state}
                    for w in intake.workers
                },
            }
        finally:
            db.dispose()

    report = asyncio.run(main())
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def _status(_args: argparse.Namespace) -> int:
    settings = _settings()
    db = Database(settings.effective_database_url)
    try:
        with db.session() as session:
            cursors = {
                c.mailbox: {
                    "uidvalidity": c.uidvalidity,
                    "last_uid": c.last_uid,
                    "uidvalidity_changes": c.uidvalidity_changes,
                }
                for c in session.exec(select(MailboxCursor))
            }
            counts: dict[str, dict[str, int]] = {}
            stmt = select(InboxMessage.mailbox, InboxMessage.state, func.count()).group_by(
                col(InboxMessage.mailbox), col(InboxMessage.state)
            )
            for mailbox, state, count in session.exec(stmt):
                counts.setdefault(mailbox, {})[state] = int(count)
    finally:
        db.dispose()
    print(json.dumps({"cursors": cursors, "messages": counts}, ensure_ascii=False, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``imap`` group on its own (``python -m inbox.intake.cli imap fetch``)."""
    return run_group(register, argv)


if __name__ == "__main__":
    sys.exit(main())
