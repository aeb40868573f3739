"""One IMAP session over aioimaplib: login, SELECT (UIDVALIDITY), UID SEARCH, UID FETCH, IDLE.

aioimaplib does not fail pending commands when the connection drops, so every command here
races the connection-lost callback and a timeout: a reset becomes :class:`ImapConnectionLost`
at once instead of a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aioimaplib

from inbox.intake.errors import (
    ImapCommandFailed,
    ImapConnectFailed,
    ImapConnectionLost,
    ImapLoginFailed,
)
from realtime.settings import ImapMailbox

T = TypeVar("T")

_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_UIDNEXT = re.compile(rb"\[UIDNEXT (\d+)\]")
_EXISTS = re.compile(rb"^(\d+) EXISTS")
_FETCH_UID = re.compile(rb"\bUID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


@dataclass(frozen=True)
class SelectedMailbox:
    """What SELECT told us."""

    uidvalidity: int
    uidnext: int | None
    exists: int
    idle: bool
    move: bool


@dataclass(frozen=True)
class FetchedRaw:
    """The raw bytes of one message and the server's arrival time for it."""

    uid: int
    raw: bytes
    internal_date: datetime | None


def parse_internal_date(text: bytes) -> datetime | None:
    """IMAP INTERNALDATE ("27-Nov-2026 09:28:07 +0900") as an aware datetime."""
    try:
        return datetime.strptime(text.decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
    except (ValueError, UnicodeDecodeError):
        return None


def parse_fetch(lines: list[Any]) -> list[FetchedRaw]:
    """The messages in a ``UID FETCH ... (UID INTERNALDATE BODY.PEEK[])`` response."""
    found: list[FetchedRaw] = []
    head: bytes | None = None
    for line in lines:
        if isinstance(line, bytearray | memoryview):
            if head is None:
                continue
            uid = _FETCH_UID.search(head)
            date = _INTERNALDATE.search(head)
            if uid is not None:
                found.append(
                    FetchedRaw(
                        uid=int(uid.group(1)),
                        raw=bytes(line),
                        internal_date=parse_internal_date(date.group(1)) if date else None,
                    )
                )
            head = None
        elif isinstance(line, bytes) and b"FETCH (" in line:
            head = line
    return found


def parse_search(lines: list[Any]) -> list[int]:
    """UIDs listed by ``UID SEARCH`` (aioimaplib drops the ``* SEARCH`` prefix; the last line is
    the tagged completion text)."""
    uids: list[int] = []
    for line in lines[:-1]:
        if not isinstance(line, bytes):
            continue
        parts = line.split()
        if parts and parts[0].upper() == b"SEARCH":
            parts = parts[1:]
        if parts and all(part.isdigit() for part in parts):
            uids.extend(int(part) for part in parts)
    return uids


# Untagged responses that mean the folder changed (new mail).
_ANNOUNCES_MAIL = re.compile(rb"^(?:\* )?\d+ (?:EXISTS|RECENT)\b")


class ImapSession:
    """A logged-in connection to one mailbox folder."""

    def __init__(self, mailbox: ImapMailbox) -> None:
        self.mailbox = mailbox
        self._client: Any = None
        self._lost = asyncio.Event()
        self._unheard_push = False
        self.selected: SelectedMailbox | None = None

    def _watch_unsolicited(self) -> None:
        """Notice new-mail announcements that aioimaplib would drop.

        A server may announce new mail (``* N EXISTS``) while no command is pending; aioimaplib
        logs and discards such a response, and the server counts the mail as announced, so a
        following IDLE would wait its full time. We record it and sync instead."""
        protocol = self._client.protocol
        original = protocol._untagged_response

        def untagged(line: bytes) -> Any:
            command = original(line)
            if command is None and _ANNOUNCES_MAIL.search(line):
                self._unheard_push = True
            return command

        protocol._untagged_response = untagged

    def _connection_lost(self, _exc: Exception | None) -> None:
        self._lost.set()

    async def _guard(self, aw: Awaitable[T], *, what: str, limit: float | None = None) -> T:
        """Await ``aw`` unless the connection drops or ``limit`` seconds pass first."""
        task: asyncio.Future[T] = asyncio.ensure_future(aw)
        lost: asyncio.Future[bool] = asyncio.ensure_future(self._lost.wait())
        waiters: set[asyncio.Future[Any]] = {task, lost}
        try:
            done, _ = await asyncio.wait(
                waiters,
                timeout=limit or self.mailbox.timeout_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            lost.cancel()
        if task in done:
            try:
                return task.result()
            except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
                raise ImapConnectionLost(
                    mailbox=self.mailbox.name, reason=f"{what}: {type(exc).__name__}"
                ) from exc
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        reason = "connection closed" if self._lost.is_set() else "timed out"
        raise ImapConnectionLost(mailbox=self.mailbox.name, reason=f"{what}: {reason}")

    async def open(self) -> SelectedMailbox:
        """Connect, log in and select the folder; raises ImapConnectFailed / ImapLoginFailed."""
        box = self.mailbox
        try:
            if box.tls:
                self._client = aioimaplib.IMAP4_SSL(
                    host=box.host,
                    port=box.port,
                    timeout=box.timeout_seconds,
                    ssl_context=ssl.create_default_context(),
                )
                self._client.protocol.conn_lost_cb = self._connection_lost
            else:
                self._client = aioimaplib.IMAP4(
                    host=box.host,
                    port=box.port,
                    timeout=box.timeout_seconds,
                    conn_lost_cb=self._connection_lost,
                )
            self._watch_unsolicited()
            await self._client.wait_hello_from_server()
        except (OSError, TimeoutError, aioimaplib.AioImapException) as exc:
            raise ImapConnectFailed(
                mailbox=box.name, reason=f"{box.host}:{box.port}: {type(exc).__name__}: {exc}"
            ) from exc
        response = await self._guard(
            self._client.login(box.username, box.password.get_secret_value()), what="LOGIN"
        )
        if response.result != "OK":
            text = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode(
                "utf-8", "replace"
            )
            raise ImapLoginFailed(mailbox=box.name, reason=text[:200] or response.result)
        await self._guard(self._client.protocol.capability(), what="CAPABILITY")
        response = await self._guard(self._client.select(box.folder), what="SELECT")
        if response.result != "OK":
            raise ImapCommandFailed(mailbox=box.name, reason=f"SELECT {box.folder} refused")
        self.selected = _selected(box.name, response.lines, self._client)
        return self.selected

    async def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` now in the folder, ascending."""
        response = await self._guard(
            self._client.protocol.search(f"UID {last_uid + 1}:*", by_uid=True, charset=None),
            what="UID SEARCH",
        )
        if response.result != "OK":
            raise ImapCommandFailed(mailbox=self.mailbox.name, reason="UID SEARCH refused")
        return sorted(uid for uid in set(parse_search(response.lines)) if uid > last_uid)

    async def fetch(self, uid: int) -> FetchedRaw | None:
        """The raw message ``uid`` without setting \\Seen; None if it is gone (expunged)."""
        response = await self._guard(
            self._client.protocol.fetch(
                str(uid), "(UID INTERNALDATE BODY.PEEK[])", by_uid=True, timeout=None
            ),
            what="UID FETCH",
        )
        if response.result != "OK":
            raise ImapCommandFailed(mailbox=self.mailbox.name, reason=f"UID FETCH {uid} refused")
        for item in parse_fetch(response.lines):
            if item.uid == uid:
                return item
        return None

    async def move(self, uid: int, folder: str) -> None:
        """Move a taken message to ``folder`` (MOVE, or COPY then \\Deleted + UID EXPUNGE)."""
        assert self.selected is not None
        if self.selected.move:
            response = await self._guard(
                self._client.protocol.move(str(uid), folder, by_uid=True), what="UID MOVE"
            )
        else:
            response = await self._guard(
                self._client.protocol.copy(str(uid), folder, by_uid=True), what="UID COPY"
            )
            if response.result == "OK":
                response = await self._guard(
                    self._client.protocol.store(
                        str(uid), "+FLAGS.SILENT", r"(\Deleted)", by_uid=True
                    ),
                    what="UID STORE",
                )
            if response.result == "OK":
                response = await self._guard(
                    self._client.protocol.expunge(str(uid), by_uid=True), what="UID EXPUNGE"
                )
        if response.result != "OK":
            raise ImapCommandFailed(mailbox=self.mailbox.name, reason=f"moving UID {uid} refused")

    async def wait_for_mail(self) -> bool:
        """Block until the server announces new mail (IDLE) or the re-IDLE / poll time passes.

        Returns True when the server pushed something. Without IDLE, waits ``poll_seconds`` and
        sends NOOP (which also notices a dead connection)."""
        assert self.selected is not None
        box = self.mailbox
        if not (box.use_idle and self.selected.idle):
            await self._guard(
                asyncio.sleep(box.poll_seconds), what="poll", limit=box.poll_seconds + 5
            )
            await self._guard(self._client.noop(), what="NOOP")
            return False
        if self._unheard_push:
            self._unheard_push = False
            return True
        idle = await self._guard(self._client.idle_start(timeout=box.idle_seconds), what="IDLE")
        if self._unheard_push:  # announced between the check above and the IDLE command
            self._unheard_push = False
            self._client.idle_done()
            await self._guard(idle, what="IDLE DONE")
            return True
        pushed = await self._guard(
            self._client.wait_server_push(timeout=box.idle_seconds + 5),
            what="IDLE wait",
            limit=box.idle_seconds + 10,
        )
        self._client.idle_done()
        await self._guard(idle, what="IDLE DONE")
        return bool(pushed != aioimaplib.STOP_WAIT_SERVER_PUSH)

    async def close(self) -> None:
        """Log out politely if the connection is still up; never raises."""
        client, self._client = self._client, None
        if client is None:
            return
        if not self._lost.is_set():
            with contextlib.suppress(Exception):
                if client.has_pending_idle():
                    client.idle_done()  # LOGOUT would otherwise wait behind the IDLE command
                await asyncio.wait_for(client.logout(), 2)
        with contextlib.suppress(Exception):
            transport = client.protocol.transport
            if transport is not None:
                transport.close()


def _selected(mailbox: str, lines: list[Any], client: Any) -> SelectedMailbox:
    uidvalidity: int | None = None
    uidnext: int | None = None
    exists = 0
    for line in lines:
        if not isinstance(line, bytes):
            continue
        if match := _UIDVALIDITY.search(line):
            uidvalidity = int(match.group(1))
        if match := _UIDNEXT.search(line):
            uidnext = int(match.group(1))
        if match := _EXISTS.match(line):
            exists = int(match.group(1))
    if uidvalidity is None:
        raise ImapCommandFailed(mailbox=mailbox, reason="SELECT gave no UIDVALIDITY")
    return SelectedMailbox(
        uidvalidity=uidvalidity,
        uidnext=uidnext,
        exists=exists,
        idle=client.has_capability("IDLE"),
        move=client.has_capability("MOVE"),
    )
