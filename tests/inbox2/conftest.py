"""Fixtures for inbox2: the real Dovecot of the intake tests, a real aiosmtpd relay, mail
builders and a connector on a migrated database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP

from inbox.config import InboxSettings
from inbox.intake.privacy import inbox_box
from inbox.scan.scanner import PolicyScanner
from inbox.sorting.connect import MailConnector
from mediastore.store.config import store_from_settings
from realtime.db import Database
from realtime.settings import Settings
from realtime.timeutil import utcnow
from tests.inbox_intake.conftest import imap_server, intake_settings  # noqa: F401 (fixtures)

CITY = "soudan@city.example.lg.jp"


def citizen_mail(
    n: int,
    *,
    subject: str = "住民票の写しについて",
    sender: str = "山田 太郎 <taro@example.jp>",
    to: str = CITY,
    body: str = "住民票の写しを郵送で取り寄せたいのですが、手続きを教えてください。",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    """A citizen's mail (CRLF, unique Message-ID), with optional attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<citizen-{n}@example.jp>"
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    for filename, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def inbox_config(**extra: Any) -> InboxSettings:
    values: dict[str, Any] = {
        "inbox_reply_from": "豊島区 総合窓口 <soudan@city.example.lg.jp>",
        "inbox_mail_domain": "madoguchi.city.example.lg.jp",
        "inbox_retry_delays": (60.0, 300.0),
        "inbox_ocr": False,
    }
    values.update(extra)
    return InboxSettings(**values)


def make_connector(settings: Settings, config: InboxSettings) -> MailConnector:
    return MailConnector(
        media=store_from_settings(settings),
        box=inbox_box(settings.secret_key.get_secret_value()),
        config=config,
        scanner=PolicyScanner(max_bytes=config.inbox_scan_max_bytes),
    )


@dataclass
class Relay:
    """A real SMTP server (aiosmtpd) that refuses the first ``refuse`` RCPTs with ``code``."""

    refuse: int = 0
    code: str = "451 4.3.0 try again later"
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    rcpt_calls: int = 0
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_calls += 1
        if self.rcpt_calls <= self.refuse:
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


@asynccontextmanager
async def smtp_relay(relay: Relay) -> AsyncIterator[Relay]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(relay), "127.0.0.1", 0)
    relay.port = server.sockets[0].getsockname()[1]
    try:
        yield relay
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def dbs() -> Iterator[list[Database]]:
    """Databases a test opens, disposed at its end (PostgreSQL connections closed)."""
    opened: list[Database] = []
    yield opened
    for db in opened:
        db.dispose()
