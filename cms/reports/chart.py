"""A small bar chart as PNG, drawn with zlib and struct (no plotting library needed)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

Rgb = tuple[int, int, int]
WHITE: Rgb = (255, 255, 255)
BAR: Rgb = (46, 117, 182)
AXIS: Rgb = (64, 64, 64)
GRID: Rgb = (225, 225, 225)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(pixels: Sequence[Sequence[Rgb]]) -> bytes:
    """An 8-bit RGB PNG of ``pixels`` (rows of (r, g, b))."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def bar_chart(values: Sequence[float], *, width: int = 480, height: int = 200) -> bytes:
    """One bar per value, scaled to the largest, on a white ground with an axis and 4 grid lines.

    The chart carries no text: the mail's table gives the numbers and the labels.
    """
    margin = 10
    grid: list[list[Rgb]] = [[WHITE] * width for _ in range(height)]
    plot_h = height - 2 * margin
    base = height - margin
    top = max(values, default=0) or 1
    for k in range(1, 5):
        y = base - plot_h * k // 4
        for x in range(margin, width - margin):
            grid[y][x] = GRID
    n = max(len(values), 1)
    slot = (width - 2 * margin) / n
    for i, v in enumerate(values):
        h = round(plot_h * max(v, 0) / top)
        x0 = margin + round(i * slot + slot * 0.15)
        x1 = margin + round((i + 1) * slot - slot * 0.15)
        for y in range(base - h, base):
            for x in range(x0, max(x1, x0 + 1)):
                grid[y][x] = BAR
    for x in range(margin, width - margin):
        grid[base][x] = AXIS
    for y in range(margin, base + 1):
        grid[y][margin] = AXIS
    return encode_png(grid)
