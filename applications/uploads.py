"""Validation of an uploaded attachment: size, type by content, polyglots, zip bombs, file name.

Everything here reads the file in chunks; nothing trusts the name or the browser's content type.
Limits come from settings (with defaults, so the module works before they are declared):

- ATTACHMENT_MAX_BYTES: per file (10 MiB)
- DOSSIER_MAX_BYTES: all files of a dossier together (100 MiB)
- ATTACHMENT_ALLOWED_TYPES: MIME types accepted, as detected by libmagic
- ATTACHMENT_ZIP_MAX_UNCOMPRESSED / ATTACHMENT_ZIP_MAX_RATIO: office documents (ZIP containers)
"""

import hashlib
import re
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum

CHUNK = 64 * 1024
SNIFF_BYTES = 1024 * 1024  # libmagic itself looks at the first MiB

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# Detected type -> (safe extension for storage and download, accepted extensions, label).
TYPES = {
    PDF: (".pdf", {".pdf"}, "PDF"),
    JPEG: (".jpg", {".jpg", ".jpeg"}, "JPEG"),
    PNG: (".png", {".png"}, "PNG"),
    DOCX: (".docx", {".docx"}, "Word (DOCX)"),
    XLSX: (".xlsx", {".xlsx"}, "Excel (XLSX)"),
    ODT: (".odt", {".odt"}, "OpenDocument texte (ODT)"),
    ODS: (".ods", {".ods"}, "OpenDocument tableur (ODS)"),
}
DEFAULT_ALLOWED_TYPES = tuple(TYPES)
ZIP_TYPES = {DOCX, XLSX, ODT, ODS}
# Members a genuine document of each type must hold.
OFFICE_MEMBERS = {
    DOCX: ("[Content_Types].xml", "word/document.xml"),
    XLSX: ("[Content_Types].xml", "xl/workbook.xml"),
    ODT: ("mimetype", "content.xml"),
    ODS: ("mimetype", "content.xml"),
}
ZIP_MAX_MEMBERS = 5000

# Signatures of executables or scripts that have no business inside a document.
EXECUTABLE_STARTS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
EMBEDDED_MARKERS = (
    re.compile(rb"This program cannot be run in DOS mode"),
    re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01"),
    re.compile(rb"<\?php", re.IGNORECASE),
)
# Active PDF content: names may hide letters as #xx escapes (/J#61vaScript).
PDF_NAME = re.compile(rb"/[A-Za-z0-9#]{1,40}")
PDF_ACTIVE_NAMES = {b"JS", b"JavaScript", b"Launch"}
PDF_FLATE_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n", re.DOTALL)
PDF_INFLATE_BUDGET = 50 * 1024 * 1024

# How refused types are named to the applicant; others keep libmagic's description.
DESCRIPTIONS_FR = {
    "application/zip": "archive ZIP",
    "application/x-7z-compressed": "archive 7-Zip",
    "application/x-rar": "archive RAR",
    "application/gzip": "archive GZIP",
    "text/plain": "texte brut",
    "text/html": "page HTML",
    "text/xml": "fichier XML",
    "image/svg+xml": "image SVG",
    "image/gif": "image GIF",
    "image/webp": "image WebP",
    "image/heic": "image HEIC",
    "application/msword": "document Word ancien format (DOC)",
    "application/vnd.ms-excel": "classeur Excel ancien format (XLS)",
    "application/octet-stream": "données binaires non reconnues",
}

RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
NAME_MAX = 150
DEFAULT_NAME = "piece-jointe"


def max_file_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_dossier_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_BYTES", 100 * 1024 * 1024))


def allowed_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "ATTACHMENT_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))


def zip_max_uncompressed() -> int:
    return int(getattr(settings, "ATTACHMENT_ZIP_MAX_UNCOMPRESSED", 100 * 1024 * 1024))


def zip_max_ratio() -> int:
    return int(getattr(settings, "ATTACHMENT_ZIP_MAX_RATIO", 100))


def allowed_types_label() -> str:
    """« PDF, JPEG, PNG, Word (DOCX)… » for the page that shows the limits before upload."""
    return ", ".join(TYPES[mime][2] if mime in TYPES else mime for mime in allowed_types())


def allowed_extensions() -> str:
    """The `accept` attribute of the file input (a hint for the browser only)."""
    return ",".join(TYPES[mime][0] for mime in allowed_types() if mime in TYPES)


def format_bytes_fr(n: int) -> str:
    """« 10 Mo », « 1,5 Mo », « 800 Ko », « 12 octets » (binary multiples, French style)."""
    for unit, factor in (("Go", 1024**3), ("Mo", 1024**2), ("Ko", 1024)):
        if n >= factor:
            value = round(n / factor, 1)
            text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{text} {unit}"
    return f"{n} octet" + ("s" if n > 1 else "")


def dossier_used_bytes(dossier) -> int:
    return dossier.attachments.aggregate(total=Sum("size"))["total"] or 0


def dossier_remaining_bytes(dossier) -> int:
    return max(0, max_dossier_bytes() - dossier_used_bytes(dossier))


@dataclass(frozen=True)
class ValidatedUpload:
    original_name: str
    mime_type: str
    size: int
    sha256: str
    storage_name: str


def clean_filename(name: str, *, extension: str = "") -> str:
    """A name safe to show and to offer on download: no folders, control or reserved characters.

    The name keeps its extension when it matches the detected type, else `extension` is added.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    # Remove control and format characters (NUL, BEL, right-to-left override...) first.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = RESERVED_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().rstrip(" .")
    stem, suffix = _split_extension(name)
    if extension and suffix.lower() not in TYPES_BY_EXTENSION.get(extension, {extension}):
        stem, suffix = name, extension
    stem = stem.strip(" .") or DEFAULT_NAME
    if WINDOWS_RESERVED.match(stem):
        stem = "_" + stem
    return stem[: NAME_MAX - len(suffix)].rstrip(" .") + suffix


def _split_extension(name: str) -> tuple[str, str]:
    """("devis.final", ".pdf"); a name that is only an extension (".pdf") has an empty stem."""
    dot = name.rfind(".")
    if dot < 0 or len(name) - dot > 10 or not name[dot + 1 :].isalnum():
        return name, ""
    return name[:dot], name[dot:]


TYPES_BY_EXTENSION = {safe: accepted for safe, accepted, _label in TYPES.values()}


def _chunks(uploaded_file):
    uploaded_file.seek(0)
    yield from uploaded_file.chunks(CHUNK)


def _scan(uploaded_file) -> tuple[str, bytes, list[bytes]]:
    """One pass over the file: SHA-256, the head for libmagic, embedded markers found."""
    digest = hashlib.sha256()
    head = b""
    found: list[bytes] = []
    tail = b""
    for chunk in _chunks(uploaded_file):
        digest.update(chunk)
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        window = tail + chunk
        found += [m.group(0) for pattern in EMBEDDED_MARKERS for m in pattern.finditer(window)]
        tail = window[-64:]
    return digest.hexdigest(), head, found


def _refuse_executable(head: bytes, found: list[bytes]) -> None:
    if head.startswith(EXECUTABLE_STARTS):
        raise ValidationError(
            "Ce fichier est un programme exécutable, pas un document : il est refusé.",
            code="executable",
        )
    if found:
        raise ValidationError(
            "Ce fichier contient un programme ou un script caché (fichier « polyglotte ») : "
            "il est refusé. Enregistrez le document à nouveau (par exemple « Imprimer en PDF ») "
            "avant de le déposer.",
            code="polyglot",
        )


def _pdf_names(data: bytes) -> set[bytes]:
    names = set()
    for match in PDF_NAME.finditer(data):
        raw = match.group(0)[1:]
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        names.add(raw)
    return names


def _check_pdf(uploaded_file) -> None:
    """Refuse PDFs with active content (JavaScript, launch actions), even in compressed streams.

    The file is at most ATTACHMENT_MAX_BYTES, so it is read whole here; inflated streams are
    bounded by PDF_INFLATE_BUDGET.
    """
    uploaded_file.seek(0)
    data = uploaded_file.read()
    names = _pdf_names(data)
    budget = PDF_INFLATE_BUDGET
    view = memoryview(data)
    for match in PDF_FLATE_STREAM.finditer(data):
        if names & PDF_ACTIVE_NAMES or budget <= 0:
            break
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        names |= _pdf_names(inflated)
        _refuse_executable(
            b"", [m.group(0) for p in EMBEDDED_MARKERS for m in p.finditer(inflated)]
        )
    if names & PDF_ACTIVE_NAMES:
        raise ValidationError(
            "Ce PDF contient du code actif (JavaScript ou lancement de programme) : il est "
            "refusé. Enregistrez-le à nouveau avec « Imprimer en PDF » avant de le déposer.",
            code="pdf_active",
        )


def _check_office_zip(uploaded_file, mime_type: str, size: int) -> None:
    """A ZIP container must be a genuine office document, without macros, and not a zip bomb."""
    not_genuine = ValidationError(
        "Ce fichier n'est pas un document bureautique valide (archive endommagée ou "
        "déguisée) : il est refusé.",
        code="bad_office",
    )
    bomb = ValidationError(
        "Ce document se décompresse en un volume anormalement grand (« bombe de "
        "décompression ») : il est refusé.",
        code="zip_bomb",
    )
    uploaded_file.seek(0)
    try:
        archive = zipfile.ZipFile(uploaded_file)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise not_genuine from exc
    names = {member.filename for member in members}
    if len(members) > ZIP_MAX_MEMBERS:
        raise bomb
    if not all(required in names for required in OFFICE_MEMBERS[mime_type]):
        raise not_genuine
    if any(m.flag_bits & 0x1 for m in members):
        raise ValidationError(
            "Ce document est protégé par un mot de passe : déposez-le sans protection.",
            code="encrypted",
        )
    if any(
        n.lower().endswith("vbaproject.bin") or n.startswith(("Basic/", "Scripts/")) for n in names
    ):
        raise ValidationError(
            "Ce document contient des macros : enregistrez-le sans macros (DOCX, XLSX, ODT ou "
            "ODS) avant de le déposer.",
            code="macros",
        )
    limit, ratio = zip_max_uncompressed(), zip_max_ratio()
    declared = sum(member.file_size for member in members)
    if declared > limit or (declared > ratio * size and declared > 1024 * 1024):
        raise bomb
    # Headers can lie: inflate every member (in chunks, CRC checked) within the same caps.
    inflated = 0
    try:
        for member in members:
            with archive.open(member) as stream:
                while block := stream.read(CHUNK):
                    inflated += len(block)
                    if inflated > limit:
                        raise bomb
                    if any(p.search(block) for p in EMBEDDED_MARKERS[:2]):
                        raise ValidationError(
                            "Ce document contient un programme caché : il est refusé.",
                            code="polyglot",
                        )
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError) as exc:
        raise not_genuine from exc
    if (
        mime_type in (ODT, ODS)
        and archive.read("mimetype").strip().decode(errors="replace") != mime_type
    ):
        raise not_genuine


def validate_upload(uploaded_file, *, dossier) -> ValidatedUpload:
    """Check one uploaded file for a dossier; raise ValidationError with a French message."""
    size = uploaded_file.size or 0
    if size <= 0:
        raise ValidationError("Ce fichier est vide : choisissez un autre fichier.", code="empty")
    limit = max_file_bytes()
    if size > limit:
        raise ValidationError(
            f"Ce fichier pèse {format_bytes_fr(size)} : la taille maximale par fichier est de "
            f"{format_bytes_fr(limit)}.",
            code="too_large",
        )
    remaining = dossier_remaining_bytes(dossier)
    if size > remaining:
        raise ValidationError(
            f"Les pièces d'un dossier ne peuvent dépasser {format_bytes_fr(max_dossier_bytes())} "
            f"au total : il reste {format_bytes_fr(remaining)} pour ce dossier, ce fichier pèse "
            f"{format_bytes_fr(size)}.",
            code="dossier_full",
        )
    sha256, head, found = _scan(uploaded_file)
    _refuse_executable(head, found)
    mime_type = magic.from_buffer(head, mime=True)
    if mime_type not in allowed_types():
        description = DESCRIPTIONS_FR.get(mime_type) or magic.from_buffer(head) or mime_type
        raise ValidationError(
            "Ce fichier n'est pas un PDF, une image JPEG/PNG ou un document bureautique : son "
            f"contenu a été reconnu comme « {description} ».",
            code="type",
        )
    if mime_type == PDF:
        _check_pdf(uploaded_file)
    elif mime_type in ZIP_TYPES:
        _check_office_zip(uploaded_file, mime_type, size)
    uploaded_file.seek(0)
    extension = TYPES[mime_type][0] if mime_type in TYPES else ""
    return ValidatedUpload(
        original_name=clean_filename(uploaded_file.name, extension=extension),
        mime_type=mime_type,
        size=size,
        sha256=sha256,
        storage_name=uuid.uuid4().hex + extension,
    )
