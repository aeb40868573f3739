"""Optional OCR of fax pages (tesseract CLI with Japanese) and a category suggested from it.

Nothing here is required: without tesseract or its ``jpn`` data the fax is queued as it is.
The recognised text is used only to suggest a category (the FAQ category of the best match);
it is not stored.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from crm.faq import service as faq
from inbox.fax.convert import ConvertedFax

TIMEOUT_SECONDS = 60.0
MAX_QUERY = 400


def tesseract_with_japanese() -> str | None:
    """The tesseract executable when it is installed with the ``jpn`` language, else None."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        listed = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    langs = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    return exe if "jpn" in langs else None


def ocr_pages(pngs: Sequence[bytes], *, max_pages: int = 3) -> str | None:
    """Text of the first pages, or None when OCR is not available or failed."""
    exe = tesseract_with_japanese()
    if exe is None or not pngs:
        return None
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="madoguchi-ocr-") as tmp:
        for index, png in enumerate(pngs[:max_pages]):
            page = Path(tmp) / f"page-{index}.png"
            page.write_bytes(png)
            try:
                done = subprocess.run(
                    [exe, str(page), "stdout", "-l", "jpn"],
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_SECONDS,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                return None
            if done.returncode != 0:
                return None
            texts.append(done.stdout)
    return "\n".join(texts)


def suggest_category(session: Session, *, text: str) -> str:
    """The FAQ category (大分類) that best matches ``text``; empty when nothing matches."""
    query = " ".join(text.split())[:MAX_QUERY]
    if not query:
        return ""
    hits = faq.search(session, query=query, limit=1)
    return hits[0].category1 if hits else ""


def ocr_category(session: Session, converted: ConvertedFax) -> str:
    """The receive_fax OCR hook: a category from the first pages' text ('' without OCR)."""
    text = ocr_pages(converted.pngs)
    return suggest_category(session, text=text) if text else ""
