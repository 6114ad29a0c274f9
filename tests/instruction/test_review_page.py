"""The agent's review page: the applicant's answers as the applicant read them (issue 13, defect 4);
every document listed opens from the page (defect 5)."""

import html
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.enums import ScanStatus
from applications.forms import QUESTION_FIELDS
from applications.models import Attachment, DossierDocument
from applications.receipt import ensure_receipt
from instruction import review, services
from instruction.documents import ensure_document
from payments.services import request_create
from tests.applications.factories import PDF_BYTES

Kind = DossierDocument.Kind

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def section(page: str, heading_id: str) -> str:
    """The text of the review page's section whose heading has `heading_id`."""
    start = page.index(f'id="{heading_id}"')
    end = page.index("</section>", start)
    return html.unescape(re.sub(r"<[^>]+>", " ", page[start:end]))


def review_page(client, dossier, agent) -> str:
    client.force_login(agent)
    response = client.get(reverse("instruction:dossier", args=[dossier.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("code, region", [("INESS", "HDF"), ("PDL-IN", "PDL")])
def test_answers_show_the_applicants_questions_in_french(client, submitted, agent_of, code, region):
    dossier = submitted(code)
    dossier.answers = {
        **dossier.answers,
        "turnover": "380000.5",
        "registered_rcs": True,
        "in_difficulty": False,
        "market_activity_share": "0.3350" if code == "INESS" else "1.0000",
    }
    if code == "PDL-IN":
        dossier.answers["holdings"] = [{"share": "0.3000", "headcount": 12, "turnover": "800000"}]
    dossier.save(update_fields=["answers"])
    text = section(review_page(client, dossier, agent_of(region)), "t-demandeur")
    for key in dossier.answers:
        assert re.search(rf"\b{key}\b", text) is None, f"internal key {key} shown"
    for python_value in ("True", "False", "None", "Decimal", "1.0000", "0.3350", "{", "["):
        assert python_value not in text
    assert "Inscrite au registre du commerce et des sociétés (RCS) Oui" in " ".join(text.split())
    assert "Votre entreprise est en difficulté au sens du droit européen Non" in " ".join(
        text.split()
    )
    assert f"380{NBSP}000,50{NBSP}€" in text, text[text.index("Réponses du demandeur") :]
    share = f"33,5{NBSP}%" if code == "INESS" else f"100{NBSP}%"
    assert f"{QUESTION_FIELDS['market_activity_share']().label.removesuffix(' (%)')}" in text
    assert share in text
    if code == "PDL-IN":
        flat = " ".join(text.split())
        assert (
            "Entreprises partenaires ou liées — entreprise n° 1 Part de capital ou de droits de "
            "vote : 30 % ; Effectif de cette entreprise : 12 ; Chiffre d'affaires de cette "
            "entreprise : 800 000,00 €" in flat
        )
        assert "Rapport de réflexion — Contexte de l'entreprise" in text
        assert "Rapport : context" not in text


def pdf_upload(name):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def links_of(page: str, heading_id: str) -> list[tuple[str, str]]:
    """(href, text) of every link in the section whose heading has `heading_id`."""
    start = page.index(f'id="{heading_id}"')
    part = page[start : page.index("</section>", start)]
    return [
        (html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", label)).strip())
        for href, label in re.findall(r'<a href="([^"#]+)"[^>]*>(.*?)</a>', part, re.S)
    ]


def test_every_document_listed_on_the_review_page_opens_from_it(client, submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    member = dossier.organisation.memberships.first().user
    ensure_receipt(dossier)
    attachment = Attachment(
        dossier=dossier,
        document_code="kbis",
        original_name="kbis.pdf",
        size=len(PDF_BYTES),
        mime_type="application/pdf",
        sha256="0" * 64,
        scan_status=ScanStatus.CLEAN,
    )
    attachment.file.save("kbis-stored.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    ensure_document(dossier, Kind.ACKNOWLEDGMENT)
    review.message_post(
        user=agent,
        dossier=dossier,
        body="Voici le modèle.",
        uploaded_file=pdf_upload("modele.pdf"),
        from_region=True,
    )
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Bien.", award=Decimal("9000")
    )
    dossier = services.dossier_accept(user=agent, dossier=dossier)
    ensure_document(dossier, Kind.AWARD)
    request_create(
        user=member,
        dossier=dossier,
        kind="advance",
        iban=dossier.iban,
        bic=dossier.bic,
        holder=dossier.account_holder,
        quote_file=pdf_upload("devis-signe.pdf"),
    )

    page = review_page(client, dossier, agent)
    documents = {doc.reference: doc for doc in DossierDocument.objects.filter(dossier=dossier)}
    assert {d.kind for d in documents.values()} == {"receipt", "acknowledgment", "award"}
    pieces = links_of(page, "t-pieces")
    for reference in documents:
        assert any(reference in text for _, text in pieces), f"{reference} has no link"
    assert any(text == "kbis.pdf" for _, text in pieces)
    exchanges = links_of(page, "t-echanges")
    assert any(text == "modele.pdf" for _, text in exchanges)
    payments = links_of(page, "t-paiements")
    assert any("Devis" in text for _, text in payments)

    opened = 0
    for href, text in pieces + exchanges + payments:
        if not re.search(r"/(pieces|documents|piece|fichiers?|factures?|paiements?)/", href):
            continue  # a link to another page (the applicant's dossier, a source text...)
        response = client.get(href)
        assert response.status_code == 200, (href, text)
        assert response["Content-Type"] == "application/pdf", (href, text)
        body = b"".join(response.streaming_content)
        assert body.startswith(b"%PDF"), (href, text)
        opened += 1
    assert opened >= len(documents) + 3  # the acts and receipt, the file, the message's, the quote


@pytest.mark.parametrize(
    "code, region, shown",
    [("PDL-IN", "PDL", True), ("INAC", "HDF", False), ("IDF-CN2", "IDF", False)],
)
def test_the_region_share_form_appears_when_the_rules_prorate_by_region(
    client, submitted, agent_of, code, region, shown
):
    """Driven by the rules' `region_share_proration` (PDL-IN FAQ 6), not by a scheme code."""
    page = review_page(client, submitted(code), agent_of(region))
    assert ("Part de l'activité réalisée en Pays de la Loire (%)" in html.unescape(page)) is shown
    assert ('name="share"' in page) is shown


def test_the_same_message_sent_again_is_not_stored_nor_mailed_twice(submitted, agent_of):
    """Back a step and « Envoyer » again (or two tabs): one message, one e-mail; another text
    goes."""
    from outbox.models import OutboxMessage

    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    first = review.message_post(user=agent, dossier=dossier, body="Merci.", from_region=True)
    mails = OutboxMessage.objects.count()
    again = review.message_post(user=agent, dossier=dossier, body="Merci.", from_region=True)
    assert again.pk == first.pk and again.already_sent
    assert dossier.messages.count() == 1 and OutboxMessage.objects.count() == mails
    review.message_post(user=agent, dossier=dossier, body="Autre chose.", from_region=True)
    assert dossier.messages.count() == 2 and OutboxMessage.objects.count() == mails + 1
