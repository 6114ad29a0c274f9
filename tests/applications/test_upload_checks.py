"""Files checked in the browser before they are sent, with the server's own limits; the antivirus
status said in words; a refused upload keeps the rest of the form (issue 21, point 4)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.attachments import scan_explanation
from applications.enums import ScanStatus
from applications.models import Attachment
from tests.applications.factories import PDF_BYTES, DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(open_calls):
    dossier = DossierFactory(scheme_code="INAC", complete=True)
    return dossier, dossier.organisation.memberships.first().user


def file_input(html: str) -> str:
    return re.search(r'<input type="file"[^>]*>', html).group(0)


def test_the_file_input_carries_the_servers_limits(client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    settings.DOSSIER_MAX_BYTES = 3 * 1024 * 1024
    dossier, user = draft
    used = sum(a.size for a in dossier.attachments.all())
    client.force_login(user)
    html = client.get(reverse("applications:step_documents", args=[dossier.pk])).content.decode()
    tag = file_input(html)
    assert 'data-max-bytes="2097152"' in tag and 'data-max-label="2 Mo"' in tag
    assert f'data-remaining-bytes="{3 * 1024 * 1024 - used}"' in tag
    assert ".jpeg" in tag and ".jpg" in tag and ".pdf" in tag  # accept and data-extensions
    assert 'data-types-label="PDF, JPEG, PNG' in tag
    assert 'aria-describedby="limites-fichiers verification-fichier"' in tag
    assert 'id="verification-fichier"' in html
    assert '<script src="/static/js/upload-check.js" defer></script>' in html


def test_a_refused_upload_keeps_the_chosen_document_and_says_why_in_french(client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    dossier, user = draft
    client.force_login(user)
    url = reverse("applications:step_documents", args=[dossier.pk])
    before = dossier.attachments.count()
    big = SimpleUploadedFile("devis.pdf", PDF_BYTES + b"%" * 2048, content_type="application/pdf")
    response = client.post(url, {"document_code": "other", "file": big})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<option value="other" selected>', html)
    error = re.search(r'id="id_file_error"[^>]*>(.*?)</div>', html).group(1)
    assert "« devis.pdf » : " in error and "1 Ko" in error
    assert Attachment.objects.filter(dossier=dossier).count() == before


@pytest.mark.parametrize(
    "status, configured, required, expected",
    [
        (ScanStatus.PENDING, True, True, "elle a lieu dans les minutes qui suivent le dépôt"),
        (ScanStatus.NOT_SCANNED, True, True, "elle a lieu dans les minutes qui suivent le dépôt"),
        (ScanStatus.NOT_SCANNED, False, False, "aucun antivirus n'est branché sur ce portail"),
        (ScanStatus.ERROR, True, True, "relancée automatiquement dans le quart d'heure"),
        (ScanStatus.CLEAN, True, True, "aucun virus détecté"),
        (ScanStatus.INFECTED, True, True, "mis en quarantaine"),
    ],
)
def test_each_antivirus_status_is_explained(settings, status, configured, required, expected):
    settings.CLAMAV_ADDRESS = "127.0.0.1:3310" if configured else ""
    settings.CLAMAV_REQUIRED = required
    text = scan_explanation(Attachment(scan_status=status))
    assert expected in text
    assert "non analysé" not in text.lower()


def test_the_documents_page_explains_a_pending_scan(client, draft, settings):
    dossier, user = draft
    dossier.attachments.update(scan_status=ScanStatus.PENDING)
    client.force_login(user)
    html = client.get(reverse("applications:step_documents", args=[dossier.pk])).content.decode()
    assert (
        "Analyse antivirus en attente : elle a lieu dans les minutes qui suivent le dépôt" in html
    )
    assert "antivirus : analyse en cours" not in html


def test_every_applicant_file_input_carries_the_limits(settings):
    """The payment requests' files and the messages' attachment are checked in the browser too
    (static/js/upload-check.js is loaded on every page by base.html)."""
    from django.template import Context, Template

    from payments.forms import CheckedFileField

    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    html = str(CheckedFileField(label="Devis").widget.render("quote", None))
    assert 'data-max-bytes="5242880"' in html and 'data-max-label="5 Mo"' in html
    tag = Template("{% load upload_limits %}<input type=file {% upload_limits %}>").render(
        Context()
    )
    assert 'data-max-bytes="5242880"' in tag and 'accept=".docx,.jpeg,.jpg' in tag


def test_the_message_form_of_the_dossier_page_checks_its_attachment(client, draft):
    dossier, user = draft
    type(dossier).objects.filter(pk=dossier.pk).update(state="submitted")  # messages open
    client.force_login(user)
    html = client.get(reverse("applications:detail", args=[dossier.pk])).content.decode()
    assert '<script src="/static/js/upload-check.js" defer></script>' in html
    tag = re.search(r'<input type="file" name="attachment"[^>]*>', html)
    assert tag and "data-max-bytes=" in tag.group(0)


def test_a_message_whose_attachment_is_refused_keeps_its_text(client, draft):
    dossier, user = draft
    type(dossier).objects.filter(pk=dossier.pk).update(state="submitted")
    client.force_login(user)
    body = "Bonjour, voici le devis corrigé que vous demandiez.\nCordialement"
    exe = SimpleUploadedFile("devis.pdf", b"MZ" + b"\x00" * 200, content_type="application/pdf")
    response = client.post(
        reverse("instruction_applicant:message_post", args=[dossier.pk]),
        {"body": body, "attachment": exe},
        follow=True,
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert "Votre message n'est pas envoyé." in html
    textarea = re.search(r'<textarea name="body"[^>]*>([^<]*)</textarea>', html).group(1)
    assert textarea == body
    assert not dossier.messages.exists()
    # Shown once: the next visit starts from an empty message.
    html = client.get(reverse("applications:detail", args=[dossier.pk])).content.decode()
    assert re.search(r'<textarea name="body"[^>]*></textarea>', html)
