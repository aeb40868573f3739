"""Test mail built from the parser fixtures' generators, each made unique by a Message-ID."""

from __future__ import annotations

import itertools

from tests.inbox import make_mails

VARIED = [
    make_mails.outlook_iso2022jp,
    make_mails.sjis_windows31j,
    make_mails.eucjp,
    make_mails.utf8_base64,
    make_mails.utf8_qp,
    make_mails.nocharset_cp932,
    make_mails.split_subject,
    make_mails.rfc2231_filename,
    make_mails.html_only,
    make_mails.alternative,
    make_mails.forward_rfc822,
    make_mails.forward_inline_outlook,
    make_mails.good_tiff,
]


def unique(raw: bytes, n: int, tag: str = "t") -> bytes:
    """``raw`` with its Message-ID replaced by a unique one (so copies differ), with CRLF line
    ends as IMAP carries them."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    header, sep, body = raw.partition(b"\r\n\r\n")
    lines = [line for line in header.split(b"\r\n") if not line.lower().startswith(b"message-id:")]
    lines.append(f"Message-ID: <{tag}-{n}@sender.example.jp>".encode())
    return b"\r\n".join(lines) + sep + body


def varied(count: int, tag: str = "t") -> list[bytes]:
    """``count`` distinct Japanese citizen mails in several charsets and shapes."""
    builders = itertools.cycle(VARIED)
    return [unique(next(builders)(), n, tag) for n in range(count)]
