"""Fax images to what the desk shows: a PDF at the right page size and square-pixel page PNGs.

Standard-resolution faxes are 204×98 dpi: the pixels are twice as tall as wide. The PDF keeps
each page's resolution, so a 1728×1143 page is 1728/204 × 1143/98 inches (A4 width, 296 mm
tall); the PNGs are stretched vertically by xdpi/ydpi so they look right on a screen. A page
without a resolution that is 1728 pixels wide is taken as a standard fax page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import img2pdf  # type: ignore[import-untyped]
from PIL import Image, ImageSequence, UnidentifiedImageError

from inbox.parse.tiff import tiff_problem

FAX_WIDTH = 1728
STANDARD_DPI = (204.0, 98.0)
MAX_PAGES = 200
Image.MAX_IMAGE_PIXELS = 60_000_000  # a decompression bomb is refused, not rendered


class FaxUnreadable(Exception):
    """The fax image could not be read; ``reason`` is Japanese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FaxPage:
    """One page: pixel size and resolution as received."""

    width: int
    height: int
    dpi: tuple[float, float]


@dataclass
class ConvertedFax:
    """The PDF, one PNG per page, the pages' geometry and any warnings."""

    pdf: bytes
    pngs: list[bytes]
    pages: list[FaxPage]
    warnings: list[str] = field(default_factory=list)


def _dpi(frame: Image.Image) -> tuple[float, float]:
    raw = frame.info.get("dpi")
    if isinstance(raw, tuple) and len(raw) == 2 and float(raw[0]) > 1 and float(raw[1]) > 1:
        return float(raw[0]), float(raw[1])
    if frame.width == FAX_WIDTH:
        return STANDARD_DPI
    return (200.0, 200.0)


def _page_tiff(frame: Image.Image, dpi: tuple[float, float]) -> bytes:
    out = io.BytesIO()
    mono = frame.convert("1")
    mono.save(out, format="TIFF", compression="group4", dpi=dpi)
    return out.getvalue()


def _page_png(frame: Image.Image, dpi: tuple[float, float]) -> bytes:
    grey = frame.convert("L")
    height = max(1, round(frame.height * dpi[0] / dpi[1]))
    square = grey.resize((frame.width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="PNG", optimize=True, dpi=(dpi[0], dpi[0]))
    return out.getvalue()


def convert_tiff(data: bytes) -> ConvertedFax:
    """A (multi-page) fax TIFF to PDF and PNGs; FaxUnreadable with a reason when it is broken."""
    problem = tiff_problem(data)
    if problem is not None:
        raise FaxUnreadable(f"FAX の TIFF 画像が壊れています（{problem}）")
    tiffs: list[bytes] = []
    pngs: list[bytes] = []
    pages: list[FaxPage] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_PAGES:
                    raise FaxUnreadable(f"FAX のページ数が多すぎます（上限 {MAX_PAGES}）")
                frame.load()
                dpi = _dpi(frame)
                tiffs.append(_page_tiff(frame, dpi))
                pngs.append(_page_png(frame, dpi))
                pages.append(FaxPage(frame.width, frame.height, dpi))
    except FaxUnreadable:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise FaxUnreadable(f"FAX の画像を読み取れません（{type(exc).__name__}）") from None
    except Image.DecompressionBombError:
        raise FaxUnreadable("FAX の画像が大きすぎます") from None
    if not pages:
        raise FaxUnreadable("FAX にページがありません")
    pdf = img2pdf.convert(tiffs)
    assert isinstance(pdf, bytes)
    return ConvertedFax(pdf=pdf, pngs=pngs, pages=pages)
