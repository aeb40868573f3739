"""Real media files: stereo 8 kHz PCM WAV recordings and multi-page bilevel fax TIFFs."""

from __future__ import annotations

import itertools
import math
import struct
import wave
from pathlib import Path
from typing import Final

RATE: Final = 8000
FAX_WIDTH: Final = 1728  # T.4 A4 line width in pixels
FAX_DPI: Final = (204, 98)  # standard resolution


def write_wav(path: Path, *, seconds: float, stereo: bool = True) -> int:
    """Write ``seconds`` of tone (caller, left) and quieter tone (agent, right); return samples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = max(0, round(seconds * RATE))
    channels = 2 if stereo else 1
    frames = bytearray()
    for n in range(samples):
        left = int(3000 * math.sin(2 * math.pi * 440 * n / RATE))
        if stereo:
            right = int(1500 * math.sin(2 * math.pi * 620 * n / RATE)) if (n // 4000) % 2 else 0
            frames += struct.pack("<hh", left, right)
        else:
            frames += struct.pack("<h", left)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return samples


def _page_bits(page: int, height: int) -> bytes:
    """One bilevel page (WhiteIsZero): a border and ``page + 1`` black bars, packed MSB first."""
    row_bytes = FAX_WIDTH // 8
    rows = bytearray()
    for y in range(height):
        row = bytearray(row_bytes)
        if y < 4 or y >= height - 4:
            row[:] = b"\xff" * row_bytes
        else:
            row[0] |= 0xF0
            row[-1] |= 0x0F
            band = y // 40
            if band % 2 == 1 and band // 2 <= page:
                for x in range(20, row_bytes - 20):
                    row[x] = 0xFF
        rows += row
    return bytes(rows)


def write_fax_tiff(path: Path, *, pages: int, height: int = 1143) -> None:
    """Write a multi-page TIFF: 1728 px wide, 204x98 dpi, 1 bit per pixel, one IFD per page."""
    if pages < 1:
        raise ValueError("a fax has at least one page")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    ifd_offsets: list[int] = []
    for page in range(pages):
        data = _page_bits(page, height)
        strip_offset = len(out)
        out += data
        if len(out) % 2:
            out += b"\x00"
        xres = len(out)
        out += struct.pack("<II", FAX_DPI[0], 1)
        yres = len(out)
        out += struct.pack("<II", FAX_DPI[1], 1)
        entries = [
            (254, 4, 1, 2),  # NewSubfileType: page of a multi-page document
            (256, 4, 1, FAX_WIDTH),  # ImageWidth
            (257, 4, 1, height),  # ImageLength
            (258, 3, 1, 1),  # BitsPerSample
            (259, 3, 1, 1),  # Compression: none
            (262, 3, 1, 0),  # PhotometricInterpretation: WhiteIsZero
            (266, 3, 1, 1),  # FillOrder
            (273, 4, 1, strip_offset),  # StripOffsets
            (277, 3, 1, 1),  # SamplesPerPixel
            (278, 4, 1, height),  # RowsPerStrip
            (279, 4, 1, len(data)),  # StripByteCounts
            (282, 5, 1, xres),  # XResolution
            (283, 5, 1, yres),  # YResolution
            (296, 3, 1, 2),  # ResolutionUnit: inch
            (297, 3, 2, page | (pages << 16)),  # PageNumber
        ]
        ifd_offsets.append(len(out))
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            out += struct.pack("<HHII", tag, kind, count, value)
        out += b"\x00\x00\x00\x00"
    struct.pack_into("<I", out, 4, ifd_offsets[0])
    for current, following in itertools.pairwise(ifd_offsets):
        next_field = current + 2 + 12 * 15
        struct.pack_into("<I", out, next_field, following)
    path.write_bytes(bytes(out))
