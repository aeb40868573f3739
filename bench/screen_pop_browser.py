"""Screen-pop latency in a real browser (N-PERF-1): from the server's offer to the rendered pop.

Usage: PYTHONPATH=. python bench/screen_pop_browser.py [--pops 20]

Starts the whole server with the FreeSWITCH stand-in (the call-path test rig: demo call-path
configuration, scripted callers), opens the agent desk of ``op1`` in Debian's Chromium (fake
media devices), sets it ready and places ``--pops`` calls one after another; each caller hangs
up once its pop is shown. Latency per pop = the page's clock when desk.js rendered it
(``performance.timeOrigin + performance.now()``) minus the pop's ``offered_at_ms`` (taken by
switch/callpath/cti.py when the offer's pop is built); both are this host's epoch clock.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from realtime import migrate
from realtime.db import Database
from tests.callpath.harness import seed
from tests.support.app import make_settings
from tests.webagent.browsing import VIEWPORT
from tests.webagent.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webagent_desk.conftest import MEDIA_ARGS
from tests.webagent_e2e.conftest import RING_S
from tests.webagent_e2e.live import (
    PopLatency,
    live_server,
    measure_pops,
    open_desk,
    percentile,
    sign_in,
    state_pill,
)


def template_database(folder: Path) -> Path:
    """A migrated database seeded like the call-path tests (demo configuration, users)."""
    path = folder / "template.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    database = Database(url)
    try:
        seed(database, make_settings(folder, url))
    finally:
        database.dispose()
    return path


def measure(pops: int) -> PopLatency:
    """Run the browser session and return the latencies."""
    with tempfile.TemporaryDirectory(prefix="pop-bench-") as tmp:
        base = Path(tmp)
        (base / "template").mkdir()
        (base / "server").mkdir()
        template = template_database(base / "template")
        with (
            live_server(base / "server", template, callpath_ring_timeout_s=RING_S) as server,
            sync_playwright() as driver,
        ):
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + MEDIA_ARGS
            )
            try:
                context = browser.new_context(
                    viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo"
                )
                context.set_default_timeout(15_000)
                page = context.new_page()
                sign_in(page, server, "op1")
                open_desk(page, server)
                page.keyboard.press("Alt+1")
                state_pill(page, "ready")
                latency = measure_pops(page, server, count=pops)
                context.close()
            finally:
                browser.close()
    return latency


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pops", type=int, default=20, help="calls to place (at least 1)")
    args = parser.parse_args(argv)
    if args.pops < 1:
        parser.error("--pops must be at least 1")
    if not CHROMIUM.exists():
        print("Debian's Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    latency = measure(args.pops)
    print(f"host: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"screen pops measured: {len(latency.samples)}")
    print(f"p50 {latency.p50:.0f} ms, p95 {latency.p95:.0f} ms, max {latency.max:.0f} ms")
    print("samples (ms): " + ", ".join(f"{s:.0f}" for s in latency.samples))
    logged = latency.from_log
    print(
        f"from the logged agent.offered (includes the contact-log write): p50 "
        f"{percentile(logged, 0.5):.0f} ms, p95 {percentile(logged, 0.95):.0f} ms, "
        f"max {max(logged):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
