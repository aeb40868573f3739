"""The softphone's TypeScript: its unit tests (vitest: the ICE gate, auto-answer arming, the
timer) pass, and the committed bundle webagent/static/js/softphone.js is what the source builds.
Both need the Node packages (`npm ci` in webagent/softphone); the product itself never does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOFTPHONE = REPO / "webagent" / "softphone"
BUNDLE = REPO / "webagent" / "static" / "js" / "softphone.js"


def _node_tools() -> None:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (SOFTPHONE / "node_modules" / ".bin" / "vite").exists():
        pytest.skip("softphone packages not installed (cd webagent/softphone && npm ci)")


@pytest.mark.req("N-PERF-1")
def test_softphone_unit_tests_pass() -> None:
    _node_tools()
    run = subprocess.run(
        [str(SOFTPHONE / "node_modules" / ".bin" / "vitest"), "run", "--reporter=dot"],
        cwd=SOFTPHONE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "7 passed" in run.stdout, run.stdout


@pytest.mark.req("N-USE-1")
def test_committed_bundle_is_built_from_the_source(tmp_path: Path) -> None:
    _node_tools()
    run = subprocess.run(
        [str(SOFTPHONE / "node_modules" / ".bin" / "vite"), "build", "--outDir", str(tmp_path)],
        cwd=SOFTPHONE,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "softphone.js").read_bytes() == BUNDLE.read_bytes(), (
        "webagent/static/js/softphone.js is stale: run `npm run build` in webagent/softphone"
    )
