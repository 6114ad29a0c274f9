"""Receipt PDF, confirmation e-mail and receipt download of a submitted dossier."""

import hashlib
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse

from applications import receipt as receipt_module
from applications.models import Attachment, Dossier, DossierDocument, ExpenseLine
from applications.notifications import send_submission_email
from applications.receipt import ensure_receipt, render_receipt_pdf
from applications.situation import dossier_situation
from applications.tasks import after_submission
from applications.views_receipt import PENDING
from audit.models import AuditEvent
from organisations.enums import MemberRole
from schemes.engine import simulate
from schemes.models import RuleVersion, Scheme
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.pdf import pdf_page_sizes_mm, pdf_text, pdf_title

PARIS = ZoneInfo("Europe/Paris")
FILES = {"devis-crm.pdf": b"%PDF-1.4 devis CRM", "kbis.pdf": b"%PDF-1.4 extrait Kbis"}


@pytest.fixture
def organisation(db):
    org = OrganisationFactory(
        name="Boulangerie du Beffroi", address="12 rue de la Clef", headcount=4
    )
    MembershipFactory(organisation=org, user__email="gerante@beffroi.fr")
    MembershipFactory(organisation=org, user__email="associe@beffroi.fr", role=MemberRole.MEMBER)
    return org


@pytest.fixture
def dossier(organisation):
    submitter = organisation.memberships.get(user__email="gerante@beffroi.fr").user
    submitted_at = datetime(2022, 5, 10, 14, 5, tzinfo=PARIS)
    dossier = Dossier.objects.create(
        scheme=Scheme.objects.get(code="INAC"),
        organisation=organisation,
        number="INAC-2022-000123",
        state="submitted",
        created_by=submitter,
        submitted_by=submitter,
        submitted_at=submitted_at,
        sworn_statement_at=submitted_at,
        filed_on=date(2022, 5, 10),
        title="Caisse connectée et gestion de la relation client",
        answers={"turnover": "380000", "registered_rcs": True},
    )
    ExpenseLine.objects.create(
        dossier=dossier,
        position=0,
        category="crm",
        supplier="Logiciels du Nord",
        amount=Decimal("3200.00"),
    )
    ExpenseLine.objects.create(
        dossier=dossier,
        position=1,
        category="connected_equipment",
        supplier="Caisses & Co",
        amount=Decimal("1234.56"),
    )
    for code, (name, content) in zip(
        ["quotes", "registration_extract"], FILES.items(), strict=True
    ):
        Attachment.objects.create(
            dossier=dossier,
            document_code=code,
            original_name=name,
            file=ContentFile(content, name=f"{code}.pdf"),
            size=len(content),
            mime_type="application/pdf",
            sha256=hashlib.sha256(content).hexdigest(),
        )
    dossier.result = simulate(dossier_situation(dossier, filed_on=dossier.filed_on))
    dossier.rule_version = RuleVersion.objects.get(ident=dossier.result["rules"])
    dossier.save()
    return dossier


@pytest.fixture
def pdf(dossier):
    return render_receipt_pdf(dossier)


def test_receipt_pdf_states_the_deposit(dossier, pdf):
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF-")
    for expected in [
        "Récépissé de dépôt",
        "INAC-2022-000123",
        "REC-INAC-2022-000123",
        "10/05/2022 à 14:05",
        "Boulangerie du Beffroi",
        dossier.organisation.siret,
        "12 rue de la Clef, 59000 Lille",
        "gerante@beffroi.fr",
        "Soutien aux investissements numériques des artisans-commerçants (INAC)",
        "INAC/2021-11-01",
        "Caisse connectée et gestion de la relation client",
        "Logiciels du Nord",
        "3 200,00 €",
        "1 234,56 €",
        "Seule la décision de la Région fixe l'aide accordée",
        "Conservez ce récépissé",
        "Page 1 / ",
    ]:
        assert expected in text, expected
    for content in FILES.values():
        # The hash may wrap inside its cell: compare without spaces.
        assert hashlib.sha256(content).hexdigest() in text.replace(" ", "")
    for name in FILES:
        assert name in text


def test_receipt_pdf_shows_the_estimate_frozen_at_submission(dossier, pdf):
    text = pdf_text(pdf)
    result = dossier.result
    assert result["eligible"], result["reasons"]
    award = f"{Decimal(result['award']):,.2f}".replace(",", " ").replace(".", ",")
    assert f"Aide estimée : {award} €" in text


def test_receipt_pdf_lists_the_reasons_when_not_eligible(dossier):
    dossier.result = {
        **dossier.result,
        "eligible": False,
        "award": "0.00",
        "reasons": [
            {"code": "x", "message": "Le demandeur n'est pas inscrit au RCS.", "source": ""}
        ],
    }
    text = pdf_text(render_receipt_pdf(dossier))
    assert "ne remplit pas les conditions d'éligibilité" in text
    assert "Le demandeur n'est pas inscrit au RCS." in text


def test_receipt_is_a_french_a4_document_with_a_title(dossier, pdf):
    html = render_to_string(receipt_module.TEMPLATE, receipt_module.receipt_context(dossier))
    assert '<html lang="fr">' in html
    assert pdf_title(pdf) == "Récépissé de dépôt — dossier INAC-2022-000123"
    assert set(pdf_page_sizes_mm(pdf)) == {(210, 297)}  # A4


def test_rendering_fetches_nothing_and_remote_urls_are_refused(dossier, monkeypatch):
    calls = []
    real_fetch = receipt_module.OfflineURLFetcher.fetch

    def spy(self, url, headers=None):
        calls.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(receipt_module.OfflineURLFetcher, "fetch", spy)
    render_receipt_pdf(dossier)
    assert calls == []
    for url in ["https://fonts.example.org/font.woff2", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            receipt_module.OfflineURLFetcher().fetch(url)


def test_no_receipt_for_a_draft(dossier):
    dossier.submitted_at = None
    with pytest.raises(ValueError):
        render_receipt_pdf(dossier)


def test_ensure_receipt_stores_the_pdf_once(dossier, monkeypatch):
    first = ensure_receipt(dossier)
    assert first.reference == "REC-INAC-2022-000123"
    assert first.kind == DossierDocument.Kind.RECEIPT
    stored = first.file.read()
    first.file.close()
    assert hashlib.sha256(stored).hexdigest() == first.sha256
    assert first.file.name.endswith(".pdf") and "recepisse-INAC-2022-000123" in first.file.name

    def must_not_render(*args, **kwargs):
        raise AssertionError("an official document must not be regenerated")

    monkeypatch.setattr(receipt_module, "render_receipt_pdf", must_not_render)
    second = ensure_receipt(dossier)
    assert second.pk == first.pk and second.sha256 == first.sha256
    assert second.file.name == first.file.name
    assert DossierDocument.objects.filter(dossier=dossier).count() == 1
    with second.file.open("rb") as handle:
        assert handle.read() == stored


def test_concurrent_generation_keeps_the_first_and_deletes_the_orphan(dossier, monkeypatch):
    real_render = receipt_module.render_receipt_pdf
    winner = {}

    def render_while_another_worker_commits(d):
        pdf = real_render(d)
        winner["doc"] = DossierDocument.objects.create(
            dossier=d,
            kind=DossierDocument.Kind.RECEIPT,
            reference="REC-OTHER",
            file=ContentFile(pdf, name="recepisse-winner.pdf"),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        return pdf

    monkeypatch.setattr(receipt_module, "render_receipt_pdf", render_while_another_worker_commits)
    document = ensure_receipt(dossier)
    assert document.pk == winner["doc"].pk
    assert DossierDocument.objects.filter(dossier=dossier).count() == 1
    storage = document.file.storage
    folder = document.file.name.rsplit("/", 1)[0]
    assert storage.listdir(folder)[1] == [document.file.name.rsplit("/", 1)[1]]


def test_confirmation_email_goes_once_to_each_member_even_if_the_task_runs_twice(
    dossier, settings, django_capture_on_commit_callbacks
):
    former = UserFactory(email="ancien@beffroi.fr")
    dossier.submitted_by = former  # submitted, then left the organisation
    dossier.save(update_fields=["submitted_by"])
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        after_submission.apply(args=[dossier.pk], throw=True)
        after_submission.apply(args=[dossier.pk], throw=True)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["ancien@beffroi.fr", "associe@beffroi.fr", "gerante@beffroi.fr"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    receipt = DossierDocument.objects.get(dossier=dossier)
    with receipt.file.open("rb") as handle:
        stored = handle.read()
    url = settings.SITE_URL + reverse("applications:detail", args=[dossier.pk])
    for message in mail.outbox:
        assert message.subject == "[Aides numériques] Dossier INAC-2022-000123 déposé"
        assert message.attachments == [
            ("recepisse-INAC-2022-000123.pdf", stored, "application/pdf")
        ]
        assert "INAC-2022-000123" in message.body
        assert "10/05/2022 à 14:05" in message.body
        assert "Soutien aux investissements numériques des artisans-commerçants" in message.body
        assert "Aide estimée" in message.body
        assert f"Suivre le dossier : {url}" in message.body
        html, mime = message.alternatives[0]
        assert mime == "text/html" and 'lang="fr"' in html and f'href="{url}"' in html
    events = AuditEvent.objects.for_object(dossier).filter(action="submission_email_sent")
    assert events.count() == 3


def test_a_retry_only_sends_to_recipients_not_reached_yet(
    dossier, django_capture_on_commit_callbacks
):
    receipt = ensure_receipt(dossier)
    AuditEvent.objects.create(
        action="submission_email_sent",
        object_type="applications.dossier",
        object_id=str(dossier.pk),
        data={"to": "gerante@beffroi.fr"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_submission_email(dossier, receipt) == 1
    assert [message.to for message in mail.outbox] == [["associe@beffroi.fr"]]


def test_member_downloads_the_stored_receipt(client, dossier):
    document = ensure_receipt(dossier)
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.get(reverse("applications:receipt", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="recepisse-INAC-2022-000123.pdf"'
    )
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document.sha256


def test_non_member_gets_404(client, dossier):
    ensure_receipt(dossier)
    client.force_login(UserFactory())
    response = client.get(reverse("applications:receipt", args=[dossier.pk]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, dossier):
    response = client.get(reverse("applications:receipt", args=[dossier.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_receipt_not_generated_yet_redirects_with_a_message(client, dossier):
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.get(reverse("applications:receipt", args=[dossier.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[dossier.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [PENDING]
    assert not DossierDocument.objects.filter(dossier=dossier).exists()
