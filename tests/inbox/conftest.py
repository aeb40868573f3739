"""Shared helpers for the mail parser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

MAILS = Path(__file__).resolve().parent / "mails"


@pytest.fixture
def mail_bytes():
    """Read a committed .eml fixture by name."""

    def read(name: str) -> bytes:
        return (MAILS / name).read_bytes()

    return read
