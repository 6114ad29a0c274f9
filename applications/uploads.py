"""Validation of an uploaded attachment: size, type by content, polyglots, zip bombs, file name.

Nothing here trusts the name or the browser's content type. Beyond the type detected by libmagic,
each accepted type is parsed by a real parser: PDFs by pikepdf (qpdf), images by Pillow, office
documents by zipfile. A PDF that does not parse, carries JavaScript, launch actions or embedded
files, or has data after its last `%%EOF` is refused; so is any PDF or image that also is a ZIP
archive (a "polyglot"). Limits come from settings (with defaults, so the module works before
they are declared):

- ATTACHMENT_MAX_BYTES: per file (10 MiB)
- DOSSIER_MAX_BYTES: all files of a dossier together (100 MiB)
- ATTACHMENT_ALLOWED_TYPES: MIME types accepted, as detected by libmagic
- ATTACHMENT_ZIP_MAX_UNCOMPRESSED / ATTACHMENT_ZIP_MAX_RATIO: office documents (ZIP containers)
- ATTACHMENT_IMAGE_MAX_PIXELS: images (40 million pixels)
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass

import magic
import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from PIL import Image, UnidentifiedImageError

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
# After a PDF's last %%EOF only PDF white-space may follow (NUL, tab, LF, FF, CR, space).
PDF_EOF = b"%%EOF"
PDF_WHITESPACE = b"\x00\t\n\x0c\r "
# A ZIP archive is read from its end: its "end of central directory" record lies in the last
# 64 Kio + 22 bytes. Found in a PDF or an image, the file is also an archive.
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_WINDOW = 65535 + 22
PNG_END = b"IEND\xaeB`\x82"
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

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


def image_max_pixels() -> int:
    return int(getattr(settings, "ATTACHMENT_IMAGE_MAX_PIXELS", 40_000_000))


def allowed_types_label() -> str:
    """« PDF, JPEG, PNG, Word (DOCX)… » for the page that shows the limits before upload."""
    return ", ".join(TYPES[mime][2] if mime in TYPES else mime for mime in allowed_types())


def accepted_extensions() -> list[str]:
    """Every file name extension of the accepted types (« .jpg » and « .jpeg »...)."""
    return sorted({ext for mime in allowed_types() if mime in TYPES for ext in TYPES[mime][1]})


def browser_check_attrs(*, remaining: int | None = None) -> dict[str, str]:
    """The data- attributes static/js/upload-check.js reads to check a chosen file before it is
    sent: the limits of these settings, so that the browser and the server agree (the server
    checks again). `remaining`: the space left for the dossier, if it matters."""
    extensions = ",".join(accepted_extensions())
    max_bytes = max_file_bytes()
    attrs = {
        "accept": extensions,
        "data-max-bytes": str(max_bytes),
        "data-max-label": format_bytes_fr(max_bytes),
        "data-extensions": extensions,
        "data-types": ",".join(allowed_types()),
        "data-types-label": allowed_types_label(),
    }
    if remaining is not None:
        attrs["data-remaining-bytes"] = str(remaining)
        attrs["data-remaining-label"] = format_bytes_fr(remaining)
    return attrs


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


POLYGLOT_MESSAGE = (
    "Ce fichier contient des données cachées après sa fin ou une archive dissimulée (fichier "
    "« polyglotte ») : il est refusé. Enregistrez le document à nouveau (par exemple « Imprimer "
    "en PDF ») avant de le déposer."
)
PDF_RESAVE = "Enregistrez-le à nouveau avec « Imprimer en PDF » avant de le déposer."


def _refuse_hidden_zip(data: bytes) -> None:
    if ZIP_END_RECORD in data[-ZIP_END_WINDOW:]:
        raise ValidationError(POLYGLOT_MESSAGE, code="polyglot")


def _refuse_data_after_eof(data: bytes) -> None:
    end = data.rfind(PDF_EOF)
    if end < 0:
        raise ValidationError(
            f"Ce PDF est incomplet (il ne se termine pas par « %%EOF ») : il est refusé. "
            f"{PDF_RESAVE}",
            code="pdf_unreadable",
        )
    if data[end + len(PDF_EOF) :].strip(PDF_WHITESPACE):
        raise ValidationError(POLYGLOT_MESSAGE, code="polyglot")


# What a PDF may not carry, one French reason each.
PDF_REFUSALS = {
    "javascript": (
        f"Ce PDF contient du code actif (JavaScript) : il est refusé. {PDF_RESAVE}",
        "pdf_javascript",
    ),
    "launch": (
        "Ce PDF contient du code actif (une action qui lance un programme) : il est refusé. "
        f"{PDF_RESAVE}",
        "pdf_launch",
    ),
    "embedded": (
        "Ce PDF contient des fichiers incorporés (pièces jointes dans le PDF) : il est refusé. "
        "Déposez chaque document séparément, comme une pièce à part entière.",
        "pdf_embedded",
    ),
}


def _pdf_danger(obj: pikepdf.Dictionary) -> str | None:
    """The reason to refuse one PDF dictionary (or stream dictionary), or None."""
    kind = obj.get("/S")
    if "/JS" in obj or "/JavaScript" in obj or "/XFA" in obj or kind == "/JavaScript":
        return "javascript"  # an action, the document's names tree, or an XFA form's scripts
    if kind == "/Launch":
        return "launch"
    if (
        "/EmbeddedFiles" in obj
        or "/EF" in obj
        or kind == "/GoToE"
        or obj.get("/Type") == "/EmbeddedFile"
        or obj.get("/Subtype") in ("/FileAttachment", "/RichMedia")
    ):
        return "embedded"
    return None


def _walk_pdf(pdf: pikepdf.Pdf) -> str | None:
    """Look at every object of the file, referenced or not, including those inside compressed
    object streams, and at the dictionaries and arrays written directly inside them (an
    /OpenAction, an annotation's /A or /AA, a names tree)."""
    for indirect in pdf.objects:
        stack = [indirect]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if isinstance(obj, pikepdf.Dictionary):
                reason = _pdf_danger(obj)
                if reason:
                    return reason
                children = obj.values()
            elif isinstance(obj, pikepdf.Array):
                children = list(obj)
            else:
                continue
            # Indirect children are objects of their own, visited by the outer loop.
            stack.extend(
                child
                for child in children
                if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect
            )
    return None


def _check_pdf(uploaded_file) -> None:
    """Parse the PDF with pikepdf and refuse active or hidden content.

    The file is at most ATTACHMENT_MAX_BYTES, so it is read whole here.
    """
    uploaded_file.seek(0)
    data = uploaded_file.read()
    _refuse_data_after_eof(data)
    _refuse_hidden_zip(data)
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise ValidationError(
            "Ce PDF est protégé par un mot de passe : déposez-le sans protection.",
            code="encrypted",
        ) from exc
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError) as exc:
        raise ValidationError(
            f"Ce fichier n'est pas un PDF lisible (structure endommagée ou déguisée) : il est "
            f"refusé. {PDF_RESAVE}",
            code="pdf_unreadable",
        ) from exc
    with pdf:
        try:
            reason = _walk_pdf(pdf)
        except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
            raise ValidationError(
                f"Ce fichier n'est pas un PDF lisible (objet endommagé) : il est refusé. "
                f"{PDF_RESAVE}",
                code="pdf_unreadable",
            ) from exc
    if reason:
        message, code = PDF_REFUSALS[reason]
        raise ValidationError(message, code=code)


def _check_image(uploaded_file, mime_type: str) -> None:
    """Decode the image with Pillow: a genuine JPEG/PNG of sensible size, nothing appended."""
    not_genuine = ValidationError(
        "Cette image est endommagée ou n'est pas une vraie image JPEG ou PNG : elle est "
        "refusée. Enregistrez-la à nouveau avec votre logiciel d'images avant de la déposer.",
        code="bad_image",
    )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    _refuse_hidden_zip(data)
    if mime_type == PNG:
        end = data.rfind(PNG_END)
        if end < 0:
            raise not_genuine  # truncated: no end chunk
        if data[end + len(PNG_END) :].strip(b"\x00"):
            raise ValidationError(POLYGLOT_MESSAGE, code="polyglot")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # structure and checksums
        with Image.open(io.BytesIO(data)) as image:
            if image.format != IMAGE_FORMATS[mime_type]:
                raise not_genuine
            pixels = image.width * image.height
            if pixels > image_max_pixels():
                raise ValidationError(
                    f"Cette image est trop grande ({image.width} × {image.height} pixels) : "
                    "réduisez-la avant de la déposer.",
                    code="image_too_large",
                )
            if image.format == "JPEG":
                image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))
            image.load()  # every byte of image data decoded: a truncated image fails here
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        EOFError,
    ) as exc:
        raise not_genuine from exc


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
    elif mime_type in IMAGE_FORMATS:
        _check_image(uploaded_file, mime_type)
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
