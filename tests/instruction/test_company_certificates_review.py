"""The agent sees the certificates fetched from API Entreprise with their freshness; a payment
request fetches an expired one again (issue 20, point 2)."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.certificates import certificates_cover, certificates_fetch_missing
from instruction import services
from instruction.documents import ensure_document
from payments.services import request_create
from tests.applications.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def pieces_text(client, dossier, agent) -> str:
    client.force_login(agent)
    response = client.get(reverse("instruction:dossier", args=[dossier.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('id="t-pieces"')
    return " ".join(
        html.unescape(
            re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])
        ).split()
    )


def test_review_page_shows_each_certificate_with_its_source_and_freshness(
    client, submitted, agent_of, settings
):
    settings.API_ENTREPRISE_BACKEND = "fixture"
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    today = timezone.localdate()

    dossier.certificates.all().delete()
    text = pieces_text(client, dossier, agent)
    assert (
        "Attestation de vigilance (URSSAF) : non récupérée : le demandeur dépose la pièce lui-même"
        in text
    )

    certificates_fetch_missing(dossier=dossier, today=today - timedelta(days=10))
    text = pieces_text(client, dossier, agent)
    issued = (today - timedelta(days=10)).strftime("%d/%m/%Y")
    assert "Attestations récupérées (API Entreprise)" in text
    assert f"Attestation de vigilance (URSSAF) : délivrée le {issued}" in text
    assert f"Attestation de régularité fiscale (DGFIP) : délivrée le {issued}" in text
    assert "valable encore" in text
    assert "source : Jeu de démonstration (hors ligne)" in text
    assert "None" not in text


def test_a_payment_request_fetches_expired_certificates_again(
    client, submitted, agent_of, settings, django_capture_on_commit_callbacks
):
    settings.API_ENTREPRISE_BACKEND = "fixture"
    dossier = submitted("PDL-IN")
    dossier.certificates.all().delete()
    agent = agent_of("PDL")
    member = dossier.organisation.memberships.first().user
    long_ago = timezone.localdate() - timedelta(days=400)
    certificates_fetch_missing(dossier=dossier, today=long_ago)
    assert not certificates_cover(dossier)
    assert "expirée depuis le" in pieces_text(client, dossier, agent)

    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Bien.", award=Decimal("9000")
    )
    dossier = services.dossier_accept(user=agent, dossier=dossier)
    ensure_document(dossier, "award")
    with django_capture_on_commit_callbacks(execute=True):
        request_create(
            user=member,
            dossier=dossier,
            kind="advance",
            iban=dossier.iban,
            bic=dossier.bic,
            holder=dossier.account_holder,
            quote_file=SimpleUploadedFile("devis.pdf", PDF_BYTES, content_type="application/pdf"),
        )

    assert certificates_cover(dossier)
    assert dossier.certificates.count() == 4  # the expired ones are kept
    assert "valable encore" in pieces_text(client, dossier, agent)
