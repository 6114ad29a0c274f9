"""The whole dossier as one ZIP, streamed in flat memory (issue 20 point 4).

What it holds: the applicant's files that may be opened (clean, or never scanned where no
antivirus is required: never a file pending or infected), the official documents generated for
the dossier (current and superseded), a summary PDF, and `manifeste.csv` with the size and
SHA-256 of each file. Each file is read through the storage API chunk by chunk and written to the
ZIP as it comes (zipfile writes to a non-seekable stream with data descriptors): memory stays flat
whatever the dossier's size.
"""

import hashlib
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from applications.models import Dossier
from documents.formats import PARIS, PORTAL_NAME, fr_datetime, fr_size
from documents.pdf import render_pdf

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
MISSING = "manquant"
UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass
class Entry:
    name: str
    size: int = 0
    sha256: str = ""
    missing: bool = False  # listed in the register, absent from the storage


class _Pipe:
    """A write-only, non-seekable sink the ZIP writes into; `drain()` hands over what it got."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def safe_name(name: str) -> str:
    """A file name without folders nor odd characters (the applicant chose it)."""
    cleaned = UNSAFE.sub("_", name.replace("/", "_").replace("\\", "_")).strip(" .")
    return cleaned[:120] or "fichier"


def archive_filename(dossier: Dossier) -> str:
    return f"dossier-{dossier.number}.zip"


def _files(dossier: Dossier) -> Iterator[tuple[str, object]]:
    """(name in the ZIP, FieldFile) of every file the archive holds, names unique."""
    seen: set[str] = set()

    def unique(name: str) -> str:
        base, dot, ext = name.rpartition(".")
        candidate, n = name, 2
        while candidate in seen:
            candidate = f"{base}-{n}.{ext}" if dot else f"{name}-{n}"
            n += 1
        seen.add(candidate)
        return candidate

    for attachment in dossier.attachments.order_by("document_code", "uploaded_at", "pk"):
        if attachment.can_be_opened:
            folder = safe_name(attachment.document_code)
            yield unique(f"pieces/{folder}/{safe_name(attachment.original_name)}"), attachment.file
    for document in dossier.documents.order_by("created_at", "pk"):
        yield unique(f"documents/{safe_name(document.reference)}.pdf"), document.file


def summary_pdf(dossier: Dossier, entries: list[Entry]) -> bytes:
    context = {
        "dossier": dossier,
        "portal_name": PORTAL_NAME,
        "region_name": dossier.scheme.region.name,
        "organisation": dossier.organisation,
        "scheme": dossier.scheme,
        "state": dossier.get_state_display(),
        "submitted_at": fr_datetime(dossier.submitted_at) if dossier.submitted_at else "",
        "generated_at": fr_datetime(timezone.now()),
        "entries": [
            {
                "name": e.name,
                "size": MISSING if e.missing else fr_size(e.size),
                "sha256": MISSING if e.missing else e.sha256,
            }
            for e in entries
        ],
        "reference": f"ZIP-{dossier.number}",
    }
    return render_pdf("instruction/pdf/archive_summary.html", context)


def stream_archive(dossier: Dossier) -> Iterator[bytes]:
    """The ZIP's bytes, chunk after chunk."""
    pipe = _Pipe()
    entries: list[Entry] = []
    stamp = timezone.localtime(timezone.now(), PARIS).timetuple()[:6]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, stored in _files(dossier):
            entry, digest = Entry(name), hashlib.sha256()
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            try:
                source = stored.open("rb")
            except FileNotFoundError:  # a lost file must not cut the others' download
                logger.error("Dossier %s: stored file %s is missing", dossier.number, stored.name)
                entry.missing = True
                entries.append(entry)
                continue
            with source, archive.open(info, "w", force_zip64=True) as target:
                for chunk in source.chunks(CHUNK):
                    digest.update(chunk)
                    entry.size += len(chunk)
                    target.write(chunk)
                    yield pipe.drain()
            entry.sha256 = digest.hexdigest()
            entries.append(entry)
            yield pipe.drain()
        for name, data in _closing_files(dossier, entries):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)
            yield pipe.drain()
    yield pipe.drain()


def _closing_files(dossier: Dossier, entries: list[Entry]) -> list[tuple[str, bytes]]:
    """The summary PDF, then the manifest listing every file (the summary included)."""
    summary = summary_pdf(dossier, entries)
    listed = [
        *entries,
        Entry("recapitulatif.pdf", len(summary), hashlib.sha256(summary).hexdigest()),
    ]
    lines = ["fichier;taille_octets;sha256"]
    lines += [
        f"{entry.name};{MISSING};{MISSING}"
        if entry.missing
        else f"{entry.name};{entry.size};{entry.sha256}"
        for entry in listed
    ]
    manifest = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return [("recapitulatif.pdf", summary), ("manifeste.csv", manifest)]
