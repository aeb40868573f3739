"""Loading the real FreeSWITCH captures in ../shared/fixtures/esl (skip when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "esl"


def capture(name: str) -> bytes:
    """A capture's bytes with its '#' comment lines removed, as the README says."""
    path = CAPTURES / name
    if not path.is_file():
        pytest.skip(f"shared ESL capture {path} is not available")
    raw = path.read_bytes()
    return b"".join(line for line in raw.splitlines(keepends=True) if not line.startswith(b"#"))


def byte_exact_captures() -> list[str]:
    """Names of the byte-exact captures (recorded session frames)."""
    if not CAPTURES.is_dir():
        return []
    return sorted(p.name for p in CAPTURES.glob("*__danbarua-NEventSocket.txt"))


def after_blank_line(data: bytes) -> bytes:
    """The part of a framed capture after its outer header block."""
    return data.split(b"\n\n", 1)[1]
