"""Payment requests by the beneficiary and service fait by the agent, through the real flow."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from audit.models import AuditEvent
from instruction.models import Review
from payments import services
from payments.enums import ChangeState, PaymentKind, RequestState
from payments.models import PaymentRequest, ProviderChange, RecoveryOrder
from tests.applications.factories import PDF_BYTES
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.payments.conftest import member_of
from tests.pdf import pdf_raw_text

pytestmark = pytest.mark.django_db

BIG_PDL = [("erp", "24000"), ("connected_equipment", "6000")]  # planned base 30 000 €
NEW_IBAN = "FR7610107001011234567890129"


def pdf(name="facture.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def invoice_post(dossier, rows, **extra):
    """POST data of a balance/single request: rows are (supplier, number, amount, line)."""
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    data = {
        "invoices-TOTAL_FORMS": str(len(rows)),
        "invoices-INITIAL_FORMS": "0",
        "closing-statement": pdf("etat-recapitulatif-signe.pdf"),
        "closing-completion": pdf("attestation-fin-depenses.pdf"),
        **bank_post(dossier),
    }
    for i, (supplier, number, amount, line) in enumerate(rows):
        data.update(
            {
                f"invoices-{i}-supplier": supplier,
                f"invoices-{i}-number": number,
                f"invoices-{i}-issued_on": day,
                f"invoices-{i}-amount": amount,
                f"invoices-{i}-paid_on": day,
                f"invoices-{i}-expense_line": str(line.pk),
                f"invoices-{i}-file": pdf(f"{number}.pdf"),
            }
        )
    data.update(extra)
    return data


def bank_post(dossier, iban=None):
    return {
        "bank-iban": iban or dossier.iban,
        "bank-bic": dossier.bic,
        "bank-account_holder": dossier.account_holder,
        "bank-bank_confirmed": "on",
    }


def ask(client, dossier, kind, data):
    client.force_login(member_of(dossier))
    return client.post(reverse("payments:request_new", args=[dossier.pk, kind]), data)


def pay(payment_request, agent):
    """Finance's part: the certified amount validated (a Payment), then marked paid."""
    finance = RoleAssignmentFactory(role="finance", region_code="PDL").user
    payment = services.payment_validate(user=finance, request=payment_request)
    services.mark_payment_paid(payment=payment, on=timezone.localdate(), actor=finance)


def advance_paid_dossier(client, awarded):
    dossier = awarded("PDL-IN", lines=BIG_PDL)
    assert dossier.awarded_amount == Decimal("15000.00")
    response = ask(
        client, dossier, "advance", {"advance-quote": pdf("devis.pdf"), **bank_post(dossier)}
    )
    assert response.status_code == 302
    advance = PaymentRequest.objects.get(dossier=dossier, kind=PaymentKind.ADVANCE)
    advance = services.request_certify(user=dossier.agent, request=advance)
    assert advance.amount == Decimal("4500.00")
    pay(advance, dossier.agent)
    dossier.refresh_from_db()
    assert dossier.state == S.ADVANCE_PAID
    return dossier


def certify(client, dossier, payment_request, fields=None):
    client.force_login(dossier.agent)
    data = {"version": str(payment_request.lock_version)}
    for invoice in payment_request.invoices.all():
        data[f"invoice-{invoice.pk}-status"] = "full"
    data.update(fields or {})
    url = reverse("payments:request_certify", args=[dossier.pk, payment_request.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("instruction:dossier", args=[dossier.pk]))
    payment_request.refresh_from_db()
    return payment_request


def test_pdl_advance_then_balance_settles_faq37_case(client, awarded):
    dossier = advance_paid_dossier(client, awarded)
    erp, equipment = dossier.expenses.order_by("position")
    assert services.request_kinds(dossier) == [PaymentKind.BALANCE]
    rows = [("Éditeur ERP", "F-1", "14000,00", erp), ("Matériel SA", "F-2", "6000,00", equipment)]
    assert ask(client, dossier, "balance", invoice_post(dossier, rows)).status_code == 302
    balance = PaymentRequest.objects.get(dossier=dossier, kind=PaymentKind.BALANCE)
    assert balance.invoices.count() == 2 and balance.statement_confirmed
    assert balance.statement_file and balance.completion_file
    balance = certify(client, dossier, balance)
    assert balance.state == RequestState.CERTIFIED
    assert balance.justified_base == Decimal("20000.00")
    assert balance.final_award == Decimal("10000.00")
    assert balance.amount == Decimal("5500.00")
    assert balance.to_recover == Decimal("0.00")


def test_advance_larger_than_final_aid_creates_a_recovery_order(client, awarded):
    dossier = advance_paid_dossier(client, awarded)
    erp = dossier.expenses.order_by("position").first()
    rows = [("Éditeur ERP", "F-1", "5000", erp), ("Éditeur ERP", "F-2", "3000", erp)]
    ask(client, dossier, "balance", invoice_post(dossier, rows))
    balance = PaymentRequest.objects.get(dossier=dossier, kind=PaymentKind.BALANCE)
    second = balance.invoices.get(number="F-2")
    balance = certify(
        client,
        dossier,
        balance,
        {f"invoice-{second.pk}-status": "none", f"invoice-{second.pk}-reason": "Hors projet"},
    )
    assert balance.final_award == Decimal("2500.00")
    assert balance.amount == Decimal("0.00")
    assert balance.to_recover == Decimal("2000.00")
    assert RecoveryOrder.objects.get(request=balance).amount == Decimal("2000.00")
    second.refresh_from_db()
    assert (second.retained_status, second.retained_reason) == ("none", "Hors projet")


def test_proration_never_above_the_award(client, awarded):
    dossier = awarded("PDL-IN", lines=BIG_PDL)
    erp = dossier.expenses.order_by("position").first()
    rows = [("Éditeur ERP", "F-9", "45000", erp)]
    ask(client, dossier, "single", invoice_post(dossier, rows))
    single = PaymentRequest.objects.get(dossier=dossier, kind=PaymentKind.SINGLE)
    single = certify(client, dossier, single)
    assert single.final_award == single.amount == Decimal("15000.00")


def test_partial_retention_needs_amount_and_reason(client, awarded):
    dossier = awarded("PDL-IN")
    erp = dossier.expenses.order_by("position").first()
    ask(client, dossier, "single", invoice_post(dossier, [("Éditeur", "F-1", "14000", erp)]))
    single = PaymentRequest.objects.get(dossier=dossier)
    invoice = single.invoices.get()
    single = certify(client, dossier, single, {f"invoice-{invoice.pk}-status": "partial"})
    assert single.state == RequestState.SUBMITTED
    single = certify(
        client,
        dossier,
        single,
        {
            f"invoice-{invoice.pk}-status": "partial",
            f"invoice-{invoice.pk}-amount": "10000,00",
            f"invoice-{invoice.pk}-reason": "Licences en trop",
        },
    )
    assert single.state == RequestState.CERTIFIED and single.justified_base == Decimal("10000.00")


def test_small_pdl_award_and_hdf_offer_only_a_single_payment(awarded):
    small = awarded("PDL-IN", amount=Decimal("4000"))
    assert services.request_kinds(small) == [PaymentKind.SINGLE]
    hdf = awarded("INAC")
    assert services.request_kinds(hdf) == [PaymentKind.SINGLE]
    big = awarded("PDL-IN")
    assert services.request_kinds(big) == [PaymentKind.ADVANCE, PaymentKind.SINGLE]


def test_hdf_single_payment_through_the_pages(client, awarded):
    dossier = awarded("INAC")
    client.force_login(member_of(dossier))
    panel = render_to_string("payments/_dossier_panel.html", {"dossier": dossier})
    assert reverse("payments:request_new", args=[dossier.pk, "single"]) in panel
    assert "advance" not in panel
    advance_url = reverse("payments:request_new", args=[dossier.pk, "advance"])
    assert client.get(advance_url).status_code == 302
    lines = list(dossier.expenses.order_by("position"))
    rows = [("Agence web", "W-1", "6000", lines[0]), ("CRM SAS", "C-1", "2400", lines[1])]
    assert ask(client, dossier, "single", invoice_post(dossier, rows)).status_code == 302
    single = certify(client, dossier, PaymentRequest.objects.get(dossier=dossier))
    assert single.final_award == single.amount == dossier.awarded_amount


def test_proof_deadline_passed_refuses_with_the_date_and_flags_lapse(client, awarded):
    dossier = awarded("INAC")
    deadline = timezone.localdate() - timedelta(days=1)
    Review.objects.filter(dossier=dossier).update(proofs_deadline=deadline)
    erp = dossier.expenses.first()
    response = ask(client, dossier, "single", invoice_post(dossier, [("A", "1", "100", erp)]))
    assert response.status_code == 200
    assert f"{deadline:%d/%m/%Y}" in response.content.decode()
    assert not PaymentRequest.objects.filter(dossier=dossier).exists()
    review_row = Review.objects.get(dossier=dossier)
    assert "caducité" in review_row.overdue_reason and review_row.overdue_since


def test_changed_iban_needs_a_rib_and_is_flagged_and_audited(client, awarded):
    dossier = awarded("INAC")
    line = dossier.expenses.first()
    rows = [("A", "1", "6000", line)]
    data = invoice_post(dossier, rows, **bank_post(dossier, iban=NEW_IBAN))
    data["bank-bic"] = "BREDFRPPXXX"
    response = ask(client, dossier, "single", data)
    assert response.status_code == 200 and "RIB du nouveau compte" in response.content.decode()
    assert not PaymentRequest.objects.exists()
    data = invoice_post(dossier, rows, **bank_post(dossier, iban=NEW_IBAN))
    data.update({"bank-bic": "BREDFRPPXXX", "bank-rib": pdf("rib.pdf")})
    assert ask(client, dossier, "single", data).status_code == 302
    request = PaymentRequest.objects.get(dossier=dossier)
    assert request.iban_changed and request.iban == NEW_IBAN and request.rib
    assert AuditEvent.objects.for_object(dossier).filter(action="bank_details_change").exists()
    client.force_login(dossier.agent)
    rib = client.get(reverse("payments:payment_file", args=[dossier.pk, "rib", request.pk]))
    assert rib.status_code == 200 and rib["Cache-Control"] == "private, no-store"
    assert rib["X-Content-Type-Options"] == "nosniff"


def test_double_submission_makes_one_request(client, awarded):
    dossier = awarded("INAC")
    line = dossier.expenses.first()
    for _ in range(2):
        ask(client, dossier, "single", invoice_post(dossier, [("A", "1", "6000", line)]))
    assert PaymentRequest.objects.filter(dossier=dossier).count() == 1


def test_refused_upload_keeps_the_typed_invoice_fields(client, awarded):
    dossier = awarded("INAC")
    line = dossier.expenses.first()
    data = invoice_post(dossier, [("Agence Durand", "FAC-2026-042", "6000", line)])
    data["invoices-0-file"] = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = ask(client, dossier, "single", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Agence Durand" in html and "FAC-2026-042" in html
    assert (
        "programme exécutable" in html
        and "Choisissez de nouveau seulement un fichier refusé" in html
    )
    assert "Joignez le fichier de la facture acquittée" not in html
    assert not PaymentRequest.objects.exists()


def test_add_invoice_button_adds_a_form_without_javascript(client, awarded):
    dossier = awarded("INAC")
    line = dossier.expenses.first()
    data = invoice_post(dossier, [("Agence Durand", "FAC-1", "6000", line)], add_invoice="1")
    html = ask(client, dossier, "single", data).content.decode()
    assert 'name="invoices-TOTAL_FORMS" value="2"' in html and "Facture n° 2" in html
    assert "Agence Durand" in html and not PaymentRequest.objects.exists()


def test_non_member_and_agent_of_other_region_get_404(client, awarded):
    dossier = awarded("PDL-IN")
    line = dossier.expenses.first()
    ask(client, dossier, "single", invoice_post(dossier, [("A", "1", "100", line)]))
    request = PaymentRequest.objects.get(dossier=dossier)
    invoice = request.invoices.get()
    client.force_login(UserFactory())
    assert (
        client.get(reverse("payments:request_new", args=[dossier.pk, "single"])).status_code == 404
    )
    assert client.get(reverse("payments:statement_pdf", args=[dossier.pk])).status_code == 404
    file_url = reverse("payments:invoice_file", args=[dossier.pk, invoice.pk])
    assert client.get(file_url).status_code == 404
    client.force_login(RoleAssignmentFactory(role="agent", region_code="HDF").user)
    assert client.get(file_url).status_code == 404
    certify_url = reverse("payments:request_certify", args=[dossier.pk, request.pk])
    assert client.post(certify_url, {f"invoice-{invoice.pk}-status": "full"}).status_code == 404
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    client.force_login(dossier.agent)
    response = client.get(file_url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    client.force_login(member_of(dossier))
    assert client.get(file_url).status_code == 200


def test_provider_change_accepted_is_used_in_the_service_fait_panel(client, awarded):
    dossier = awarded("PDL-IN")
    erp = dossier.expenses.order_by("position").first()
    client.force_login(member_of(dossier))
    page = client.get(reverse("payments:provider_change_new", args=[dossier.pk]))
    assert page.status_code == 200 and "fournisseur retenu" in page.content.decode()
    advance_page = client.get(reverse("payments:request_new", args=[dossier.pk, "advance"]))
    assert advance_page.status_code == 200 and 'value="FR76' in advance_page.content.decode()
    response = client.post(
        reverse("payments:provider_change_new", args=[dossier.pk]),
        {
            "expense_line": str(erp.pk),
            "new_supplier": "Nouvel Éditeur SAS",
            "new_amount": "13500,00",
            "quote": pdf("devis.pdf"),
            "reason": "Le premier éditeur a cessé son activité.",
        },
    )
    assert response.status_code == 302
    change = ProviderChange.objects.get(dossier=dossier)
    client.force_login(dossier.agent)
    decide = reverse("payments:provider_change_decide", args=[dossier.pk, change.pk])
    assert client.post(decide, {"decision": "accept", "comment": ""}).status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.ACCEPTED
    assert services.accepted_supplier(erp) == "Nouvel Éditeur SAS"
    ask(client, dossier, "single", invoice_post(dossier, [("Ancien", "F-1", "13500", erp)]))
    panel = render_to_string("payments/_review_panel.html", {"dossier": dossier})
    assert "Fournisseur du devis retenu : Nouvel Éditeur SAS" in panel
    assert "différent du fournisseur de la facture" in panel
    assert "Certifier le service fait et proposer le paiement" in panel


def test_statement_pdf_lists_expense_lines_and_award(client, awarded, tmp_path):
    dossier = awarded("PDL-IN", lines=BIG_PDL)
    client.force_login(member_of(dossier))
    response = client.get(reverse("payments:statement_pdf", args=[dossier.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_raw_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert "État récapitulatif des dépenses" in text
    assert "15 000,00 €" in text and "24 000,00 €" in text and "6 000,00 €" in text
    flat = " ".join(text.split())
    for line in dossier.expenses.all():
        assert " ".join(line.get_category_display().split()[:2]) in flat, flat
