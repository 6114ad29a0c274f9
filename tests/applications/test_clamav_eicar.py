"""With a real ClamAV daemon (CI starts one with the EICAR test signature only), the EICAR test
file is quarantined and never offered to the agent."""

import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.attachments import attachment_add
from applications.enums import ScanStatus
from tests.applications.factories import PDF_BYTES, DossierFactory

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN_PDF = PDF_BYTES
# A genuine PDF (it passes the upload checks) with the test signature in a comment.
EICAR_PDF = PDF_BYTES.replace(b"startxref", b"% " + EICAR + b"\nstartxref")


@pytest.fixture
def clamd(settings):
    address = os.environ.get("TEST_CLAMAV_ADDRESS")
    if not address:
        reason = "no ClamAV daemon: set TEST_CLAMAV_ADDRESS (.ci/run starts one)"
        if os.environ.get("REQUIRE_CLAMAV") == "1":
            pytest.fail(f"{reason}; REQUIRE_CLAMAV=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    settings.CLAMAV_ADDRESS = address


def upload(dossier, content: bytes, name: str, django_capture_on_commit_callbacks):
    user = dossier.organisation.memberships.first().user
    with django_capture_on_commit_callbacks(execute=True):
        attachment = attachment_add(
            user=user,
            dossier=dossier,
            document_code="other",
            uploaded_file=SimpleUploadedFile(name, content, "application/pdf"),
        )
    attachment.refresh_from_db()
    return attachment


def test_eicar_is_quarantined_by_the_real_daemon(
    clamd, settings, django_capture_on_commit_callbacks
):
    settings.CLAMAV_REQUIRED = True  # as in production
    dossier = DossierFactory()
    infected = upload(dossier, EICAR_PDF, "devis.pdf", django_capture_on_commit_callbacks)
    assert infected.scan_status == ScanStatus.INFECTED
    assert "Eicar" in infected.scan_detail
    # Moved out of the dossiers' folder, within the storage (a local folder or S3).
    assert infected.file.name.startswith("quarantine/")
    assert default_storage.exists(infected.file.name)
    original = f"dossiers/{infected.dossier_id}/{infected.file.name.split('-', 2)[-1]}"
    assert not default_storage.exists(original)
    assert not infected.can_be_opened
    clean = upload(dossier, CLEAN_PDF, "kbis.pdf", django_capture_on_commit_callbacks)
    assert clean.scan_status == ScanStatus.CLEAN
    assert clean.can_be_opened  # offered once the daemon found it clean
