"""Agents read a dossier's files without downloading them, and take the whole dossier as one ZIP
(issue 20 point 4)."""

import csv
import hashlib
import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.enums import ScanStatus
from applications.models import Attachment
from applications.receipt import ensure_receipt
from audit.models import AuditEvent
from instruction.archive import stream_archive
from instruction.views_files import ARCHIVE_DOWNLOADED
from tests.applications.factories import PDF_BYTES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def attach(dossier, name, data, mime, status=ScanStatus.CLEAN, code="kbis"):
    attachment = Attachment(
        dossier=dossier,
        document_code=code,
        original_name=name,
        size=len(data),
        mime_type=mime,
        sha256=hashlib.sha256(data).hexdigest(),
        scan_status=status,
    )
    attachment.file.save(f"stored-{len(data)}.bin", ContentFile(data), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def dossier(submitted):
    return submitted("PDL-IN")


@pytest.fixture
def agent(agent_of):
    return agent_of("PDL")


def preview_url(attachment):
    return reverse("instruction:attachment_preview", args=[attachment.dossier_id, attachment.pk])


def test_a_pdf_previews_inline_framed_by_the_portal_only(client, dossier, agent):
    pdf = attach(dossier, "kbis.pdf", PDF_BYTES, "application/pdf")
    client.force_login(agent)
    response = client.get(preview_url(pdf))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]  # the rest of the CSP kept
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_review_page_frames_pdfs_and_shows_images_and_keeps_its_own_csp(client, dossier, agent):
    pdf = attach(dossier, "kbis.pdf", PDF_BYTES, "application/pdf")
    image = attach(dossier, "photo.png", PNG, "image/png", code="photo")
    sheet = attach(dossier, "budget.xlsx", b"PK\x03\x04", "application/vnd.ms-excel", code="x")
    client.force_login(agent)
    response = client.get(reverse("instruction:dossier", args=[dossier.pk]))
    page = response.content.decode()
    assert f'<iframe src="{preview_url(pdf)}" title="Aperçu de la pièce kbis.pdf"' in page
    assert f'<img src="{preview_url(image)}" alt="Aperçu de la pièce photo.png"' in page
    assert preview_url(sheet) not in page
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_preview_for_other_types_nor_before_the_antivirus(client, dossier, agent, settings):
    settings.CLAMAV_REQUIRED = True
    sheet = attach(dossier, "budget.xlsx", b"PK\x03\x04", "application/vnd.ms-excel")
    pending = attach(dossier, "devis.pdf", PDF_BYTES, "application/pdf", ScanStatus.NOT_SCANNED)
    infected = attach(dossier, "virus.pdf", PDF_BYTES, "application/pdf", ScanStatus.INFECTED)
    client.force_login(agent)
    assert client.get(preview_url(sheet)).status_code == 404
    assert client.get(preview_url(pending)).status_code == 403
    assert client.get(preview_url(infected)).status_code == 403


def test_preview_is_refused_outside_the_agents_scope(client, dossier, agent_of):
    pdf = attach(dossier, "kbis.pdf", PDF_BYTES, "application/pdf")
    client.force_login(agent_of("HDF"))
    assert client.get(preview_url(pdf)).status_code == 404
    client.force_login(dossier.organisation.memberships.first().user)
    assert client.get(preview_url(pdf)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(preview_url(pdf)).status_code == 403


def read_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_dossier_zip_holds_files_acts_summary_and_a_manifest_of_their_hashes(
    client, dossier, agent, settings
):
    settings.CLAMAV_REQUIRED = True
    attach(dossier, "kbis.pdf", PDF_BYTES, "application/pdf")
    attach(dossier, "../../etc/passwd", b"root", "text/plain", code="other")
    attach(dossier, "virus.pdf", b"X5O!P%@AP", "application/pdf", ScanStatus.INFECTED)
    receipt = ensure_receipt(dossier)
    client.force_login(agent)
    response = client.get(reverse("instruction:dossier_archive", args=[dossier.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert f'filename="dossier-{dossier.number}.zip"' in response["Content-Disposition"]
    archive = read_zip(response)
    names = archive.namelist()
    assert "pieces/kbis/kbis.pdf" in names
    # No name climbs out of the archive's folders.
    assert "pieces/other/_.._etc_passwd" in names
    assert not any(part in ("..", "") for name in names for part in name.split("/"))
    assert not any("virus" in name for name in names)  # an infected file is never handed out
    assert f"documents/{receipt.reference}.pdf" in names
    assert names[-2:] == ["recapitulatif.pdf", "manifeste.csv"]
    assert archive.read("pieces/kbis/kbis.pdf") == PDF_BYTES
    manifest = list(
        csv.DictReader(io.StringIO(archive.read("manifeste.csv").decode()), delimiter=";")
    )
    assert [row["fichier"] for row in manifest] == names[:-1]
    for row in manifest:
        data = archive.read(row["fichier"])
        assert int(row["taille_octets"]) == len(data)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt.sha256 in {row["sha256"] for row in manifest}
    assert AuditEvent.objects.filter(action=ARCHIVE_DOWNLOADED, actor=agent).count() == 1


def test_the_zip_is_refused_outside_the_agents_scope(client, dossier, agent_of):
    url = reverse("instruction:dossier_archive", args=[dossier.pk])
    client.force_login(agent_of("HDF"))
    assert client.get(url).status_code == 404
    client.force_login(dossier.organisation.memberships.first().user)
    assert client.get(url).status_code == 403


def test_the_zip_streams_in_chunks_whatever_the_file_size(dossier):
    big = os.urandom(3 * 1024 * 1024)  # incompressible
    attach(dossier, "scan.pdf", big, "application/pdf")
    sizes = [len(chunk) for chunk in stream_archive(dossier)]
    assert sum(sizes) > len(big)
    assert max(sizes) < 256 * 1024, "the archive was built in memory instead of streamed"


def test_a_missing_stored_file_previews_as_a_french_404(client, dossier, agent):
    pdf = attach(dossier, "kbis.pdf", PDF_BYTES, "application/pdf")
    pdf.file.storage.delete(pdf.file.name)
    client.force_login(agent)
    response = client.get(preview_url(pdf))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_missing_stored_file_is_listed_as_missing_and_the_zip_goes_on(client, dossier, agent):
    lost = attach(dossier, "lost.pdf", PDF_BYTES, "application/pdf", code="a_lost")
    attach(dossier, "kbis.pdf", PDF_BYTES + b"%", "application/pdf")
    lost.file.storage.delete(lost.file.name)
    client.force_login(agent)
    archive = read_zip(client.get(reverse("instruction:dossier_archive", args=[dossier.pk])))
    names = archive.namelist()
    assert "pieces/kbis/kbis.pdf" in names and "pieces/a_lost/lost.pdf" not in names
    assert names[-2:] == ["recapitulatif.pdf", "manifeste.csv"]
    manifest = list(
        csv.DictReader(io.StringIO(archive.read("manifeste.csv").decode()), delimiter=";")
    )
    [row] = [row for row in manifest if row["fichier"] == "pieces/a_lost/lost.pdf"]
    assert row["taille_octets"] == "manquant" and row["sha256"] == "manquant"
