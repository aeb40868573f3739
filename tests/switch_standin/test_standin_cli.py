"""The ``standin`` command starts a listener that answers ESL clients."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.req("F-1.1.1")
def test_standin_command_serves_auth_request(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "switch.standin.cli",
            "standin",
            "--port",
            str(port),
            "--media-dir",
            str(tmp_path),
            "--serve-seconds",
            "5",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f":{port}" in line
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            assert conn.recv(100) == b"Content-Type: auth/request\n\n"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
