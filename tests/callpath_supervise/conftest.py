"""The call-path template database (tests/callpath/conftest.py) is reused as it is."""

from tests.callpath.conftest import callpath_db

__all__ = ["callpath_db"]
