"""Structural check of TIFF images (fax pages) so a corrupt one is flagged, not shown broken."""

from __future__ import annotations

import struct

_MAX_PAGES = 1000


def tiff_problem(data: bytes) -> str | None:
    """A short Japanese description of what is wrong with a TIFF, or None if it looks sound."""
    if len(data) < 8:
        return "ファイルが短すぎます"
    order = data[:2]
    if order == b"II":
        endian = "<"
    elif order == b"MM":
        endian = ">"
    else:
        return "TIFF の識別子がありません"
    (magic,) = struct.unpack(endian + "H", data[2:4])
    if magic != 42:
        return "TIFF の識別子が不正です"
    (offset,) = struct.unpack(endian + "I", data[4:8])
    seen: set[int] = set()
    pages = 0
    while offset:
        if offset in seen or pages >= _MAX_PAGES:
            return "ページ情報が循環しています"
        seen.add(offset)
        if offset + 2 > len(data):
            return "ページ情報がファイルの外を指しています"
        (count,) = struct.unpack(endian + "H", data[offset : offset + 2])
        end = offset + 2 + count * 12
        if count == 0 or end + 4 > len(data):
            return "ページ情報が途中で切れています"
        tags: dict[int, tuple[int, int, int]] = {}
        for index in range(count):
            entry = data[offset + 2 + index * 12 : offset + 14 + index * 12]
            tag, kind, num = struct.unpack(endian + "HHI", entry[:8])
            tags[tag] = (kind, num, _entry_value(entry, endian, kind))
        problem = _strip_problem(tags, data, endian)
        if problem:
            return problem
        pages += 1
        (offset,) = struct.unpack(endian + "I", data[end : end + 4])
    return None


def _entry_value(entry: bytes, endian: str, kind: int) -> int:
    if kind == 3:
        return int(struct.unpack(endian + "H", entry[8:10])[0])
    return int(struct.unpack(endian + "I", entry[8:12])[0])


def _strip_problem(tags: dict[int, tuple[int, int, int]], data: bytes, endian: str) -> str | None:
    width, height = tags.get(256), tags.get(257)
    if width is None or height is None or width[2] == 0 or height[2] == 0:
        return "画像の幅または高さがありません"
    offsets, counts = tags.get(273), tags.get(279)
    if offsets is None or counts is None:
        return "画像データの位置がありません"
    strip_offsets = _values(data, endian, offsets)
    strip_counts = _values(data, endian, counts)
    if strip_offsets is None or strip_counts is None or len(strip_offsets) != len(strip_counts):
        return "画像データの位置情報が壊れています"
    for start, size in zip(strip_offsets, strip_counts, strict=True):
        if start + size > len(data):
            return "画像データが途中で切れています"
    return None


def _values(data: bytes, endian: str, entry: tuple[int, int, int]) -> list[int] | None:
    kind, num, value = entry
    width = 2 if kind == 3 else 4
    if num == 1:
        return [value]
    if value + num * width > len(data):
        return None
    code = "H" if kind == 3 else "I"
    return list(struct.unpack(f"{endian}{num}{code}", data[value : value + num * width]))
