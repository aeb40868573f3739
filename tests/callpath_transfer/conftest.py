"""The call path's template database (tests/callpath/conftest.py), shared with these tests."""

from __future__ import annotations

from tests.callpath.conftest import callpath_db

__all__ = ["callpath_db"]
