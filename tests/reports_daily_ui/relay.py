"""An aiosmtpd relay on a free loopback port, served from its own thread and event loop, so a
synchronous test (TestClient, a browser) can send to it; built on tests/cms_reports' handler."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP

from tests.cms_reports.test_daily import RECIPIENTS, Handler

__all__ = ["RECIPIENTS", "Handler", "PermanentRefusal", "Relay", "relay_on_loopback"]


class PermanentRefusal(Handler):
    """Refuses the first ``refuse`` recipients permanently (550), then accepts."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_calls += 1
        if self.rcpt_calls <= self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@dataclass
class Relay:
    """Where the relay listens and what it received."""

    port: int
    handler: Handler

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        out = []
        for rcpts, raw in self.handler.messages:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append((rcpts, msg))
        return out


@contextmanager
def relay_on_loopback(handler: Handler) -> Iterator[Relay]:
    """Serve ``handler`` on 127.0.0.1 (port 0) until the block ends."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0))
        box["server"] = server
        box["port"] = server.sockets[0].getsockname()[1]
        started.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()

    thread = threading.Thread(target=run, name="smtp-relay", daemon=True)
    thread.start()
    assert started.wait(30), "the SMTP relay did not start"
    try:
        yield Relay(port=int(box["port"]), handler=handler)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
