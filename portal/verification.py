"""Checking that a document was issued by the portal, without showing its content.

By its reference and SHA-256 (written on every document and given to whoever received it), or by
the file itself: its SHA-256 is computed in memory (never stored, never written to disk: see
`InMemoryHashUpload`) and looked up among the documents the portal issued; the electronic
signature of an act is validated too (documents.signing). The answer names the kind of document,
its reference, its date, the issuing region and whether it is still in force; never the
beneficiary nor the amounts. An unknown reference and a wrong hash get the same answer, so the
page tells nothing to someone guessing references.
"""

import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from applications.models import DossierDocument
from documents.signing import SignatureCheck, check_signatures

MAX_UPLOAD = 10 * 1024 * 1024  # an official document of the portal weighs far less
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Verdict:
    sha256: str
    document: DossierDocument | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.document is not None

    @property
    def region_name(self) -> str:
        return self.document.dossier.scheme.region.name if self.document else ""


def _issued(**lookup) -> DossierDocument | None:
    return (
        DossierDocument.objects.filter(**lookup)
        .select_related("dossier__scheme__region")
        .order_by("-created_at", "-pk")
        .first()
    )


def verify_reference(reference: str, sha256: str) -> Verdict:
    """The document of that reference, when its stored hash is that one."""
    sha256 = sha256.strip().lower()
    return Verdict(sha256, _issued(reference__iexact=reference.strip(), sha256=sha256))


def verify_bytes(data: bytes) -> Verdict:
    """The issued document whose bytes these are, and what its signatures say."""
    sha256 = hashlib.sha256(data).hexdigest()
    return Verdict(sha256, _issued(sha256=sha256), check_signatures(data))


# --- Forms ------------------------------------------------------------------------------------


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label="Référence du document",
        max_length=64,
        help_text="Elle figure en haut du document, par exemple ARR-INAC-2022-000123.",
    )
    # No max_length: a hash copied from a PDF comes with spaces or line breaks between its groups
    # (95 characters in pairs); clean_sha256 says what is wrong with any other input.
    sha256 = forms.CharField(
        label="Empreinte SHA-256",
        help_text="64 caractères (chiffres et lettres de a à f), donnés avec le document.",
    )

    def clean_sha256(self) -> str:
        value = re.sub(r"\s+", "", self.cleaned_data["sha256"]).lower()
        if not SHA256.fullmatch(value):
            raise forms.ValidationError(
                "L'empreinte SHA-256 compte 64 caractères, chiffres de 0 à 9 et lettres de a à f."
            )
        return value


class FileForm(forms.Form):
    document = forms.FileField(
        label="Document à vérifier (PDF)",
        help_text="Le fichier n'est pas conservé : seule son empreinte est calculée.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if getattr(upload, "too_large", False):
            raise forms.ValidationError(
                "Ce fichier dépasse 10 Mo : ce n'est pas un document émis par le portail."
            )
        return upload


class InMemoryHashUpload(FileUploadHandler):
    """Keeps the one uploaded document in memory only (never a temporary file), up to MAX_UPLOAD;
    a larger one is skipped and reported to the form as too large. A file part of any other field
    is skipped unread, and the bytes are counted across every file of the request: past
    MAX_UPLOAD nothing more is kept, so a request never holds more than MAX_UPLOAD in memory."""

    def __init__(self, request=None, *, field_name: str = "file-document"):
        super().__init__(request)
        self.accepted_field = field_name
        self.received = 0  # across every file of the request

    def new_file(self, field_name, *args, **kwargs):
        if field_name != self.accepted_field:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.buffer = BytesIO()
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            return None
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD:
            self.too_large = True
            self.buffer = BytesIO()
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        upload = InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name or "document.pdf",
            content_type=self.content_type,
            size=file_size if self.too_large else self.buffer.getbuffer().nbytes,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        upload.too_large = self.too_large
        return upload
