"""Replying by fax (F-1.5.3): a document (PNG, TIFF or JPEG pages) is made into a fax TIFF —
bilevel, 1728 pixels wide, 204×196 dpi (fine), CCITT G4 — written where FreeSWITCH reads it, and
sent with ``txfax`` through the switch's call control. The result arrives as
``spandsp::txfaxresult``.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from crm.workqueue.service import normalise_number
from inbox.fax.convert import FAX_WIDTH, FaxUnreadable
from switch.connection.control import CallControl

FINE_DPI = (204, 196)
A4_HEIGHT_FINE = 2339  # 297 mm at 196 dpi
MAX_SEND_PAGES = 50


@dataclass(frozen=True)
class FaxSent:
    """The call made to send a fax."""

    call_uuid: str
    tiff_path: Path
    pages: int
    endpoint: str


def to_fax_tiff(document: bytes) -> tuple[bytes, int]:
    """Pages of an image document as one fax TIFF (fit to A4 width, fine resolution)."""
    frames: list[Image.Image] = []
    try:
        with Image.open(io.BytesIO(document)) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_SEND_PAGES:
                    raise FaxUnreadable(f"送信するページが多すぎます（上限 {MAX_SEND_PAGES}）")
                grey = ImageOps.exif_transpose(frame.convert("L"))
                dpi = frame.info.get("dpi", (FINE_DPI[0], FINE_DPI[0]))
                xdpi, ydpi = (float(dpi[0]) or 204.0, float(dpi[1]) or 204.0)
                scale = FAX_WIDTH / grey.width
                height = max(
                    1, round(grey.height * scale * (FINE_DPI[1] / FINE_DPI[0]) * xdpi / ydpi)
                )
                page = grey.resize((FAX_WIDTH, min(height, A4_HEIGHT_FINE * 3)))
                frames.append(page.convert("1"))
    except FaxUnreadable:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise FaxUnreadable("送信する文書を画像として読めません（PNG・TIFF・JPEG）") from None
    if not frames:
        raise FaxUnreadable("送信する文書にページがありません")
    out = io.BytesIO()
    frames[0].save(
        out,
        format="TIFF",
        compression="group4",
        dpi=FINE_DPI,
        save_all=True,
        append_images=frames[1:],
    )
    return out.getvalue(), len(frames)


async def send_fax(
    control: CallControl,
    *,
    number: str,
    document: bytes,
    out_dir: Path,
    gateway: str,
    ident: str,
    header: str,
) -> FaxSent:
    """Write the fax TIFF and call the number with txfax."""
    digits = normalise_number(number)
    tiff, pages = await anyio.to_thread.run_sync(to_fax_tiff, document)
    call_uuid = str(uuid.uuid4())
    path = out_dir / f"{call_uuid}.tif"

    def write() -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tiff)

    await anyio.to_thread.run_sync(write)
    endpoint = f"{gateway}{digits}"
    await control.send_fax(
        uuid=call_uuid, endpoint=endpoint, tiff_path=str(path), ident=ident, header=header
    )
    return FaxSent(call_uuid, path, pages, endpoint)
