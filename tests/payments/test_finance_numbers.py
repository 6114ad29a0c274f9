"""The finance software's numbers, both ways (issue 22, point 9): the region's export profile
(imputation of each scheme, tiers and EJ of each dossier) in the frozen batch; the return file
(mandate, payment date) reconciled against the batch's SHA-256 before any payment is marked paid
through the existing service; the commitment number shown on the dossier."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from audit.models import AuditEvent
from organisations.models import Membership
from outbox.models import OutboxMessage
from payments import batches
from payments.enums import BatchState, PaymentKind, RequestState
from payments.finance_numbers import (
    batch_import_return,
    finance_numbers_set,
    imputation_save,
)
from payments.models import FinanceNumbers, PaymentMandate
from schemes.models import Scheme
from territories.models import Region
from tests.payments.test_finance import _validated, role


@pytest.fixture
def exported(awarded):
    """A PDL batch of two single payments, with the region's profile, exported (frozen)."""
    officer = role("finance")
    payments = _validated(awarded, officer, kinds=(PaymentKind.SINGLE, PaymentKind.SINGLE))
    imputation_save(
        user=officer,
        scheme=Scheme.objects.get(code="PDL-IN"),
        chapter="939",
        article="20422",
        function="93",
        programme="AE-2026-ECO-12",
    )
    finance_numbers_set(
        user=officer,
        dossier=payments[0].dossier,
        supplier_number="T00042",
        commitment_number="EJ-7781",
    )
    batch = batches.batch_create(
        user=officer, region=Region.objects.get(code="PDL"), payments=payments
    )
    return officer, batches.batch_export(user=officer, batch=batch), payments


def _rows(batch):
    raw = batch.csv_file.open("rb").read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(raw), delimiter=";"))


def return_file(batch, payments, *, sha=None, amounts=None, on=None, drop=0, ej=""):
    on = on or timezone.localdate()
    lines = [
        "Empreinte du lot;Numéro de dossier;Type de paiement;Montant;Numéro de mandat;"
        "Date de paiement;Numéro d'engagement juridique (EJ)"
    ]
    for i, payment in enumerate(payments[drop:]):
        amount = (amounts or {}).get(i, f"{payment.amount:.2f}".replace(".", ","))
        lines.append(
            f"{sha or batch.csv_sha256};{payment.dossier.number};{payment.get_kind_display()};"
            f"{amount};M-2026-{100 + i};{on:%d/%m/%Y};{ej}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def test_the_frozen_batch_carries_the_imputation_tiers_and_ej(exported):
    _, batch, payments = exported
    rows = _rows(batch)
    assert rows[0][-6:] == [
        "Chapitre", "Article", "Fonction", "AP/AE", "Numéro de tiers",
        "Numéro d'engagement juridique (EJ)",
    ]  # fmt: skip
    by_number = {row[10]: row for row in rows[1:]}
    assert by_number[payments[0].dossier.number][-6:] == [
        "939", "20422", "93", "AE-2026-ECO-12", "T00042", "EJ-7781"
    ]  # fmt: skip
    assert by_number[payments[1].dossier.number][-2:] == ["", ""]


def test_a_region_without_profile_keeps_the_former_columns(awarded):
    officer = role("finance")
    payments = _validated(awarded, officer)
    batch = batches.batch_create(
        user=officer, region=Region.objects.get(code="PDL"), payments=payments
    )
    batch = batches.batch_export(user=officer, batch=batch)
    assert _rows(batch)[0] == batches.COLUMNS


def test_the_return_file_marks_each_payment_paid_with_its_mandate(exported):
    officer, batch, payments = exported
    paid_on = timezone.localdate()
    batch = batch_import_return(
        user=officer, batch=batch, content=return_file(batch, payments, on=paid_on, ej="EJ-9001")
    )
    assert (batch.state, batch.paid_on) == (BatchState.PAID, paid_on)
    for i, payment in enumerate(payments):
        payment.refresh_from_db()
        assert payment.paid_on == paid_on
        assert payment.request.state == RequestState.PAID
        assert PaymentMandate.objects.get(payment=payment).number == f"M-2026-{100 + i}"
        payment.dossier.refresh_from_db()
        assert payment.dossier.state == S.CLOSED  # single payment: the dossier is settled
    # The EJ given back by the software is kept (both ways).
    assert FinanceNumbers.objects.get(dossier=payments[1].dossier).commitment_number == "EJ-9001"
    event = AuditEvent.objects.for_object(batch).get(action="batch_return_import")
    assert event.data["csv_sha256"] == batch.csv_sha256
    told = OutboxMessage.objects.filter(task="outbox.tasks.send_notification")
    assert sum("Paiement de votre aide" in str(m.kwargs) for m in told) == 2
    with pytest.raises(Exception, match="déjà payé"):
        batch_import_return(user=officer, batch=batch, content=return_file(batch, payments))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha": "0" * 64}, "l'empreinte ne correspond pas au lot exporté"),
        ({"amounts": {0: "1,00"}}, "diffère de celui du lot"),
        ({"drop": 1}, "manque dans le fichier de retour"),
        ({"on": timezone.localdate() + timedelta(days=2)}, "ne peut pas être dans le futur"),
    ],
)
def test_a_return_file_that_does_not_reconcile_changes_nothing(exported, change, message):
    officer, batch, payments = exported
    with pytest.raises(ValidationError) as caught:
        batch_import_return(
            user=officer, batch=batch, content=return_file(batch, payments, **change)
        )
    assert any(message in text for text in caught.value.messages), caught.value.messages
    batch.refresh_from_db()
    assert batch.state == BatchState.EXPORTED
    assert not PaymentMandate.objects.exists()
    assert all(p.paid_on is None for p in batch.payments.all())


def test_finance_of_another_region_and_a_member_officer_are_refused(exported):
    officer, batch, payments = exported
    with pytest.raises(PermissionDenied):
        batch_import_return(
            user=role("finance", region="HDF"), batch=batch, content=return_file(batch, payments)
        )
    member = role("finance")
    Membership.objects.create(user=member, organisation=payments[0].dossier.organisation)
    with pytest.raises(PermissionDenied):
        finance_numbers_set(
            user=member, dossier=payments[0].dossier, supplier_number="X", commitment_number="Y"
        )
    with pytest.raises(PermissionDenied):
        batch_import_return(user=member, batch=batch, content=return_file(batch, payments))


def test_pages_profile_numbers_and_return_upload(exported, client):
    officer, batch, payments = exported
    client.force_login(officer)
    page = client.get(reverse("payments:finance_profile"))
    assert 'value="AE-2026-ECO-12"' in page.text
    dossier = payments[1].dossier
    url = reverse("payments:finance_numbers", args=[dossier.pk])
    response = client.post(url, {"supplier_number": "T 1", "commitment_number": "EJ"})
    assert response.status_code == 400 and 'value="T 1"' in response.text
    client.post(url, {"supplier_number": "T00043", "commitment_number": "EJ-7782"})
    assert FinanceNumbers.objects.get(dossier=dossier).commitment_number == "EJ-7782"

    bad = io.BytesIO(return_file(batch, payments, drop=1))
    bad.name = "retour.csv"
    response = client.post(
        reverse("payments:batch_return", args=[batch.pk]), {"file": bad}, follow=True
    )
    assert "Fichier de retour refusé, rien n&#x27;est modifié." in response.text
    good = io.BytesIO(return_file(batch, payments))
    good.name = "retour.csv"
    response = client.post(
        reverse("payments:batch_return", args=[batch.pk]), {"file": good}, follow=True
    )
    assert "2 paiement(s) marqué(s) payé(s)" in response.text
    assert "M-2026-100" in response.text

    # The commitment number on the dossier: the agent's page and the applicant's.
    client.force_login(dossier.agent)
    review = client.get(reverse("instruction:dossier", args=[dossier.pk])).text
    assert "Engagement juridique (EJ) n° EJ-7782" in review
    client.force_login(dossier.organisation.memberships.first().user)
    mine = client.get(reverse("applications:detail", args=[dossier.pk])).text
    assert "n° EJ-7782" in mine
