"""IMAP intake test fixtures: a real Dovecot on loopback, settings, a migrated database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from cms.models import ContactEvent
from inbox.models import InboxMessage
from realtime import migrate
from realtime.db import Database
from realtime.settings import Settings
from tests.inbox_intake import dovecot
from tests.support.app import make_settings

USERS = {"public": "public-pw-1", "liaison": "liaison-pw-2"}


@pytest.fixture
def imap_server() -> Iterator[dovecot.Dovecot]:
    if not dovecot.available():
        pytest.skip("Dovecot (Debian package dovecot-imapd) is not installed or we are not root")
    with dovecot.dovecot_server(USERS) as server:
        yield server


def mailbox_config(server: dovecot.Dovecot, user: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": user,
        "host": "127.0.0.1",
        "port": server.port,
        "tls": False,
        "username": user,
        "password": server.users[user],
        "address": f"{user}@city.example.lg.jp",
        "timeout_seconds": 10.0,
        "poll_seconds": 0.2,
    }
    values.update(extra)
    return values


@pytest.fixture
def intake_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with the given mailboxes, on a fresh migrated SQLite database."""

    def build(
        mailboxes: list[dict[str, Any]], database_url: str | None = None, **extra: Any
    ) -> Settings:
        settings = make_settings(tmp_path / "data", database_url, imap_mailboxes=mailboxes, **extra)
        migrate.upgrade(settings.effective_database_url)
        return settings

    return build


def count_messages(db: Database, mailbox: str | None = None) -> int:
    with db.session() as session:
        stmt = select(func.count()).select_from(InboxMessage)
        if mailbox is not None:
            stmt = stmt.where(col(InboxMessage.mailbox) == mailbox)
        return int(session.exec(stmt).one())


def received_events(db: Database) -> list[ContactEvent]:
    with db.session() as session:
        return list(
            session.exec(select(ContactEvent).where(col(ContactEvent.type) == "contact.received"))
        )


async def eventually(
    check: Callable[[], Awaitable[bool]] | Callable[[], bool], *, within: float = 30.0
) -> None:
    """Wait until ``check()`` is true, failing after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(0.05)
