"""Attachments: validation by content, private storage, guarded download, antivirus scan."""

import datetime
import hashlib
import io
import zipfile
from pathlib import PurePosixPath

import pikepdf
import pytest
from celery.exceptions import Retry
from clamav_client.clamd import CommunicationError
from clamav_client.scanner import ScanResult
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from applications import scanning
from applications.attachments import attachment_add, attachment_remove, required_documents_for
from applications.enums import DossierState, ScanStatus
from applications.models import Attachment
from applications.services import dossier_submit
from applications.uploads import ODT, clean_filename, format_bytes_fr, validate_upload
from audit.models import AuditEvent
from common.files import walk
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import ANSWERS, PDF_BYTES, DossierFactory
from tests.factories import RoleAssignmentFactory, UserFactory

PDF = PDF_BYTES
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 500
OOXML_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"></Types>'
)


def make_pdf(build=None, **save_options) -> bytes:
    """A genuine one-page PDF made by pikepdf, changed by `build(pdf)` before it is saved."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build:
        build(pdf)
    buffer = io.BytesIO()
    pdf.save(buffer, static_id=True, **save_options)
    return buffer.getvalue()


def js_action() -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String("app.alert('bonjour')"))


def open_action_js(pdf):
    pdf.Root.OpenAction = js_action()


def names_tree_js(pdf):
    script = pdf.make_indirect(js_action())
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))


def link_annotation(pdf, **entries):
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100], **entries)
    pdf.pages[0].Annots = Array([pdf.make_indirect(annotation)])


def annotation_a_js(pdf):
    link_annotation(pdf, A=js_action())


def annotation_aa_js(pdf):
    link_annotation(pdf, AA=Dictionary(E=js_action()))


def page_aa_js(pdf):
    pdf.pages[0].AA = Dictionary(O=js_action())


def open_action_launch(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("cmd.exe"))


def annotation_launch(pdf):
    link_annotation(pdf, A=Dictionary(S=Name.Launch, F=String("/bin/sh")))


def embedded_file(pdf):
    pdf.attachments["facture.txt"] = pikepdf.AttachedFileSpec(
        pdf, b"bonjour", mime_type="text/plain"
    )


def file_attachment_annotation(pdf):
    spec = pikepdf.AttachedFileSpec(pdf, b"bonjour", filename="note.txt")
    annotation = Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 20, 20], FS=spec.obj
    )
    pdf.pages[0].Annots = Array([pdf.make_indirect(annotation)])


def uri_link(pdf):
    link_annotation(pdf, A=Dictionary(S=Name.URI, URI=String("https://www.exemple.fr/")))


def zip_inside_a_stream(pdf):
    pdf.Root.Extra = pdf.make_stream(zip_bytes([("run.sh", "#!/bin/sh\necho polyglotte\n")]))


UNCOMPRESSED = {"compress_streams": False, "object_stream_mode": pikepdf.ObjectStreamMode.disable}


def image_bytes(fmt: str, size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(entries, *, stored_first=False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            info = zipfile.ZipInfo(name) if stored_first and index == 0 else name
            archive.writestr(info, data)
    return buffer.getvalue()


def docx(extra=()) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", OOXML_TYPES),
            ("_rels/.rels", "<r/>"),
            ("word/document.xml", "<w/>"),
        ]
        + list(extra)
    )


def docx_bomb(megabytes: int = 50) -> bytes:
    """A genuine-looking DOCX with a member of zeros, written in chunks (about 50 Ko)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", OOXML_TYPES)
        archive.writestr("_rels/.rels", "<r/>")
        archive.writestr("word/document.xml", "<w/>")
        with archive.open("word/media/image1.png", "w", force_zip64=True) as member:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(zeros)
    return buffer.getvalue()


def odt() -> bytes:
    return zip_bytes(
        [("mimetype", ODT), ("content.xml", "<office:document-content/>")], stored_first=True
    )


def upload(name="piece.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def add(user, dossier, code, uploaded_file=None):
    uploaded_file = uploaded_file or upload()
    return attachment_add(
        user=user, dossier=dossier, document_code=code, uploaded_file=uploaded_file
    )


def stored_files(settings) -> list[str]:
    """Every file in the private storage (a local folder, or the test's S3 prefix)."""
    return list(walk(default_storage))


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def dossier(member):
    return DossierFactory(scheme_code="PDL-IN", answers=ANSWERS["PDL-IN"], member=member)


@pytest.fixture
def code(dossier):
    return required_documents_for(dossier)[0]["code"]


# --- Validation ---------------------------------------------------------------------------------


def test_required_documents_come_from_the_rule_version(dossier):
    codes = [doc["code"] for doc in required_documents_for(dossier)]
    assert "quotes" in codes
    assert all(doc.get("when") != "payment" for doc in required_documents_for(dossier))


def test_valid_pdf_is_stored_privately_under_a_random_name(settings, dossier, member, code):
    attachment = add(member, dossier, code, upload("Devis 2026.pdf"))
    attachment.refresh_from_db()
    assert stored_files(settings) == [attachment.file.name]
    assert stored_bytes(attachment.file.name) == PDF
    assert "Devis" not in attachment.file.name
    path = PurePosixPath(attachment.file.name)
    assert len(path.stem) == 32 and path.suffix == ".pdf"
    assert attachment.original_name == "Devis 2026.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.mime_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.scan_status == ScanStatus.NOT_SCANNED
    assert AuditEvent.objects.filter(action="attachment_add", object_id=str(attachment.pk)).exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("sain.docx", docx()),
        ("sain.odt", odt()),
        ("photo.JPEG", image_bytes("JPEG")),
        ("schema.png", image_bytes("PNG")),
        ("devis.pdf", make_pdf()),
        ("devis-compresse.pdf", make_pdf(object_stream_mode=pikepdf.ObjectStreamMode.generate)),
        ("devis-avec-lien.pdf", make_pdf(uri_link)),
        (
            "releve-protege-en-ecriture.pdf",  # an owner password only: anyone may open it
            make_pdf(encryption=pikepdf.Encryption(user="", owner="banque")),
        ),
        ("devis-espaces.pdf", make_pdf() + b"\r\n  \x00\n"),
    ],
)
def test_office_documents_and_images_are_accepted(dossier, name, content):
    validated = validate_upload(upload(name, content), dossier=dossier)
    assert validated.original_name == name


REFUSED = [
    ("windows_exe_renamed_pdf", "facture.pdf", MZ, "programme exécutable"),
    ("elf_renamed_jpg", "photo.jpg", ELF, "programme exécutable"),
    ("empty_file", "vide.pdf", b"", "Ce fichier est vide"),
    ("plain_zip", "pieces.zip", zip_bytes([("a.txt", "bonjour")]), "reconnu comme « archive ZIP »"),
    ("zip_named_pdf", "devis.pdf", zip_bytes([("a.txt", "bonjour")]), "n'est pas un PDF"),
    ("text_named_pdf", "devis.pdf", b"bonjour", "reconnu comme « texte brut »"),
    # PDFs: JavaScript wherever a viewer runs it, one message for it.
    ("pdf_open_action_js", "devis.pdf", make_pdf(open_action_js), "code actif (JavaScript)"),
    ("pdf_names_tree_js", "devis.pdf", make_pdf(names_tree_js), "code actif (JavaScript)"),
    ("pdf_annotation_a_js", "devis.pdf", make_pdf(annotation_a_js), "code actif (JavaScript)"),
    ("pdf_annotation_aa_js", "devis.pdf", make_pdf(annotation_aa_js), "code actif (JavaScript)"),
    ("pdf_page_aa_js", "devis.pdf", make_pdf(page_aa_js), "code actif (JavaScript)"),
    (
        "pdf_js_in_compressed_object_stream",
        "devis.pdf",
        make_pdf(names_tree_js, object_stream_mode=pikepdf.ObjectStreamMode.generate),
        "code actif (JavaScript)",
    ),
    (
        "pdf_hex_escaped_js",  # /J#61vaScript is /JavaScript to a viewer
        "devis.pdf",
        make_pdf(open_action_js, **UNCOMPRESSED).replace(b"/JavaScript", b"/J#61vaScript"),
        "code actif (JavaScript)",
    ),
    # Launch actions, embedded files.
    ("pdf_open_action_launch", "devis.pdf", make_pdf(open_action_launch), "lance un programme"),
    ("pdf_annotation_launch", "devis.pdf", make_pdf(annotation_launch), "lance un programme"),
    ("pdf_embedded_file", "devis.pdf", make_pdf(embedded_file), "fichiers incorporés"),
    (
        "pdf_file_attachment_annotation",
        "devis.pdf",
        make_pdf(file_attachment_annotation),
        "fichiers incorporés",
    ),
    # Polyglots: a PDF that is also a ZIP, data after %%EOF, or no PDF at all behind the header.
    (
        "pdf_with_zip_and_script_appended",
        "devis.pdf",
        make_pdf() + zip_bytes([("run.sh", "#!/bin/sh\necho polyglotte\n")]),
        "polyglotte",
    ),
    (
        "pdf_with_html_after_eof",
        "devis.pdf",
        make_pdf() + b"<html><script>alert(1)</script></html>\n",
        "polyglotte",
    ),
    (
        "pdf_with_zip_inside_a_stream",
        "devis.pdf",
        make_pdf(zip_inside_a_stream, **UNCOMPRESSED),
        "polyglotte",
    ),
    (
        "pdf_garbage_behind_the_header",
        "devis.pdf",
        b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n",
        "n'est pas un PDF lisible",
    ),
    ("pdf_without_eof", "devis.pdf", b"%PDF-1.4\nbonjour\n", "incomplet"),
    (
        "pdf_with_user_password",
        "devis.pdf",
        make_pdf(encryption=pikepdf.Encryption(user="secret", owner="secret")),
        "protégé par un mot de passe",
    ),
    (
        "pdf_with_embedded_exe",
        "devis.pdf",
        PDF.replace(b"xref", b"% MZ\x90\x00 This program cannot be run in DOS mode.\nxref"),
        "polyglotte",
    ),
    # Images are decoded by Pillow.
    (
        "jpeg_header_then_zeros",
        "photo.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200 + b"\xff\xd9",
        "n'est pas une vraie image",
    ),
    (
        "truncated_png",
        "schema.png",
        image_bytes("PNG", (400, 400))[:300],
        "n'est pas une vraie image",
    ),
    (
        "truncated_jpeg",
        "photo.jpg",
        image_bytes("JPEG", (400, 400))[:600],
        "n'est pas une vraie image",
    ),
    (
        "png_with_zip_appended",
        "schema.png",
        image_bytes("PNG") + zip_bytes([("a.php", "<?= 1 ?>")]),
        "polyglotte",
    ),
    (
        "jpeg_with_zip_appended",
        "photo.jpg",
        image_bytes("JPEG") + zip_bytes([("run.sh", "echo")]),
        "polyglotte",
    ),
    ("png_with_data_after_its_end", "schema.png", image_bytes("PNG") + b"bonjour", "polyglotte"),
    ("docx_with_macros", "devis.docx", docx([("word/vbaProject.bin", "x")]), "macros"),
    ("fake_docx", "devis.docx", zip_bytes([("[Content_Types].xml", OOXML_TYPES)]), "archive ZIP"),
]


@pytest.mark.parametrize(
    "name, content, message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_dangerous_or_wrong_files_are_refused(
    dossier, member, code, settings, name, content, message
):
    with pytest.raises(ValidationError) as refused:
        add(member, dossier, code, upload(name, content))
    assert message in " ".join(refused.value.messages)
    assert not dossier.attachments.exists()
    assert stored_files(settings) == []


def test_zip_bomb_disguised_as_docx_is_refused(dossier):
    bomb = docx_bomb(50)
    assert len(bomb) < 200 * 1024
    with pytest.raises(ValidationError, match="bombe de décompression"):
        validate_upload(upload("rapport.docx", bomb), dossier=dossier)


def test_zip_bomb_above_the_uncompressed_cap_is_refused(settings, dossier):
    settings.ATTACHMENT_ZIP_MAX_UNCOMPRESSED = 2 * 1024 * 1024
    settings.ATTACHMENT_ZIP_MAX_RATIO = 10**6
    with pytest.raises(ValidationError, match="bombe de décompression"):
        validate_upload(upload("rapport.docx", docx_bomb(3)), dossier=dossier)


def test_oversized_file_is_refused_with_the_limit_in_french(settings, dossier):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload(content=PDF + b"\x00" * (1536 * 1024)), dossier=dossier)
    assert "la taille maximale par fichier est de 1 Mo" in refused.value.messages[0]


def test_dossier_total_is_capped(settings, dossier, member, code):
    settings.DOSSIER_MAX_BYTES = len(PDF) * 2 - 1
    add(member, dossier, code, upload())
    with pytest.raises(ValidationError, match="au total : il reste"):
        add(member, dossier, code, upload())
    assert dossier.attachments.count() == 1


def test_name_with_traversal_and_control_characters_is_cleaned(settings, dossier, member, code):
    attachment = add(member, dossier, code, upload("../../etc/passwd\x07.pdf"))
    assert attachment.original_name == "passwd.pdf"
    assert stored_files(settings) == [attachment.file.name]
    assert attachment.file.name.startswith("dossiers/") and ".." not in attachment.file.name


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("..\\..\\windows\\system32\\devis.pdf", "devis.pdf"),
        ("fac\u202etxt.exe.pdf", "factxt.exe.pdf"),
        ("a\x00b<c>:d.pdf", "ab_c__d.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("nul.exe", "_nul.exe.pdf"),
        (".pdf", "piece-jointe.pdf"),
        ("\x07\x07.pdf", "piece-jointe.pdf"),
        ("devis.exe", "devis.exe.pdf"),
        ("Cafe\u0301.pdf", "Café.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_clean_filename(raw, cleaned):
    assert clean_filename(raw, extension=".pdf") == cleaned


@pytest.mark.parametrize(
    "size, text",
    [(10 * 1024**2, "10 Mo"), (1536 * 1024, "1,5 Mo"), (800 * 1024, "800 Ko"), (12, "12 octets")],
)
def test_format_bytes_fr(size, text):
    assert format_bytes_fr(size) == text


def test_only_members_of_a_draft_may_add(dossier, member, code):
    with pytest.raises(PermissionDenied, match="Seuls les membres"):
        attachment_add(
            user=UserFactory(), dossier=dossier, document_code=code, uploaded_file=upload()
        )
    dossier.state = DossierState.SUBMITTED
    dossier.save()
    with pytest.raises(PermissionDenied, match="a été déposé"):
        add(member, dossier, code, upload())


def test_unknown_document_code_is_refused(dossier, member):
    with pytest.raises(ValidationError, match="Choisissez la pièce"):
        attachment_add(user=member, dossier=dossier, document_code="bogus", uploaded_file=upload())


def test_remove_deletes_the_file(dossier, member, code, django_capture_on_commit_callbacks):
    attachment = add(member, dossier, code, upload())
    name = attachment.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(user=member, attachment=attachment)
    assert not default_storage.exists(name)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert AuditEvent.objects.filter(action="attachment_remove").exists()


# --- The step page ------------------------------------------------------------------------------


def test_page_shows_the_limits_before_upload(client, dossier, member):
    client.force_login(member)
    response = client.get(reverse("applications:step_documents", args=[dossier.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Taille maximale par fichier : 10 Mo" in page
    assert "Espace restant pour ce dossier : 100 Mo" in page
    assert "PDF, JPEG, PNG" in page
    assert 'enctype="multipart/form-data"' in page
    assert "Devis des dépenses prévues" in page


def test_upload_through_the_page_redirects_with_a_message(client, dossier, member, code):
    client.force_login(member)
    url = reverse("applications:step_documents", args=[dossier.pk])
    response = client.post(url, {"document_code": code, "file": upload("Kbis.pdf")})
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    assert "Le fichier « Kbis.pdf » a été ajouté." in page
    assert "Kbis.pdf" in page and "non analysé" not in page
    # No scanner in the tests: said plainly, with what was checked instead.
    assert "Pas d'analyse antivirus : aucun antivirus n'est branché sur ce portail" in page.replace(
        "&#x27;", "'"
    )
    attachment = dossier.attachments.get()
    assert f"SHA-256 {attachment.sha256[:12]}" in page


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("facture.pdf", MZ, "programme exécutable"),
        ("photo.jpg", ELF, "programme exécutable"),
        ("vide.pdf", b"", "Ce fichier est vide"),
        ("devis.pdf", make_pdf(open_action_js), "code actif (JavaScript)"),
        ("pieces.zip", zip_bytes([("a.txt", "x")]), "archive ZIP"),
    ],
)
def test_refused_file_keeps_the_form_and_chosen_document(
    client, settings, dossier, member, name, content, message
):
    client.force_login(member)
    url = reverse("applications:step_documents", args=[dossier.pk])
    response = client.post(url, {"document_code": "quotes", "file": upload(name, content)})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert '<option value="quotes" selected>' in page
    assert 'type="file"' in page
    assert not dossier.attachments.exists()
    assert stored_files(settings) == []


# --- Download -----------------------------------------------------------------------------------


@pytest.fixture
def attachment(dossier, member, code):
    return add(member, dossier, code, upload("Devis.pdf"))


def download_url(attachment, dossier=None):
    dossier_pk = dossier.pk if dossier else attachment.dossier_id
    return reverse("applications:attachment_download", args=[dossier_pk, attachment.pk])


def test_member_downloads_the_file_with_safe_headers(client, member, attachment):
    client.force_login(member)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="Devis.pdf"'


def test_non_member_gets_404(client, attachment):
    client.force_login(UserFactory())
    assert client.get(download_url(attachment)).status_code == 404


def test_attachment_of_another_dossier_gets_404(client, member, attachment):
    mine = DossierFactory(scheme_code="INAC", member=member)
    client.force_login(member)
    assert client.get(download_url(attachment, dossier=mine)).status_code == 404


def test_anonymous_is_sent_to_login(client, attachment):
    response = client.get(download_url(attachment))
    assert response.status_code == 302 and reverse("account_login") in response.url


@pytest.mark.parametrize("status", [ScanStatus.PENDING, ScanStatus.INFECTED, ScanStatus.ERROR])
def test_unscanned_or_infected_file_is_not_served(client, member, attachment, status):
    Attachment.objects.filter(pk=attachment.pk).update(scan_status=status)
    client.force_login(member)
    response = client.get(download_url(attachment))
    assert response.status_code == 403
    assert (
        "ne peut pas être ouvert" in response.content.decode()
        or "en cours" in response.content.decode()
    )


def test_delete_is_post_only(client, member, attachment, django_capture_on_commit_callbacks):
    client.force_login(member)
    url = reverse("applications:attachment_delete", args=[attachment.dossier_id, attachment.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


# --- Antivirus ----------------------------------------------------------------------------------


class FakeScanner:
    def __init__(self, state, details=None, err=None):
        self.result = (state, details, err)
        self.calls = 0

    def scan(self, filename):
        self.calls += 1
        return ScanResult(filename, *self.result)


@pytest.fixture
def scanner(settings, monkeypatch):
    settings.CLAMAV_ADDRESS = "127.0.0.1:3310"

    def install(state, details=None, err=None):
        fake = FakeScanner(state, details, err)
        monkeypatch.setattr(scanning, "get_scanner", lambda: fake)
        return fake

    return install


def add_scanned(member, dossier, code, capture):
    with capture(execute=True):
        attachment = add(member, dossier, code, upload())
    attachment.refresh_from_db()
    return attachment


def test_infected_file_is_quarantined_and_applicant_told(
    settings, scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    scanner("FOUND", "Win.Test.EICAR_HDB-1")
    attachment = add_scanned(member, dossier, code, django_capture_on_commit_callbacks)
    assert attachment.scan_status == ScanStatus.INFECTED
    assert attachment.scan_detail == "Win.Test.EICAR_HDB-1"
    # Moved within the storage (a local folder or S3), out of the dossiers' folder.
    assert PurePosixPath(attachment.file.name).parent.as_posix() == scanning.quarantine_prefix()
    assert stored_bytes(attachment.file.name) == PDF
    assert stored_files(settings) == [attachment.file.name]
    assert not attachment.can_be_opened
    assert AuditEvent.objects.filter(action="attachment_quarantine").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "mis en quarantaine" in mail.outbox[0].subject


def test_infected_file_is_shown_as_quarantined(
    client, scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    scanner("FOUND", "Win.Test.EICAR_HDB-1")
    attachment = add_scanned(member, dossier, code, django_capture_on_commit_callbacks)
    client.force_login(member)
    page = client.get(reverse("applications:step_documents", args=[dossier.pk])).content.decode()
    assert "mis en quarantaine" in page
    assert f'href="{download_url(attachment)}"' not in page


def test_clean_file_is_marked_clean(
    scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    fake = scanner("OK")
    attachment = add_scanned(member, dossier, code, django_capture_on_commit_callbacks)
    assert attachment.scan_status == ScanStatus.CLEAN
    assert attachment.can_be_opened
    scanning.scan_attachment.delay(attachment.pk)  # idempotent: a second run scans nothing
    assert fake.calls == 1


def test_unreachable_scanner_is_retried(
    scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    scanner("ERROR", "connexion refusée", CommunicationError("Connection refused"))
    with django_capture_on_commit_callbacks(execute=False):
        attachment = add(member, dossier, code, upload())
    with pytest.raises(Retry):
        scanning.scan_attachment.apply(args=[attachment.pk], throw=True)
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.PENDING


def test_other_scanner_error_is_recorded(
    scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    scanner("ERROR", "Can't allocate memory")
    attachment = add_scanned(member, dossier, code, django_capture_on_commit_callbacks)
    assert attachment.scan_status == ScanStatus.ERROR
    assert not attachment.can_be_opened


def test_without_scanner_no_task_is_queued(
    dossier, member, code, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        add(member, dossier, code, upload())
    assert callbacks == []


def test_image_with_too_many_pixels_is_refused(settings, dossier):
    settings.ATTACHMENT_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match=r"trop grande \(64 × 48 pixels\)"):
        validate_upload(upload("photo.png", image_bytes("PNG")), dossier=dossier)


# --- CLAMAV_REQUIRED: agents see a file only once it is scanned clean ---------------------------


@pytest.fixture
def submitted_with_file(db):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=member, dossier=dossier, sworn=True)
    return dossier, dossier.attachments.first()


@pytest.fixture
def agent(db):
    return RoleAssignmentFactory(role="agent", region_code="PDL").user


def agent_view(client, agent, attachment, status):
    """(review page, download response) for the agent, with the file in `status`."""
    Attachment.objects.filter(pk=attachment.pk).update(scan_status=status)
    client.force_login(agent)
    page = client.get(reverse("instruction:dossier", args=[attachment.dossier_id])).content
    download = client.get(
        reverse("instruction:attachment", args=[attachment.dossier_id, attachment.pk])
    )
    return page.decode(), download


def agent_link(attachment) -> str:
    url = reverse("instruction:attachment", args=[attachment.dossier_id, attachment.pk])
    return f'href="{url}"'


@pytest.mark.parametrize("status", [ScanStatus.NOT_SCANNED, ScanStatus.PENDING, ScanStatus.ERROR])
def test_with_clamav_required_a_file_not_scanned_clean_is_not_offered_to_agents(
    settings, client, agent, submitted_with_file, status
):
    settings.CLAMAV_REQUIRED = True
    _, attachment = submitted_with_file
    page, download = agent_view(client, agent, attachment, status)
    assert f"{attachment.original_name} <strong>(analyse antivirus en cours" in page
    assert agent_link(attachment) not in page
    assert download.status_code == 403
    assert not hasattr(download, "streaming_content")
    assert "Analyse antivirus en cours" in download.content.decode()
    assert f"« {attachment.original_name} »" in download.content.decode()


def test_with_clamav_required_a_clean_file_is_offered_to_agents(
    settings, client, agent, submitted_with_file
):
    settings.CLAMAV_REQUIRED = True
    _, attachment = submitted_with_file
    page, download = agent_view(client, agent, attachment, ScanStatus.CLEAN)
    assert agent_link(attachment) in page
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_without_clamav_required_an_unscanned_file_is_offered_but_not_a_pending_one(
    settings, client, agent, submitted_with_file
):
    settings.CLAMAV_REQUIRED = False
    _, attachment = submitted_with_file
    page, download = agent_view(client, agent, attachment, ScanStatus.NOT_SCANNED)
    assert agent_link(attachment) in page and download.status_code == 200
    page, download = agent_view(client, agent, attachment, ScanStatus.PENDING)
    assert agent_link(attachment) not in page and download.status_code == 403
    assert "analyse antivirus en cours" in page


@pytest.mark.parametrize("required", [True, False])
def test_an_infected_file_is_never_served_to_agents(
    settings, client, agent, submitted_with_file, required
):
    settings.CLAMAV_REQUIRED = required
    _, attachment = submitted_with_file
    page, download = agent_view(client, agent, attachment, ScanStatus.INFECTED)
    assert "(infecté, mis en quarantaine : ne peut pas être ouvert)" in page
    assert agent_link(attachment) not in page
    assert download.status_code == 403
    assert "mis en quarantaine" in download.content.decode()


def test_pending_and_failed_scans_are_queued_again(
    settings, scanner, dossier, member, code, django_capture_on_commit_callbacks
):
    settings.CLAMAV_REQUIRED = True
    fake = scanner("OK")
    with django_capture_on_commit_callbacks(execute=False):  # the first scan never ran
        attachment = add(member, dossier, code, upload())
    recent = scanning.rescan_unscanned.delay().get()
    assert recent == 0  # just uploaded: its own scan is still on its way
    old = timezone.now() - datetime.timedelta(hours=1)
    Attachment.objects.filter(pk=attachment.pk).update(uploaded_at=old)
    assert scanning.rescan_unscanned.delay().get() == 1
    attachment.refresh_from_db()
    assert attachment.scan_status == ScanStatus.CLEAN and fake.calls == 1
    assert attachment.can_be_opened
    assert "rescan-unscanned-attachments" in settings.CELERY_BEAT_SCHEDULE
