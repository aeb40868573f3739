"""A tolerant MIME tree over the raw message bytes.

Parts keep offsets into the buffer they came from instead of copies, so a mail with a 30 MB
attachment is sliced only when that part's payload is actually decoded. Broken structure
(no closing boundary, no boundary at all, header garbage) becomes a defect, never an exception.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from inbox.parse.headers import ParamValue, parse_param_header

MAX_DEPTH = 30
MAX_PARTS = 2000

_HEADER_NAME = re.compile(rb"[!-9;-~]+[ \t]*:")
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_IGNORABLE = b"\r\n\t ="
_QP_BAD = re.compile(rb"=(?![0-9A-Fa-f]{2}|[ \t]*\r?\n|[ \t]*$)")


@dataclass
class Part:
    """One MIME entity: raw headers, body offsets in ``buf`` and children."""

    buf: bytes
    headers: list[tuple[str, bytes]]
    body_start: int
    body_end: int
    path: str
    children: list[Part] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    _content_type: ParamValue | None = None

    def header(self, name: str) -> bytes | None:
        """The first raw value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def all_headers(self, name: str) -> list[bytes]:
        """Every raw value of header ``name``."""
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    @property
    def content_type(self) -> ParamValue:
        """Parsed Content-Type, defaulting to text/plain as RFC 2045 says."""
        if self._content_type is None:
            parsed = parse_param_header(self.header("content-type"))
            if "/" not in parsed.value:
                if parsed.value:
                    parsed.warnings.append(f"不正な Content-Type「{parsed.value}」")
                parsed = ParamValue("text/plain", parsed.params, parsed.warnings)
            self._content_type = parsed
        return self._content_type

    @property
    def maintype(self) -> str:
        """``text`` of ``text/plain``."""
        return self.content_type.value.split("/", 1)[0]

    @property
    def body_size(self) -> int:
        """Size of the encoded body in bytes."""
        return self.body_end - self.body_start

    @property
    def transfer_encoding(self) -> str:
        """Content-Transfer-Encoding, lower-cased, ``7bit`` when absent."""
        raw = self.header("content-transfer-encoding")
        if raw is None:
            return "7bit"
        return raw.decode("latin-1").strip().strip('"').lower() or "7bit"

    def raw_body(self) -> bytes:
        """The still-encoded body bytes."""
        return self.buf[self.body_start : self.body_end]

    def iter_parts(self) -> list[Part]:
        """This part and all descendants, depth first."""
        result = [self]
        for child in self.children:
            result.extend(child.iter_parts())
        return result


def _split_headers(
    buf: bytes, start: int, end: int
) -> tuple[list[tuple[str, bytes]], int, list[str]]:
    headers: list[tuple[str, bytes]] = []
    defects: list[str] = []
    pos = start
    name: str | None = None
    value = bytearray()
    while pos < end:
        nl = buf.find(b"\n", pos, end)
        line_end = end if nl == -1 else nl + 1
        line = buf[pos:line_end]
        stripped = line.rstrip(b"\r\n")
        if not stripped:
            pos = line_end
            break
        if stripped[:1] in (b" ", b"\t") and name is not None:
            value += b"\r\n" + stripped
        else:
            match = _HEADER_NAME.match(stripped)
            if match is None:
                if pos == start and stripped.startswith(b"From "):
                    pos = line_end  # mbox separator line
                    continue
                defects.append("ヘッダー部に不正な行があるため、そこから本文として扱いました")
                break
            if name is not None:
                headers.append((name, bytes(value)))
            name = match.group(0)[:-1].strip().decode("ascii").lower()
            value = bytearray(stripped[match.end() :].lstrip(b" \t"))
        pos = line_end
    if name is not None:
        headers.append((name, bytes(value)))
    return headers, pos, defects


def _find_delimiters(
    buf: bytes, start: int, end: int, boundary: bytes
) -> list[tuple[int, int, bool]]:
    """(line start, line end incl. newline, is_close) for each boundary line in the body."""
    marker = b"--" + boundary
    found: list[tuple[int, int, bool]] = []
    pos = start
    while True:
        idx = buf.find(marker, pos, end)
        if idx == -1:
            return found
        pos = idx + len(marker)
        if idx != start and buf[idx - 1] != 0x0A:
            continue
        nl = buf.find(b"\n", pos, end)
        line_end = end if nl == -1 else nl + 1
        rest = buf[pos:line_end].rstrip(b"\r\n")
        is_close = rest.startswith(b"--")
        tail = rest[2:] if is_close else rest
        if tail.strip(b" \t"):
            continue
        found.append((idx, line_end, is_close))
        pos = line_end
        if is_close:
            return found


def _child_path(parent: str, number: int) -> str:
    return f"{parent}.{number}" if parent else str(number)


def _trim_newline(buf: bytes, start: int, end: int) -> int:
    """The CRLF before a boundary line belongs to the boundary (RFC 2046)."""
    if end > start and buf[end - 1] == 0x0A:
        end -= 1
        if end > start and buf[end - 1] == 0x0D:
            end -= 1
    return end


class _Counter:
    def __init__(self) -> None:
        self.count = 0


def parse_entity(
    buf: bytes,
    start: int = 0,
    end: int | None = None,
    path: str = "",
    *,
    depth: int = 0,
    counter: _Counter | None = None,
) -> Part:
    """Parse one MIME entity (headers plus body) from ``buf[start:end]`` without copying it."""
    stop = len(buf) if end is None else end
    counter = counter or _Counter()
    counter.count += 1
    headers, body_start, defects = _split_headers(buf, start, stop)
    part = Part(buf, headers, body_start, stop, path, defects=defects)
    ctype = part.content_type
    part.defects.extend(ctype.warnings)
    if depth >= MAX_DEPTH or counter.count >= MAX_PARTS:
        if part.maintype in {"multipart", "message"}:
            part.defects.append("MIME の入れ子が深すぎるため、内部を解析しませんでした")
        return part
    if part.maintype == "multipart":
        _parse_multipart(part, depth, counter)
    elif ctype.value == "message/rfc822" or ctype.value == "message/global":
        inner_buf = buf
        inner_start, inner_end = body_start, stop
        if part.transfer_encoding in {"base64", "quoted-printable"}:
            inner_buf = decode_body(part).data
            inner_start, inner_end = 0, len(inner_buf)
        if inner_end > inner_start:
            child = parse_entity(
                inner_buf,
                inner_start,
                inner_end,
                _child_path(part.path, 1),
                depth=depth + 1,
                counter=counter,
            )
            part.children.append(child)
    return part


def _parse_multipart(part: Part, depth: int, counter: _Counter) -> None:
    boundary_text = part.content_type.params.get("boundary", "")
    if not boundary_text:
        part.defects.append("multipart に boundary がないため、本文をテキストとして扱いました")
        return
    boundary = boundary_text.encode("utf-8", errors="replace")
    buf = part.buf
    delimiters = _find_delimiters(buf, part.body_start, part.body_end, boundary)
    if not delimiters:
        part.defects.append("multipart の区切りが見つからないため、本文をテキストとして扱いました")
        return
    if not delimiters[-1][2]:
        part.defects.append("multipart の終端の区切りがありません（途中で切れている可能性）")
    for index, (_line_start, line_end, is_close) in enumerate(delimiters):
        if is_close:
            break
        if index + 1 < len(delimiters):
            child_end = _trim_newline(buf, line_end, delimiters[index + 1][0])
        else:
            child_end = part.body_end
        child = parse_entity(
            buf,
            line_end,
            child_end,
            _child_path(part.path, len(part.children) + 1),
            depth=depth + 1,
            counter=counter,
        )
        part.children.append(child)


@dataclass
class Payload:
    """A decoded body and what went wrong decoding it."""

    data: bytes
    warnings: list[str] = field(default_factory=list)


def _base64_size(raw: bytes) -> int:
    leftover = raw.translate(None, _B64_ALPHABET)
    symbols = len(raw) - len(leftover)
    return symbols * 3 // 4


def decoded_size(part: Part) -> int:
    """Size of the decoded payload, computed without decoding large base64 bodies."""
    encoding = part.transfer_encoding
    if encoding == "base64":
        return _base64_size(part.buf[part.body_start : part.body_end])
    return len(decode_body(part).data)


def _decode_base64(raw: bytes) -> Payload:
    leftover = raw.translate(None, _B64_ALPHABET)
    if leftover.translate(None, _B64_IGNORABLE):
        warnings = ["base64 に不正な文字が含まれていたため、無視して復号しました"]
    else:
        warnings = []
    first_pad = raw.find(b"=")
    padded_inside = first_pad != -1 and bool(
        raw[first_pad:].translate(None, _B64_IGNORABLE + leftover)
    )
    if not padded_inside:
        try:
            return Payload(binascii.a2b_base64(raw), warnings)
        except binascii.Error:
            pass
    else:
        chunks = [
            _decode_base64(chunk + b"=" * (-len(chunk) % 4)).data
            for chunk in re.split(rb"=+", raw.translate(None, bytes(set(leftover) - {61})))
            if chunk
        ]
        return Payload(b"".join(chunks), [*warnings, "base64 の途中にパディングがありました"])
    cleaned = raw.translate(None, bytes(set(leftover)))
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += b"=" * (-len(cleaned) % 4)
    data = binascii.a2b_base64(cleaned)
    return Payload(data, [*warnings, "base64 の長さやパディングが不正なため、補って復号しました"])


def decode_body(part: Part) -> Payload:
    """Undo the Content-Transfer-Encoding of ``part``; never raises."""
    raw = part.buf[part.body_start : part.body_end]
    encoding = part.transfer_encoding
    if encoding == "base64":
        return _decode_base64(raw)
    if encoding == "quoted-printable":
        warnings = []
        if _QP_BAD.search(raw):
            warnings.append("quoted-printable に不正な = の並びがあり、そのまま残しました")
        return Payload(binascii.a2b_qp(raw), warnings)
    if encoding in {"7bit", "8bit", "binary"}:
        return Payload(raw)
    if encoding in {"x-uuencode", "uuencode", "x-uue"}:
        return _decode_uu(raw)
    return Payload(raw, [f"不明な転送エンコーディング「{encoding}」のため、そのまま扱いました"])


def _decode_uu(raw: bytes) -> Payload:
    out = bytearray()
    started = False
    for line in raw.splitlines():
        if not started:
            started = line.startswith(b"begin ")
            continue
        if line.strip() in (b"end", b"`", b""):
            if line.strip() == b"end":
                break
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            return Payload(bytes(out), ["uuencode を最後まで復号できませんでした"])
    return Payload(bytes(out))
