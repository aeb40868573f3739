"""The call path's template database fixture, imported from tests/callpath (not copied)."""

from __future__ import annotations

from tests.callpath.conftest import callpath_db

__all__ = ["callpath_db"]
