"""Validation of values placed into FreeSWITCH command lines and originate variable blocks.

Command arguments are split on spaces, ``{a=b,c=d}`` blocks on commas, and ``${...}`` is
expanded (``${system ...}`` runs a shell command): a value from a caller, a form or the CRM must
never reach a command line unchecked. Every check raises :class:`InvalidCallArgument`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from switch.connection.errors import InvalidCallArgument

_UUID: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{7,63}")
_DIGITS: Final = re.compile(r"[0-9*#]{1,64}")
_VAR_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_TOKEN: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}")
# Characters that end or re-open a variable block, quote, escape or expand.
_VALUE_FORBIDDEN: Final = frozenset("{}[]<>'\"\\$^,|`")
_DIAL_FORBIDDEN: Final = frozenset("{}[]<>'\"\\$^,|` \t")
_PATH_FORBIDDEN: Final = frozenset("{}[]<>'\"\\$^,|`!;&")


def _reject_controls(field: str, value: str) -> None:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise InvalidCallArgument(field=field, value=value, reason="contains a control character")


def uuid(value: str, *, field: str = "uuid") -> str:
    """A channel or job UUID: letters, digits and dashes only."""
    if not _UUID.fullmatch(value):
        raise InvalidCallArgument(field=field, value=value, reason="is not a channel UUID")
    return value


def digits(value: str, *, field: str = "digits") -> str:
    """DTMF digits: 0-9, * and # only."""
    if not _DIGITS.fullmatch(value):
        raise InvalidCallArgument(field=field, value=value, reason="is not DTMF digits")
    return value


def token(value: str, *, field: str) -> str:
    """A single word: letters, digits, ``_ . -`` (conference names, profiles, causes)."""
    if not _TOKEN.fullmatch(value):
        raise InvalidCallArgument(field=field, value=value, reason="must be one plain word")
    return value


def var_name(value: str) -> str:
    """A channel variable name."""
    if not _VAR_NAME.fullmatch(value):
        raise InvalidCallArgument(field="variable name", value=value, reason="is not a name")
    return value


def var_value(value: str, *, field: str = "variable value") -> str:
    """A channel variable value that can sit inside ``'...'`` in ``{...}`` without escaping."""
    _reject_controls(field, value)
    bad = sorted(set(value) & _VALUE_FORBIDDEN)
    if bad:
        raise InvalidCallArgument(field=field, value=value, reason=f"contains {''.join(bad)!r}")
    return value


def dial_string(value: str, *, field: str = "dial string") -> str:
    """An endpoint such as ``user/1001``, ``sofia/gateway/trunk/0312345678``: no blanks."""
    _reject_controls(field, value)
    bad = sorted(set(value) & _DIAL_FORBIDDEN)
    if bad or not value or "/" not in value:
        raise InvalidCallArgument(field=field, value=value, reason="is not a plain endpoint")
    return value


def path(value: str, *, field: str = "path") -> str:
    """A file path or sound URI (``local_stream://moh``, ``/var/lib/...wav``): no blanks."""
    _reject_controls(field, value)
    bad = sorted(set(value) & _PATH_FORBIDDEN)
    if bad or not value or " " in value:
        raise InvalidCallArgument(field=field, value=value, reason="is not a plain path")
    return value


def variable_block(variables: Mapping[str, str]) -> str:
    """``{name='value',...}`` for originate/bridge; empty string when there are no variables."""
    if not variables:
        return ""
    parts = [f"{var_name(k)}='{var_value(v, field=k)}'" for k, v in variables.items()]
    return "{" + ",".join(parts) + "}"
