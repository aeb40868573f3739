"""FreeSWITCH's url encoding of header values (switch_url_encode / switch_url_decode).

Checked against src/switch_utils.c and src/include/switch_utils.h: every byte below 0x20 or
above 0x7E, and every byte of ``SWITCH_URL_UNSAFE`` (``\\r\\n #%&+:;<=>?@[\\]^`{|}"``), becomes
``%XX`` with upper-case hex; everything else is copied. ``+`` is never a space.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote, unquote_to_bytes

SWITCH_URL_UNSAFE: Final = '\r\n #%&+:;<=>?@[\\]^`{|}"'
# Printable ASCII that FreeSWITCH copies as is (quote() always keeps letters, digits and "_.-~").
_SAFE: Final = "".join(
    chr(c) for c in range(0x20, 0x7F) if chr(c) not in SWITCH_URL_UNSAFE and not chr(c).isalnum()
)
_UPPER_ESCAPE: Final = re.compile(r"(%[0-9A-F]{2})")


def url_encode(value: str | bytes, *, double_encode: bool = True) -> str:
    """Encode a header value exactly as FreeSWITCH's serializer does.

    ``double_encode=False`` mirrors ``switch_url_encode_opt(..., SWITCH_FALSE)`` of newer
    FreeSWITCH releases: an existing ``%XX`` escape (upper-case hex) is copied, not re-escaped.
    """
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    if double_encode:
        return quote(data, safe=_SAFE)
    parts = _UPPER_ESCAPE.split(data.decode("latin-1"))
    return "".join(
        part if i % 2 else quote(part.encode("latin-1"), safe=_SAFE) for i, part in enumerate(parts)
    )


def url_decode(value: str) -> str:
    """Decode one header value (UTF-8; bytes that are not UTF-8 become U+FFFD)."""
    if "%" not in value:
        if value.isascii():
            return value
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    decoded = unquote(value, encoding="utf-8", errors="replace")
    if decoded.isascii():
        return decoded
    try:
        decoded.encode("utf-8")
    except UnicodeEncodeError:
        return url_decode_bytes(value).decode("utf-8", "replace")
    return decoded


def url_decode_bytes(value: str) -> bytes:
    """Decode one header value to the exact bytes FreeSWITCH held (for non-UTF-8 caller names)."""
    return unquote_to_bytes(value.encode("utf-8", "surrogateescape"))
