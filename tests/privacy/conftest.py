"""Fixtures of the privacy tests: the call-path template database, Dovecot, the media store."""

from __future__ import annotations

from tests.callpath.conftest import callpath_db  # noqa: F401 (a fixture, re-used)
from tests.inbox_intake.conftest import imap_server  # noqa: F401 (a fixture, re-used)
from tests.mediastore2.conftest import keyring, sqlite_db, store, wav  # noqa: F401 (fixtures)
