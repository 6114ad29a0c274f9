"""Reading the generated PDFs in the tests, with pypdf (dev extra): no system tool needed."""

import io
import re
from pathlib import Path

from pypdf import PdfReader

# Non-breaking and narrow non-breaking spaces (French number and date formats) read as spaces.
SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _reader(pdf: bytes | str | Path) -> PdfReader:
    if isinstance(pdf, bytes | bytearray):
        return PdfReader(io.BytesIO(pdf))
    return PdfReader(str(pdf))


def pdf_raw_text(pdf: bytes | str | Path) -> str:
    """The text of every page, one page after the other, line breaks kept; non-breaking spaces
    read as plain spaces."""
    text = "\n".join(page.extract_text() or "" for page in _reader(pdf).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pdf_text(pdf: bytes | str | Path) -> str:
    """The PDF's text with every run of whitespace (including non-breaking) as one space."""
    return SPACES.sub(" ", pdf_raw_text(pdf)).strip()


def pdf_title(pdf: bytes | str | Path) -> str | None:
    metadata = _reader(pdf).metadata
    return metadata.title if metadata else None


def pdf_page_sizes_mm(pdf: bytes | str | Path) -> list[tuple[int, int]]:
    """Each page's width and height in millimetres, rounded (A4: 210 × 297)."""
    return [
        (
            round(float(page.mediabox.width) * 25.4 / 72),
            round(float(page.mediabox.height) * 25.4 / 72),
        )
        for page in _reader(pdf).pages
    ]
