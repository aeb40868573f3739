"""Header decoding: encoded words (including ones split mid-character), RFC 2231 parameters,
addresses and message ids.

Adjacent encoded words of one charset are joined as bytes before the charset is decoded,
because clients split ISO-2022-JP and UTF-8 text between words inside a character.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from dataclasses import dataclass, field
from email.utils import getaddresses

from inbox.parse.charsets import decode_text, detect_and_decode

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")
_WSP_ONLY = re.compile(r"[ \t\r\n]*")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_B64_CHARS = re.compile(r"[^A-Za-z0-9+/]")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


@dataclass
class HeaderText:
    """Decoded header text with the warnings met while decoding it."""

    text: str
    warnings: list[str] = field(default_factory=list)


def raw_to_str(raw: bytes) -> HeaderText:
    """Turn raw header bytes into text: ASCII as is, 8-bit text by charset detection."""
    unfolded = _FOLD.sub("", raw.decode("latin-1")).encode("latin-1")
    if unfolded.isascii() and b"\x1b" not in unfolded:
        return HeaderText(unfolded.decode("ascii"))
    decoded = detect_and_decode(unfolded)
    return HeaderText(decoded.text, list(decoded.warnings))


def _b_decode(payload: str) -> bytes:
    cleaned = _B64_CHARS.sub("", payload.rstrip("="))
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned)


def _q_decode(payload: str) -> bytes:
    data = payload.replace("_", " ").encode("latin-1", errors="replace")
    return _QP_HEX.sub(lambda m: bytes((int(m.group(1), 16),)), data)


def _decode_run(words: list[tuple[str, str, str]]) -> HeaderText:
    """Decode a run of adjacent encoded words that share one charset."""
    charset = words[0][0]
    all_b = all(enc.upper() == "B" for _, enc, _ in words)
    if all_b and any(len(p.rstrip("=")) % 4 and not p.endswith("=") for _, _, p in words[:-1]):
        # A client split one base64 string between words without padding each piece.
        data = _b_decode("".join(p.rstrip("=") for _, _, p in words))
    else:
        chunks = [
            _b_decode(payload) if enc.upper() == "B" else _q_decode(payload)
            for _, enc, payload in words
        ]
        data = b"".join(chunks)
    decoded = decode_text(data, charset)
    return HeaderText(decoded.text, list(decoded.warnings))


def decode_encoded_words(text: str) -> HeaderText:
    """Decode RFC 2047 encoded words in ``text``, joining same-charset neighbours first."""
    out: list[str] = []
    warnings: list[str] = []
    run: list[tuple[str, str, str]] = []
    run_key = ""
    pos = 0

    def flush() -> None:
        nonlocal run
        if run:
            try:
                decoded = _decode_run(run)
            except (binascii.Error, ValueError):
                decoded = HeaderText(
                    "".join(f"=?{c}?{e}?{p}?=" for c, e, p in run),
                    ["ヘッダーの符号化語を復号できませんでした"],
                )
            out.append(decoded.text)
            warnings.extend(decoded.warnings)
            run = []

    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        charset = match.group(1).split("*", 1)[0]
        key = charset.lower()
        if run and _WSP_ONLY.fullmatch(gap) and key == run_key:
            run.append((charset, match.group(2), match.group(3)))
        else:
            if run and _WSP_ONLY.fullmatch(gap):
                gap = ""
            flush()
            out.append(gap)
            run = [(charset, match.group(2), match.group(3))]
            run_key = key
        pos = match.end()
    flush()
    out.append(text[pos:])
    return HeaderText("".join(out), warnings)


def decode_header(raw: bytes | None) -> HeaderText:
    """Decode one raw (possibly folded, possibly 8-bit) header value to display text."""
    if raw is None:
        return HeaderText("")
    base = raw_to_str(raw)
    decoded = decode_encoded_words(base.text)
    text = " ".join(decoded.text.split()) if "\n" in decoded.text else decoded.text.strip()
    return HeaderText(text.strip(), base.warnings + decoded.warnings)


@dataclass(frozen=True)
class Address:
    """One mailbox: decoded display name and address."""

    name: str
    address: str

    def display(self) -> str:
        """Human-readable form: ``名前 <address>`` or the bare address."""
        if self.name and self.address:
            return f"{self.name} <{self.address}>"
        return self.name or self.address


def parse_addresses(raw: bytes | None) -> tuple[list[Address], list[str]]:
    """Parse an address-list header into decoded mailboxes."""
    if raw is None:
        return [], []
    base = raw_to_str(raw)
    warnings = list(base.warnings)
    result: list[Address] = []
    for name, addr in getaddresses([base.text]):
        decoded = decode_encoded_words(name)
        warnings.extend(decoded.warnings)
        display = " ".join(decoded.text.split())
        if display or addr:
            result.append(Address(display, addr.strip()))
    if not result and base.text.strip():
        fallback = decode_encoded_words(base.text)
        result.append(Address(" ".join(fallback.text.split()), ""))
    return result, warnings


def parse_msg_ids(raw: bytes | None) -> list[str]:
    """Message ids from Message-ID, In-Reply-To or References, with angle brackets."""
    if raw is None:
        return []
    text = raw.decode("latin-1")
    ids = _MSG_ID.findall(text)
    if ids:
        return list(ids)
    token = text.strip()
    if token and " " not in token and "@" in token:
        return [f"<{token}>"]
    return []


@dataclass
class ParamValue:
    """A MIME header value split into its main value and decoded parameters."""

    value: str
    params: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def _split_params(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            current.append(char)
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_param_header(raw: bytes | None) -> ParamValue:
    """Parse Content-Type / Content-Disposition with RFC 2231 and RFC 2047 parameters."""
    if raw is None:
        return ParamValue("", {})
    base = raw_to_str(raw)
    warnings = list(base.warnings)
    pieces = _split_params(base.text)
    value = pieces[0].strip().lower()
    simple: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[bool, str]]] = {}
    for piece in pieces[1:]:
        if "=" not in piece:
            continue
        name, _, val = piece.partition("=")
        name = name.strip().lower()
        if not name:
            continue
        match = re.fullmatch(r"([^*]+)\*(\d+)?(\*)?|([^*]+)\*", name)
        if match and match.group(1) and match.group(2) is not None:
            extended.setdefault(match.group(1), {})[int(match.group(2))] = (
                bool(match.group(3)),
                _unquote(val),
            )
        elif match and (match.group(4) or (match.group(1) and match.group(3) is None)):
            key = match.group(4) or match.group(1)
            extended.setdefault(key, {})[0] = (True, _unquote(val))
        else:
            simple.setdefault(name, _unquote(val))
    params: dict[str, str] = {}
    for key, val in simple.items():
        decoded = decode_encoded_words(val)
        warnings.extend(decoded.warnings)
        params[key] = decoded.text
    for key, segments in extended.items():
        decoded_value = _join_rfc2231(segments)
        warnings.extend(decoded_value.warnings)
        params[key] = decoded_value.text
    return ParamValue(value, params, warnings)


def _join_rfc2231(segments: dict[int, tuple[bool, str]]) -> HeaderText:
    """Join RFC 2231 continuations as percent-encoded text first, then decode once.

    Joining before unquoting keeps a character (or even a %XX escape) split between
    segments intact.
    """
    charset: str | None = None
    encoded: list[str] = []
    first = min(segments)
    for index in sorted(segments):
        is_encoded, text = segments[index]
        if is_encoded:
            if index == first and text.count("'") >= 2:
                charset, _lang, text = text.split("'", 2)
            encoded.append(text)
        else:
            encoded.append(urllib.parse.quote_from_bytes(text.encode("utf-8")))
    data = urllib.parse.unquote_to_bytes("".join(encoded))
    if not charset:
        if data.isascii():
            return decode_encoded_words(data.decode("ascii"))
        detected = detect_and_decode(data)
        return HeaderText(detected.text, list(detected.warnings))
    result = decode_text(data, charset)
    return HeaderText(result.text, list(result.warnings))
