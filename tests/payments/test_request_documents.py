"""A payment request carries every document its kind requires (PDL FAQ Q31; HDF: invoices only),
files are never chosen twice, the same invoice is never presented twice, and what is stored is
exactly the invoice lines the page showed."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.enums import PaymentKind, RequestState
from payments.models import PaymentRequest
from tests.applications.factories import PDF_BYTES
from tests.payments.conftest import member_of
from tests.payments.test_beneficiary_and_service_fait import BIG_PDL, bank_post

pytestmark = pytest.mark.django_db
DAY = (timezone.localdate() - timedelta(days=10)).isoformat()


def pdf(name, marker=b""):
    """A valid PDF named `name` (`marker` is only a reminder of which file it stands for)."""
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def url(dossier, kind):
    return reverse("payments:request_new", args=[dossier.pk, kind])


def line_fields(i, supplier, number, amount, expense, *, with_file=True, delete=False):
    data = {
        f"invoices-{i}-supplier": supplier,
        f"invoices-{i}-number": number,
        f"invoices-{i}-issued_on": DAY,
        f"invoices-{i}-amount": amount,
        f"invoices-{i}-paid_on": DAY,
        f"invoices-{i}-expense_line": str(expense.pk),
    }
    if with_file:
        data[f"invoices-{i}-file"] = pdf(f"{number}.pdf", number.encode())
    if delete:
        data[f"invoices-{i}-DELETE"] = "on"
    return data


def stored(request):
    return sorted(
        (i.supplier, i.number, str(i.amount), i.file_name) for i in request.invoices.all()
    )


def test_pdl_balance_asks_for_and_stores_the_signed_statement_and_certificate(client, awarded):
    dossier = awarded("PDL-IN", lines=BIG_PDL)
    client.force_login(member_of(dossier))
    page = client.get(url(dossier, "single")).content.decode()
    assert "Pièces à joindre à cette demande" in page
    for label in (
        "État récapitulatif des dépenses, daté, signé et tamponné",
        "Attestation de fin des dépenses, datée, signée et tamponnée",
        "Factures acquittées",
    ):
        assert label in page
    assert 'type="file" name="closing-statement"' in page
    assert 'type="file" name="closing-completion"' in page
    assert "Je joins" not in page  # no tick box instead of the file
    expense = dossier.expenses.first()
    data = {
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "Éditeur ERP", "F-1", "14000", expense),
    }
    # Without the two signed documents, nothing is sent and the page says what is missing.
    html = client.post(url(dossier, "single"), data).content.decode()
    assert "Joignez l&#x27;état récapitulatif des dépenses signé." in html
    assert "Joignez l&#x27;attestation de fin des dépenses signée." in html
    assert not PaymentRequest.objects.exists()
    # The invoice chosen on that post is kept: only the two documents are added now.
    assert "Fichier joint : « F-1.pdf »" in html
    data = {k: v for k, v in data.items() if k != "invoices-0-file"}
    data["closing-statement"] = pdf("etat-signe.pdf", b"etat")
    data["closing-completion"] = pdf("attestation.pdf", b"attestation")
    response = client.post(url(dossier, "single"), data)
    assert response.status_code == 302
    request = PaymentRequest.objects.get(dossier=dossier)
    assert request.statement_file_name == "etat-signe.pdf"
    assert request.completion_file_name == "attestation.pdf"
    assert stored(request) == [("Éditeur ERP", "F-1", "14000.00", "F-1.pdf")]
    # Listed with download links for the applicant and for the agent.
    links = [
        reverse("payments:payment_file", args=[dossier.pk, "etat-recapitulatif", request.pk]),
        reverse("payments:payment_file", args=[dossier.pk, "attestation-fin", request.pk]),
        reverse("payments:invoice_file", args=[dossier.pk, request.invoices.get().pk]),
    ]
    applicant_page = client.get(reverse("applications:detail", args=[dossier.pk])).content.decode()
    client.force_login(dossier.agent)
    agent_page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    for link in links:
        assert link in applicant_page and link in agent_page
        download = client.get(link)
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "etat-signe.pdf" in client.get(links[0])["Content-Disposition"]


def test_hdf_single_payment_asks_for_invoices_only_as_its_text_says(client, awarded):
    dossier = awarded("INAC")
    client.force_login(member_of(dossier))
    page = client.get(url(dossier, "single")).content.decode()
    assert "Factures acquittées" in page
    assert "closing-statement" not in page and "closing-completion" not in page


def test_advance_asks_for_the_signed_quote(client, awarded):
    dossier = awarded("PDL-IN", lines=BIG_PDL)
    client.force_login(member_of(dossier))
    page = client.get(url(dossier, "advance")).content.decode()
    assert "Devis ou bon de commande signé, daté et tamponné" in page
    assert 'type="file" name="advance-quote"' in page


def test_add_invoice_keeps_the_chosen_files_and_a_refused_file_keeps_the_rest(client, awarded):
    dossier = awarded("INAC")
    expense = dossier.expenses.first()
    client.force_login(member_of(dossier))
    data = {
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "Agence Durand", "FAC-1", "3000", expense),
        "add_invoice": "1",
    }
    html = client.post(url(dossier, "single"), data).content.decode()
    assert "Facture n° 2" in html and "Agence Durand" in html
    assert "Fichier joint : « FAC-1.pdf »" in html  # not to be chosen again
    # Second line with a refused file: the typed fields stay, the first file stays joined.
    data = {k: v for k, v in data.items() if k not in ("add_invoice", "invoices-0-file")}
    data["invoices-TOTAL_FORMS"] = "2"
    data.update(line_fields(1, "Studio Web", "W-7", "1500", expense, with_file=False))
    data["invoices-1-file"] = SimpleUploadedFile("w7.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    html = client.post(url(dossier, "single"), data).content.decode()
    assert "programme exécutable" in html
    assert "Studio Web" in html and "W-7" in html and "Fichier joint : « FAC-1.pdf »" in html
    assert not PaymentRequest.objects.exists()
    data["invoices-1-file"] = pdf("W-7.pdf", b"W-7")
    assert client.post(url(dossier, "single"), data).status_code == 302
    request = PaymentRequest.objects.get(dossier=dossier)
    assert stored(request) == [
        ("Agence Durand", "FAC-1", "3000.00", "FAC-1.pdf"),
        ("Studio Web", "W-7", "1500.00", "W-7.pdf"),
    ]


def test_the_same_invoice_twice_is_refused_in_french(client, awarded):
    dossier = awarded("INAC")
    expense = dossier.expenses.first()
    client.force_login(member_of(dossier))
    data = {
        "invoices-TOTAL_FORMS": "2",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "Agence Durand", "FAC-1", "3000", expense),
        **line_fields(1, "agence  durand", "FAC 1", "3000", expense),
    }
    html = client.post(url(dossier, "single"), data).content.decode()
    assert "Cette facture figure déjà à la ligne n° 1" in html
    assert not PaymentRequest.objects.exists()
    # The service refuses it too, whatever the page sent.
    invoice = {
        "supplier": "Agence Durand",
        "number": "FAC-1",
        "issued_on": timezone.localdate(),
        "paid_on": timezone.localdate(),
        "amount": 3000,
        "expense_line": expense,
    }
    with pytest.raises(Exception, match="figure deux fois dans la demande"):
        services.request_create(
            user=member_of(dossier),
            dossier=dossier,
            kind=PaymentKind.SINGLE,
            iban=dossier.iban,
            bic=dossier.bic,
            holder=dossier.account_holder,
            invoices=[
                {**invoice, "file": pdf("a.pdf", b"a")},
                {**invoice, "number": "fac-1", "file": pdf("b.pdf", b"b")},
            ],
        )


def test_an_invoice_of_another_live_request_is_refused_not_one_of_a_refused_request(
    client, awarded
):
    dossier = awarded("INAC")
    expense = dossier.expenses.first()
    client.force_login(member_of(dossier))
    data = {
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "ERP", "F-9", "2000", expense),
    }
    assert client.post(url(dossier, "single"), data).status_code == 302
    request = PaymentRequest.objects.get(dossier=dossier)
    refusal = services.duplicate_invoice_refusal(dossier, [{"supplier": "erp", "number": "f 9"}])
    assert refusal == (
        "La facture n° F-9 de ERP a déjà été présentée dans une autre demande de paiement de "
        "ce dossier."
    )
    PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.REFUSED)
    assert services.duplicate_invoice_refusal(dossier, [{"supplier": "ERP", "number": "F9"}]) == ""


def test_invoice_lines_stored_are_exactly_the_lines_shown(client, awarded):
    """Add, add again (unchanged), edit one, delete one, add one: the request holds the lines
    the page showed last, with their files, and a second click makes no second request."""
    dossier = awarded("INAC")
    expense = dossier.expenses.first()
    client.force_login(member_of(dossier))
    data = {
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "A", "1", "1000", expense),
        "add_invoice": "1",
    }
    client.post(url(dossier, "single"), data)  # add: 2 lines shown
    data = {k: v for k, v in data.items() if k != "invoices-0-file"}
    data["invoices-TOTAL_FORMS"] = "2"
    data.update(line_fields(1, "B", "2", "2000", expense))
    client.post(url(dossier, "single"), data)  # add again: 3 lines
    client.post(
        url(dossier, "single"), {k: v for k, v in data.items() if not k.endswith("-file")}
    )  # unchanged, add once more: nothing lost (files kept)
    data = {k: v for k, v in data.items() if not k.endswith("-file")}
    data.pop("add_invoice")
    data["invoices-TOTAL_FORMS"] = "3"
    data["invoices-0-amount"] = "1 250,50"  # edit one (French format)
    data["invoices-1-DELETE"] = "on"  # delete one
    data.update(line_fields(2, "C", "3", "300", expense))  # add one
    html = client.post(url(dossier, "single"), data)
    assert html.status_code == 302
    again = client.post(url(dossier, "single"), data)  # a double click
    assert again.status_code == 302
    request = PaymentRequest.objects.get(dossier=dossier)
    assert stored(request) == [("A", "1", "1250.50", "1.pdf"), ("C", "3", "300.00", "3.pdf")]
    assert PaymentRequest.objects.filter(dossier=dossier).count() == 1


def test_files_of_a_page_never_sent_are_purged_after_two_days(client, awarded, monkeypatch):
    import datetime

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from payments.staging import FOLDER
    from payments.tasks import purge_staged_uploads

    dossier = awarded("INAC")
    client.force_login(member_of(dossier))
    data = {
        "invoices-TOTAL_FORMS": "1",
        "invoices-INITIAL_FORMS": "0",
        **bank_post(dossier),
        **line_fields(0, "A", "1", "100", dossier.expenses.first()),
        "add_invoice": "1",
    }
    client.post(url(dossier, "single"), data)
    (name,) = default_storage.listdir(FOLDER.rstrip("/"))[1]
    assert purge_staged_uploads() == 0  # still fresh: the person may come back
    later = timezone.now() + datetime.timedelta(days=3)  # the file's age read from the storage
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert purge_staged_uploads() == 1
    assert default_storage.listdir(FOLDER.rstrip("/"))[1] == []
