"""Validating a payment and freezing a batch take a confirmation page (no JavaScript needed):
the page says what will happen; only the confirmed POST acts, on exactly what was shown."""

from decimal import Decimal

import pytest
from django.urls import reverse

from payments import batches, services
from payments.enums import BatchState, RequestState
from payments.models import Payment
from schemes.templatetags.aides import euros
from territories.models import Region
from tests.payments.test_conflicts import certified

pytestmark = pytest.mark.django_db


def officer():
    from tests.factories import RoleAssignmentFactory

    return RoleAssignmentFactory(role="finance", region_code="PDL").user


def test_validation_page_shows_amount_beneficiary_and_masked_iban_and_changes_nothing(
    awarded, agent_of, client
):
    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"), amount="5000.00")
    client.force_login(officer())
    url = reverse("payments:finance_validate", args=[request.pk])
    queue = client.get(reverse("payments:finance_queue")).content.decode()
    assert f'href="{url}"' in queue  # the queue links to the confirmation, no one-click form
    page = client.get(url).content.decode()
    assert euros(Decimal("5000.00")) in page
    assert dossier.organisation.name in page and dossier.organisation.siret in page
    assert services.mask_iban(dossier.iban) in page
    assert f"{dossier.iban[:4]} •••• •••• {dossier.iban[-4:]}" in page
    assert dossier.iban not in page
    assert "Confirmer la validation du paiement de" in page
    # A POST without the confirmation (an old bookmarked form) only shows the page again.
    assert client.post(url).status_code == 200
    assert not Payment.objects.exists()
    request.refresh_from_db()
    assert request.state == RequestState.CERTIFIED


def test_confirmed_double_click_makes_one_payment_and_says_so(awarded, agent_of, client):
    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"), amount="5000.00")
    client.force_login(officer())
    url = reverse("payments:finance_validate", args=[request.pk])
    data = {"confirm": "yes", "version": str(request.lock_version)}
    first = client.post(url, data, follow=True).content.decode()
    second = client.post(url, data, follow=True).content.decode()
    assert Payment.objects.filter(request=request).count() == 1
    assert f"Paiement du dossier {dossier.number} validé" in first
    assert "déjà validé" in second and "un seul paiement est enregistré" in second


def test_a_proposal_changed_after_the_confirmation_page_is_not_validated(awarded, agent_of, client):
    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"))
    client.force_login(officer())
    url = reverse("payments:finance_validate", args=[request.pk])
    shown = request.lock_version
    type(request).objects.filter(pk=request.pk).update(lock_version=shown + 1)  # re-certified
    response = client.post(url, {"confirm": "yes", "version": str(shown)}, follow=True)
    assert "a changé depuis l&#x27;affichage de la confirmation" in response.content.decode()
    assert not Payment.objects.exists()


def _open_batch(awarded, agent_of, user, amounts=("4000.00", "1500.50")):
    payments = []
    for amount in amounts:
        dossier = awarded("PDL-IN")
        request = certified(dossier, certifier=agent_of("PDL"), amount=amount)
        payments.append(services.payment_validate(user=officer(), request=request))
    region = Region.objects.get(code="PDL")
    return batches.batch_create(user=user, region=region, payments=payments), payments


def test_batch_freeze_page_shows_count_total_and_each_payment_then_exports_once(
    awarded, agent_of, client
):
    user = officer()
    batch, payments = _open_batch(awarded, agent_of, user)
    client.force_login(user)
    url = reverse("payments:batch_export", args=[batch.pk])
    detail = client.get(reverse("payments:batch_detail", args=[batch.pk])).content.decode()
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    assert "2 paiements" in page and euros(Decimal("5500.50")) in page
    for payment in payments:
        assert payment.dossier.number in page and euros(payment.amount) in page
        assert services.mask_iban(payment.iban) in page and payment.iban not in page
    assert "figé" in page
    batch.refresh_from_db()
    assert batch.state == BatchState.OPEN and not batch.csv_file
    data = {"confirm": "yes", "fingerprint": batches.batch_fingerprint(batch)}
    client.post(url, data)
    batch.refresh_from_db()
    assert batch.state == BatchState.EXPORTED
    digest = batch.csv_sha256
    again = client.post(url, data, follow=True).content.decode()
    assert "déjà exporté" in again
    batch.refresh_from_db()
    assert batch.csv_sha256 == digest


def test_a_batch_changed_after_the_confirmation_page_is_not_frozen(awarded, agent_of, client):
    user = officer()
    batch, payments = _open_batch(awarded, agent_of, user)
    client.force_login(user)
    url = reverse("payments:batch_export", args=[batch.pk])
    shown = batches.batch_fingerprint(batch)
    batches.batch_remove_payment(user=user, batch=batch, payment=payments[1])
    response = client.post(url, {"confirm": "yes", "fingerprint": shown}, follow=True)
    assert "Le lot a changé depuis l&#x27;affichage de la confirmation" in response.content.decode()
    assert "<strong>1 paiement</strong>" in response.content.decode()  # the batch as it is now
    batch.refresh_from_db()
    assert batch.state == BatchState.OPEN


def test_the_confirmation_page_links_the_new_rib_and_the_invoices_finance_can_open(
    awarded, agent_of, client
):
    from django.core.files.base import ContentFile

    from payments.models import Invoice
    from tests.applications.factories import PDF_BYTES

    dossier = awarded("PDL-IN")
    request = certified(dossier, certifier=agent_of("PDL"))
    request.iban_changed = True
    request.rib.save("rib.pdf", ContentFile(PDF_BYTES), save=True)
    invoice = Invoice(
        request=request,
        supplier="Éditeur",
        number="F-77",
        issued_on=request.requested_at.date(),
        paid_on=request.requested_at.date(),
        amount=Decimal("4000.00"),
    )
    invoice.file.save("f77.pdf", ContentFile(PDF_BYTES), save=True)
    client.force_login(officer())
    page = client.get(reverse("payments:finance_validate", args=[request.pk])).content.decode()
    rib = reverse("payments:payment_file", args=[dossier.pk, "rib", request.pk])
    facture = reverse("payments:invoice_file", args=[dossier.pk, invoice.pk])
    assert rib in page and facture in page and "vérifiez le RIB joint" in page
    for link in (rib, facture):
        response = client.get(link)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    from tests.factories import RoleAssignmentFactory

    client.force_login(RoleAssignmentFactory(role="finance", region_code="HDF").user)
    assert client.get(rib).status_code == 404  # another region's finance
