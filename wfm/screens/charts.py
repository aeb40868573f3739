"""Small inline SVG charts (no JavaScript; presentation attributes only, CSP-safe)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 720
HEIGHT = 240
PAD_LEFT = 48
PAD_BOTTOM = 28
PAD_TOP = 12
PAD_RIGHT = 12
COLOURS = ("#1f5fa8", "#b3261e", "#2e7d32", "#6a3d9a")


@dataclass(frozen=True)
class Series:
    """A named line or bar series; None values are gaps."""

    name: str
    values: Sequence[float | None]


def _scale(series: Sequence[Series]) -> float:
    top = max((v for s in series for v in s.values if v is not None), default=0.0)
    return top * 1.1 if top > 0 else 1.0


def _frame(chart_id: str, title: str, desc: str, top: float, labels: Sequence[str]) -> list[str]:
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{html.escape(title)}</title>',
        f'<desc id="{chart_id}-d">{html.escape(desc)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#333"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" '
        'stroke="#333"/>',
    ]
    for k in range(5):
        value = top * k / 4
        y = HEIGHT - PAD_BOTTOM - inner_h * k / 4
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#222">{value:.0f}</text>'
        )
    n = len(labels)
    step = max(1, n // 8)
    for i in range(0, n, step):
        x = _x(i, n)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle" '
            f'fill="#222">{html.escape(labels[i])}</text>'
        )
    return parts


def _x(i: int, n: int) -> float:
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    return PAD_LEFT + inner_w * (i + 0.5) / max(n, 1)


def _y(value: float, top: float) -> float:
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    return HEIGHT - PAD_BOTTOM - inner_h * value / top


def line_chart(
    *, chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]
) -> Markup:
    """A line chart with a legend in its description (the table beside it has the numbers)."""
    top = _scale(series)
    desc = "、".join(f"{s.name}({COLOUR_NAMES[i % 4]}の線)" for i, s in enumerate(series))
    parts = _frame(chart_id, title, desc, top, labels)
    for k, s in enumerate(series):
        points: list[str] = []
        segments: list[list[str]] = [points]
        for i, v in enumerate(s.values):
            if v is None:
                points = []
                segments.append(points)
                continue
            points.append(f"{_x(i, len(labels)):.1f},{_y(v, top):.1f}")
        dash = ' stroke-dasharray="6 4"' if k % 2 else ""
        for seg in segments:
            if seg:
                parts.append(
                    f'<polyline fill="none" stroke="{COLOURS[k % 4]}" stroke-width="2"{dash} '
                    f'points="{" ".join(seg)}"/>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text piece is html.escape()d


def bar_chart(
    *, chart_id: str, title: str, labels: Sequence[str], bars: Series, line: Series
) -> Markup:
    """Bars (e.g. scheduled agents) with a step line (e.g. the requirement) over them."""
    top = _scale([bars, line])
    desc = f"{bars.name}({COLOUR_NAMES[0]}の棒)、{line.name}({COLOUR_NAMES[1]}の線)"
    parts = _frame(chart_id, title, desc, top, labels)
    n = len(labels)
    width = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(n, 1)
    for i, v in enumerate(bars.values):
        if v is None or v <= 0:
            continue
        y = _y(v, top)
        parts.append(
            f'<rect x="{_x(i, n) - width * 0.4:.1f}" y="{y:.1f}" width="{width * 0.8:.1f}" '
            f'height="{HEIGHT - PAD_BOTTOM - y:.1f}" fill="{COLOURS[0]}" fill-opacity="0.6"/>'
        )
    points = []
    for i, v in enumerate(line.values):
        if v is None:
            continue
        y = _y(v, top)
        points.append(f"{_x(i, n) - width / 2:.1f},{y:.1f} {_x(i, n) + width / 2:.1f},{y:.1f}")
    if points:
        parts.append(
            f'<polyline fill="none" stroke="{COLOURS[1]}" stroke-width="2" '
            f'points="{" ".join(points)}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text piece is html.escape()d


COLOUR_NAMES = ("青", "赤", "緑", "紫")
