"""Message-IDs in the center's domain and the In-Reply-To / References that keep a thread."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence

MAX_REFERENCES = 20
_DOMAIN = re.compile(r"^[A-Za-z0-9.-]{1,200}$")


def make_message_id(*, domain: str) -> str:
    """A fresh ``<time.random@domain>`` (RFC 5322 msg-id, unique without coordination)."""
    if not _DOMAIN.match(domain):
        raise ValueError(f"not a mail domain: {domain!r}")
    return f"<{int(time.time() * 1000)}.{secrets.token_hex(10)}@{domain}>"


def bracketed(message_id: str) -> str:
    """A msg-id with its angle brackets."""
    value = message_id.strip().strip("<>").strip()
    return f"<{value}>" if value else ""


def thread_headers(
    *, original_id: str | None, original_references: Sequence[str]
) -> dict[str, str]:
    """In-Reply-To and References for an answer to a message (RFC 5322 3.6.4)."""
    if not original_id:
        refs = [bracketed(r) for r in original_references if bracketed(r)]
        return {"References": " ".join(refs[-MAX_REFERENCES:])} if refs else {}
    parent = bracketed(original_id)
    refs = [bracketed(r) for r in original_references if bracketed(r)]
    if not refs or refs[-1] != parent:
        refs.append(parent)
    # keep the thread root and the most recent ids when the chain is long
    if len(refs) > MAX_REFERENCES:
        refs = [refs[0], *refs[-(MAX_REFERENCES - 1) :]]
    return {"In-Reply-To": parent, "References": " ".join(refs)}


def reply_subject(original: str) -> str:
    """``Re: `` before the original subject, once."""
    subject = " ".join(original.split())
    if re.match(r"^(re|ｒｅ|返信)\s*[:：]", subject, re.IGNORECASE):
        return subject
    return f"Re: {subject}" if subject else "Re: お問い合わせの件"
