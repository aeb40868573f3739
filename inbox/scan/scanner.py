"""The scanning hook: a Scanner protocol, the built-in policy scanner and a clamd client.

The policy scanner needs no signatures: it quarantines what a city office never needs to open
from citizens' mail — programs and scripts (by name and by content), Office files with macros,
encrypted archives (they cannot be checked), PDFs that run JavaScript or launch programs, and
anything over the size limit. ``ClamdScanner`` asks a running clamd (INSTREAM over a unix or TCP
socket) when ``MADOGUCHI_INBOX_CLAMD`` is set; if clamd cannot answer, the file is quarantined
with that reason and ``retry`` set (held, scanned again later), never passed unchecked.
"""

from __future__ import annotations

import io
import socket
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

DANGEROUS_EXTENSIONS = frozenset(
    {
        "exe", "scr", "com", "pif", "bat", "cmd", "cpl", "msi", "msp", "dll", "sys", "jar",
        "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "lnk", "reg", "inf",
        "iso", "img", "vhd", "vhdx", "chm", "application", "gadget", "msc", "scf", "sh",
        "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppam", "sldm",
    }
)  # fmt: skip
_ARCHIVE_EXTENSIONS = ("zip", "docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "jar")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ScanResult:
    """A scanner's verdict: clean, or not with a Japanese reason."""

    clean: bool
    reason: str
    scanner: str
    retry: bool = False  # the scanner could not judge (clamd down): hold and scan again later


class Scanner(Protocol):
    """Anything that can judge one file."""

    @property
    def name(self) -> str:
        """Which scanner this is (stored with each verdict)."""
        ...

    def scan(self, *, data: bytes, filename: str, content_type: str) -> ScanResult:
        """Judge ``data`` (never raises on bad input)."""
        ...


def _extension(filename: str) -> str:
    base = filename.strip().rstrip(". ").lower()
    return base.rpartition(".")[2] if "." in base else ""


@dataclass(frozen=True)
class PolicyScanner:
    """Type, content and size rules (no signatures)."""

    max_bytes: int = 20 * 1024 * 1024
    name: str = "policy"

    def _bad(self, reason: str) -> ScanResult:
        return ScanResult(False, reason, self.name)

    def scan(self, *, data: bytes, filename: str, content_type: str) -> ScanResult:
        """Judge one file by size, name, declared type and content."""
        label = filename or content_type or "添付ファイル"
        if len(data) > self.max_bytes:
            return self._bad(
                f"「{label}」は大きすぎます（{len(data)} バイト、上限 {self.max_bytes} バイト）"
            )
        ext = _extension(filename)
        if ext in DANGEROUS_EXTENSIONS:
            return self._bad(
                f"「{label}」は実行形式・スクリプト・マクロ付きの危険な種類（.{ext}）です"
            )
        content = self._content_problem(data, label)
        if content:
            return self._bad(content)
        if data[:4] == b"PK\x03\x04" or ext in _ARCHIVE_EXTENSIONS:
            problem = self._zip_problem(data, label)
            if problem:
                return self._bad(problem)
        return ScanResult(True, "", self.name)

    def _content_problem(self, data: bytes, label: str) -> str:
        if data[:2] == b"MZ":
            return f"「{label}」の中身は Windows の実行ファイルです"
        if data[:4] == b"\x7fELF":
            return f"「{label}」の中身は実行ファイル（ELF）です"
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and (
            b"_VBA_PROJECT" in data or b"V\x00B\x00A\x00" in data
        ):
            return f"「{label}」にマクロ（VBA）が含まれています"
        if data[:5] == b"%PDF-" and (b"/JavaScript" in data or b"/Launch" in data):
            return f"「{label}」は JavaScript または外部プログラムを実行する PDF です"
        return ""

    def _zip_problem(self, data: bytes, label: str) -> str:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "" if data[:4] != b"PK\x03\x04" else f"「{label}」は壊れた ZIP 形式です"
        for info in infos:
            if info.flag_bits & 0x1:
                return f"「{label}」はパスワード付き（暗号化）の圧縮ファイルのため検査できません"
            inner = info.filename.rsplit("/", 1)[-1]
            if inner.lower() == "vbaproject.bin":
                return f"「{label}」にマクロ（VBA）が含まれています"
            if (kind := _extension(inner)) in DANGEROUS_EXTENSIONS:
                # the type only: a file name inside is the citizen's own text (N-PRIV-3)
                return f"「{label}」の中に危険な種類のファイル（.{kind}）があります"
        return ""


def parse_clamd_address(value: str) -> tuple[str, str | tuple[str, int]]:
    """``unix:/path`` or ``tcp:host:port`` into a socket family and address."""
    kind, _, rest = value.partition(":")
    if kind == "unix" and rest:
        return "unix", rest
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        if host and port.isdigit():
            return "tcp", (host.strip("[]"), int(port))
    raise ValueError(f"clamd address must be unix:/path or tcp:host:port, not {value!r}")


@dataclass(frozen=True)
class ClamdScanner:
    """clamd's INSTREAM command: the file in length-prefixed chunks, then a verdict line."""

    address: str
    timeout: float = 30.0
    name: str = "clamd"

    def _connect(self) -> socket.socket:
        _kind, target = parse_clamd_address(self.address)
        if isinstance(target, tuple):
            return socket.create_connection(target, timeout=self.timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(target)
        except OSError:
            sock.close()
            raise
        return sock

    def scan(self, *, data: bytes, filename: str, content_type: str) -> ScanResult:
        """Send the file to clamd; anything but ``stream: OK`` keeps it out of agents' hands."""
        label = filename or content_type or "添付ファイル"
        try:
            sock = self._connect()
        except OSError as exc:
            return self._unreachable(exc)
        with sock:
            try:
                self._send(sock, data)
            except (BrokenPipeError, ConnectionResetError) as exc:
                # clamd closes the stream once it exceeds its StreamMaxLength, after saying so.
                reply = self._reply(sock)
                if not reply:
                    return self._unreachable(exc)
                return self._verdict(reply, label, len(data))
            except OSError as exc:
                return self._unreachable(exc)
            try:
                reply = self._reply(sock)
            except OSError as exc:
                return self._unreachable(exc)
        return self._verdict(reply, label, len(data))

    def _send(self, sock: socket.socket, data: bytes) -> None:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), _CHUNK):
            chunk = data[start : start + _CHUNK]
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        sock.sendall(struct.pack(">I", 0))

    def _reply(self, sock: socket.socket) -> str:
        reply = b""
        try:
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except (ConnectionResetError, BrokenPipeError):
            pass
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def _unreachable(self, exc: OSError) -> ScanResult:
        return ScanResult(
            False,
            f"ウイルス検査（clamd）に接続できませんでした（{type(exc).__name__}）。"
            "検査できるまで保留し、自動で再検査します",
            self.name,
            retry=True,
        )

    def _verdict(self, text: str, label: str, size: int) -> ScanResult:
        if text.endswith(" OK"):
            return ScanResult(True, "", self.name)
        if text.endswith(" FOUND"):
            virus = text.removeprefix("stream:").removesuffix("FOUND").strip()
            return ScanResult(
                False, f"「{label}」からウイルス（{virus}）が検出されました", self.name
            )
        if "size limit exceeded" in text:
            return ScanResult(
                False,
                f"「{label}」は大きすぎてウイルス検査できません（{size} バイト、"
                "clamd の StreamMaxLength を超えています）",
                self.name,
            )
        return ScanResult(False, f"ウイルス検査（clamd）が失敗しました（{text[:120]}）", self.name)


@dataclass(frozen=True)
class ScanChain:
    """Every scanner in turn; the first that objects decides."""

    scanners: Sequence[Scanner]
    name: str = "chain"

    def scan(self, *, data: bytes, filename: str, content_type: str) -> ScanResult:
        """Clean only if every scanner says so."""
        last = ScanResult(True, "", "policy")
        for scanner in self.scanners:
            last = scanner.scan(data=data, filename=filename, content_type=content_type)
            if not last.clean:
                return last
        return last


def build_scanner(*, clamd: str, max_bytes: int) -> Scanner:
    """The policy scanner, followed by clamd when an address is configured."""
    policy = PolicyScanner(max_bytes=max_bytes)
    if not clamd:
        return policy
    return ScanChain([policy, ClamdScanner(clamd)])
