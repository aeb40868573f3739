"""What the browser tests share: the demo server handle, TOTP codes, sign-in as a person."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
from playwright.sync_api import BrowserContext, Page, ViewportSize

REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Madoguchi-demo-2026"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

NewContext = Callable[[], BrowserContext]
"""Type of the new_context fixture: call it for a fresh, isolated browser context."""


@dataclass
class DemoServer:
    """One running `madoguchi demo` process and what the tests need to reach it."""

    url: str
    data_dir: Path
    log_path: Path
    totp: dict[str, TotpState] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class TotpState:
    """A user's enrolled TOTP secret and the last time step the server accepted."""

    secret: str
    last_step: int

    def next_code(self) -> str:
        """A code the server accepts now: a step within ±1 of now not used before (no replay)."""
        totp = pyotp.TOTP(self.secret)
        now = int(time.time() // totp.interval)
        step = max(now, self.last_step + 1)
        if step > now + 1:
            raise RuntimeError("two TOTP sign-ins of one user in one time step; use another user")
        self.last_step = step
        return totp.at(step * totp.interval)


def submit_signin(page: Page, server: DemoServer, username: str, password: str) -> None:
    """Open the sign-in page and sign in with the keyboard, as a person would."""
    page.goto(f"{server.url}/signin")
    page.get_by_label("ユーザーID").fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def sign_in(page: Page, server: DemoServer, username: str) -> None:
    """Sign a demo user in completely, enrolling or verifying TOTP when the role needs it."""
    submit_signin(page, server, username, DEMO_PASSWORD)
    page.wait_for_url(lambda u: not u.endswith("/signin") and "/signin?" not in u)
    path = page.url.removeprefix(server.url)
    if path == "/account/totp":
        secret = page.locator("#totp-secret").inner_text().strip()
        state = TotpState(secret=secret, last_step=-1)
        page.get_by_label("確認コード（6桁）").fill(state.next_code())
        page.get_by_role("button", name="登録する").click()
        server.totp[username] = state
    elif path == "/signin/totp":
        page.get_by_label("確認コード（6桁）").fill(server.totp[username].next_code())
        page.get_by_role("button", name="確認").click()
    page.wait_for_url(f"{server.url}/")
