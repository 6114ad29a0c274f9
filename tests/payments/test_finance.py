"""Finance: separation of duties, one payment per proposal, batches, recovery orders, budget."""

import csv
import hashlib
import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import DossierDocument
from applications.workflow import TransitionError
from audit.models import AuditEvent
from instruction import review
from instruction import services as instruction_services
from instruction.documents import ensure_document
from payments import batches, budget, services
from payments.enums import BatchState, PaymentKind, RequestState
from payments.models import Invoice, Payment, PaymentRequest, RecoveryOrder
from payments.tasks import generate_recovery_order
from schemes.models import BudgetEnvelope
from territories.models import Region
from tests.factories import PaymentRequestFactory, RoleAssignmentFactory
from tests.instruction.conftest import submitted  # noqa: F401
from tests.payments.conftest import member_of
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def role(name, region="PDL", user=None):
    kwargs = {"user": user} if user else {}
    return RoleAssignmentFactory(role=name, region_code=region, **kwargs).user


def proposed(dossier, kind=PaymentKind.SINGLE, amount="4000.00", certifier=None):
    """A request certified by the instructing agent (or `certifier`), awaiting finance."""
    return PaymentRequest.objects.create(
        dossier=dossier,
        kind=kind,
        state=RequestState.CERTIFIED,
        requested_by=member_of(dossier),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        amount=Decimal(amount),
        to_recover=Decimal("0"),
        certified_by=certifier or dossier.agent,
        certified_at=timezone.now(),
    )


def advance_certified(dossier):
    """An advance asked by the member, certified through the real service (engine amount)."""
    return PaymentRequestFactory(dossier=dossier, certified=True)


# --- Separation of duties ----------------------------------------------------------------------


def test_instructing_agent_certifier_and_requester_never_validate_even_with_finance_role(
    awarded, agent_of
):
    dossier = awarded("PDL-IN")
    role("finance", user=dossier.agent)  # the instructing agent is also a finance officer
    other_agent = agent_of("PDL")
    role("finance", user=other_agent)
    request = proposed(dossier, certifier=other_agent)
    requester = member_of(dossier)
    role("finance", user=requester)
    for user, why in [
        (dossier.agent, "instruit"),
        (other_agent, "certifié"),
        (requester, "membre de l'organisation bénéficiaire"),
    ]:
        with pytest.raises(PermissionDenied, match=why):
            services.payment_validate(user=user, request=request)
    assert not Payment.objects.exists()
    with pytest.raises(PermissionDenied):
        services.payment_validate(user=role("finance", "HDF"), request=request)
    payment = services.payment_validate(user=role("finance"), request=request)
    assert payment.amount == Decimal("4000.00")
    request.refresh_from_db()
    assert request.state == RequestState.VALIDATED


def test_validating_twice_gives_a_french_message(awarded, client):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)
    officer = role("finance")
    services.payment_validate(user=officer, request=request)
    with pytest.raises(TransitionError, match="ne peut pas être validé"):
        services.payment_validate(user=officer, request=request)
    client.force_login(role("finance"))  # another officer, on a page loaded before the first
    response = client.post(
        reverse("payments:finance_validate", args=[request.pk]),
        {"confirm": "yes", "version": "0"},
        follow=True,
    )
    assert "ne peut pas être validé" in response.content.decode()
    assert Payment.objects.count() == 1


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush every table: re-create what the data migrations seed."""
    from tests.reference import reseed

    reseed()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL: runs in .ci/run's PostgreSQL pass (DATABASE_URL set)",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_officer", [True, False], ids=["two-tabs", "two-officers"])
def test_concurrent_validations_make_exactly_one_payment(reference_data, awarded, same_officer):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)
    first = role("finance")
    officers = [first, first] if same_officer else [first, role("finance")]
    barrier, results = threading.Barrier(2), []

    def validate(user):
        try:
            barrier.wait(timeout=10)
            results.append(services.payment_validate(user=user, request=request))
        except Exception as exc:  # noqa: BLE001 (the loser's refusal is the expected outcome)
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=validate, args=(user,)) for user in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Payment.objects.filter(request=request).count() == 1
    assert sum(isinstance(r, Payment) for r in results) == 1
    loser = next(r for r in results if not isinstance(r, Payment))
    assert isinstance(loser, TransitionError) and "valid" in str(loser)


# --- Batches -----------------------------------------------------------------------------------


def _validated(awarded, officer, kinds=(PaymentKind.SINGLE,)):
    payments = []
    for kind in kinds:
        dossier = awarded("PDL-IN")
        request = advance_certified(dossier) if kind == PaymentKind.ADVANCE else proposed(dossier)
        payment = services.payment_validate(user=officer, request=request)
        payment.dossier = dossier  # the fixture's instance, which knows its agent
        payments.append(payment)
    return payments


def test_batch_export_columns_formats_hash_and_freeze(awarded):
    officer = role("finance")
    payments = _validated(awarded, officer, kinds=(PaymentKind.ADVANCE, PaymentKind.SINGLE))
    award = ensure_document(payments[0].dossier, DossierDocument.Kind.AWARD)
    region = Region.objects.get(code="PDL")
    batch = batches.batch_create(user=officer, region=region, payments=payments)
    assert batch.payments.count() == 2
    batch = batches.batch_export(user=officer, batch=batch)
    assert batch.state == BatchState.EXPORTED
    raw = batch.csv_file.open("rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert hashlib.sha256(raw).hexdigest() == batch.csv_sha256
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "SIRET du bénéficiaire",
        "Nom",
        "Adresse",
        "IBAN",
        "BIC",
        "Montant",
        "Dispositif",
        "Enveloppe budgétaire",
        "Référence de la décision d'attribution",
        "Type de paiement",
        "Numéro de dossier",
    ]
    by_number = {row[10]: row for row in rows[1:]}
    advance = payments[0]
    line = by_number[advance.dossier.number]
    assert line[0] == advance.dossier.organisation.siret
    assert line[5] == f"{advance.amount:.2f}".replace(".", ",")
    assert line[6] == "PDL-IN" and line[7] == f"AE {timezone.localdate().year} PDL-IN"
    assert line[8] == award.reference == f"ARR-{advance.dossier.number}"
    assert line[9] == "Avance"
    assert by_number[payments[1].dossier.number][9] == "Versement unique"
    xlsx = batch.xlsx_file.open("rb").read()
    assert hashlib.sha256(xlsx).hexdigest() == batch.xlsx_sha256
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[1]] == rows[0]
    assert {Decimal(str(sheet.cell(row=r, column=6).value)) for r in (2, 3)} == {
        p.amount for p in payments
    }
    names = (batch.csv_file.name, batch.xlsx_file.name)
    again = batches.batch_export(user=officer, batch=batch)
    assert (again.csv_file.name, again.xlsx_file.name) == names
    assert again.csv_file.open("rb").read() == raw and again.csv_sha256 == batch.csv_sha256
    with pytest.raises(TransitionError, match="figé"):
        batches.batch_remove_payment(user=officer, batch=batch, payment=payments[0])
    extra = _validated(awarded, officer)
    with pytest.raises(TransitionError, match="figé"):
        batches.batch_add_payments(user=officer, batch=batch, payments=extra)
    assert AuditEvent.objects.for_object(batch).filter(action="batch_export").count() == 1


def test_batch_refuses_payments_of_another_region_or_already_batched(awarded):
    officer = role("finance")
    payments = _validated(awarded, officer)
    region = Region.objects.get(code="PDL")
    batches.batch_create(user=officer, region=region, payments=payments)
    with pytest.raises(TransitionError, match="plus disponibles"):
        batches.batch_create(user=officer, region=region, payments=payments)
    with pytest.raises(PermissionDenied):
        batches.batch_create(
            user=role("finance", "HDF"), region=region, payments=_validated(awarded, officer)
        )


def test_marking_paid_moves_dossiers_on_and_emails_beneficiaries(
    awarded, django_capture_on_commit_callbacks
):
    officer = role("finance")
    advance, single = _validated(awarded, officer, kinds=(PaymentKind.ADVANCE, PaymentKind.SINGLE))
    batch = batches.batch_create(
        user=officer, region=Region.objects.get(code="PDL"), payments=[advance, single]
    )
    with pytest.raises(TransitionError, match="Exportez"):
        batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())
    batches.batch_export(user=officer, batch=batch)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())
    advance.dossier.refresh_from_db()
    single.dossier.refresh_from_db()
    assert advance.dossier.state == S.ADVANCE_PAID
    assert single.dossier.state == S.CLOSED
    recipients = {address for message in mail.outbox for address in message.to}
    assert member_of(advance.dossier).email in recipients
    assert member_of(single.dossier).email in recipients
    assert PaymentRequest.objects.filter(state=RequestState.PAID).count() == 2
    with pytest.raises(TransitionError, match="déjà été marqué payé"):
        batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())


def test_batch_pages_and_frozen_file_download(awarded, client):
    officer = role("finance")
    payments = _validated(awarded, officer)
    client.force_login(officer)
    page = client.get(reverse("payments:batches"))
    assert payments[0].dossier.number in page.content.decode()
    response = client.post(reverse("payments:batch_create"), {"payments": [payments[0].pk]})
    batch = payments[0].__class__.objects.get(pk=payments[0].pk).batch
    assert response.url == reverse("payments:batch_detail", args=[batch.pk])
    fingerprint = batches.batch_fingerprint(batch)
    client.post(
        reverse("payments:batch_export", args=[batch.pk]),
        {"confirm": "yes", "fingerprint": fingerprint},
    )
    batch.refresh_from_db()
    detail = client.get(reverse("payments:batch_detail", args=[batch.pk])).content.decode()
    assert batch.csv_sha256 in detail and batch.xlsx_sha256 in detail
    download = client.get(reverse("payments:batch_file", args=[batch.pk, "csv"]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == batch.csv_sha256
    other = role("finance", "HDF")
    client.force_login(other)
    assert client.get(reverse("payments:batch_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("payments:batch_file", args=[batch.pk, "csv"])).status_code == 404
    assert (
        payments[0].dossier.number not in client.get(reverse("payments:batches")).content.decode()
    )


# --- Recovery order ------------------------------------------------------------------------------


def test_recovery_order_pdf_states_the_amount_and_is_emailed_once(
    awarded, django_capture_on_commit_callbacks
):
    officer = role("finance")
    (advance,) = _validated(awarded, officer, kinds=(PaymentKind.ADVANCE,))
    services.mark_payment_paid(payment=advance, on=timezone.localdate(), actor=officer)
    dossier = advance.dossier
    balance = PaymentRequest.objects.create(
        dossier=dossier,
        kind=PaymentKind.BALANCE,
        requested_by=member_of(dossier),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        statement_confirmed=True,
        completion_confirmed=True,
    )
    invoice = Invoice(
        request=balance,
        supplier="Prestataire",
        number="F-1",
        issued_on=timezone.localdate() - timedelta(days=5),
        paid_on=timezone.localdate() - timedelta(days=5),
        amount=Decimal("2000.00"),
    )
    invoice.file.save("f-1.pdf", ContentFile(b"%PDF-1.4"), save=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        balance = services.request_certify(user=dossier.agent, request=balance)
    order = RecoveryOrder.objects.get(request=balance)
    assert order.amount == balance.to_recover > 0
    document = DossierDocument.objects.get(dossier=dossier, kind=DossierDocument.Kind.RECOVERY)
    assert document.reference == f"TR-{dossier.number}"
    text = pdf_text(document.file.path)
    amount = f"{order.amount:,.2f}".replace(",", " ").replace(".", ",")
    assert "Titre de recette" in text and f"{amount} €" in text
    assert "tribunal administratif de Nantes" in text and "30 jours" in text
    sent = [m for m in mail.outbox if document.reference in m.subject + m.body]
    assert len(sent) == 1 and sent[0].attachments
    assert generate_recovery_order(order.pk) == document.reference
    assert len([m for m in mail.outbox if document.reference in m.subject + m.body]) == 1


def test_recovery_received_is_recorded_by_finance_of_the_region_only(awarded, client):
    officer = role("finance")
    dossier = awarded("PDL-IN")
    request = proposed(dossier, kind=PaymentKind.BALANCE, amount="0")
    request.to_recover = Decimal("500")
    request.save()
    order = RecoveryOrder.objects.create(dossier=dossier, request=request, amount=Decimal("500"))
    client.force_login(officer)
    assert dossier.number in client.get(reverse("payments:recoveries")).content.decode()
    client.post(
        reverse("payments:recovery_received", args=[order.pk]),
        {"on": timezone.localdate().isoformat()},
    )
    order.refresh_from_db()
    assert order.received_on == timezone.localdate()
    client.force_login(role("finance", "HDF"))
    response = client.post(
        reverse("payments:recovery_received", args=[order.pk]), {"on": "2026-01-01"}
    )
    assert response.status_code == 404


# --- Budget envelopes ----------------------------------------------------------------------------


def test_award_over_the_envelope_is_refused_until_a_scheme_manager_raises_it(
    submitted,  # noqa: F811
    agent_of,
):
    year = timezone.localdate().year
    envelope = BudgetEnvelope.objects.get(scheme__code="PDL-IN", year=year)
    envelope.voted_amount = Decimal("5000.00")
    envelope.save()
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    instruction_services.dossier_take(user=agent, dossier=dossier)
    instruction_services.dossier_declare_admissible(user=agent, dossier=dossier)
    award = Decimal(review.review_estimate(dossier)["award"])
    instruction_services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Bon projet.", award=award
    )
    with pytest.raises(TransitionError, match="enveloppe budgétaire .* est insuffisante"):
        instruction_services.dossier_accept(user=agent, dossier=dossier)
    for user in (agent, role("finance"), role("scheme_manager", "HDF")):
        with pytest.raises(PermissionDenied):
            budget.envelope_raise(
                user=user, envelope=envelope, new_amount=Decimal("50000"), reason="DM n°1"
            )
    manager = role("scheme_manager")
    with pytest.raises(Exception, match="doit dépasser"):
        budget.envelope_raise(
            user=manager, envelope=envelope, new_amount=Decimal("4000"), reason="x"
        )
    budget.envelope_raise(
        user=manager, envelope=envelope, new_amount=Decimal("50000"), reason="DM n°1"
    )
    envelope.refresh_from_db()
    assert envelope.voted_amount == Decimal("50000.00")
    assert envelope.history.count() >= 3  # creation, the test's lowering, the raise
    assert AuditEvent.objects.for_object(envelope).filter(action="envelope_raise").exists()
    dossier = instruction_services.dossier_accept(user=agent, dossier=dossier)
    assert dossier.state == S.ACCEPTED


def test_budget_page_figures_add_up_and_raise_form_only_for_managers(awarded, client):
    officer = role("finance")
    advance, _single = _validated(awarded, officer, kinds=(PaymentKind.ADVANCE, PaymentKind.SINGLE))
    services.mark_payment_paid(payment=advance, on=timezone.localdate(), actor=officer)
    year = timezone.localdate().year
    scheme = advance.dossier.scheme
    figures = budget.envelope_figures(scheme, year)
    awarded_total = sum(p.dossier.awarded_amount for p in Payment.objects.select_related("dossier"))
    assert figures.committed == awarded_total
    assert figures.voted == figures.committed + figures.remaining
    assert figures.paid == advance.amount
    client.force_login(officer)
    page = client.get(reverse("payments:budget", args=["PDL-IN"]))
    assert page.status_code == 200
    shown = {f.year: f for f in page.context["figures"]}  # the demo opens next year's too
    assert shown[year].paid == advance.amount
    assert "Relever l'enveloppe" not in page.content.decode()
    client.force_login(role("scheme_manager"))
    page = client.get(reverse("payments:budget", args=["PDL-IN"]))
    assert "Relever l'enveloppe" in page.content.decode()
    response = client.post(
        reverse("payments:budget_raise", args=["PDL-IN", year]),
        {"amount": "9 999 999,00", "reason": "Décision modificative"},
    )
    assert response.status_code == 302
    assert BudgetEnvelope.objects.get(scheme=scheme, year=year).voted_amount == Decimal("9999999")
    client.force_login(role("finance", "HDF"))
    assert client.get(reverse("payments:budget", args=["PDL-IN"])).status_code == 404
    client.force_login(member_of(advance.dossier))
    assert client.get(reverse("payments:budget", args=["PDL-IN"])).status_code == 403


# --- Dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_charts_and_csv(awarded, submitted, client):  # noqa: F811
    officer = role("finance")
    (advance,) = _validated(awarded, officer, kinds=(PaymentKind.ADVANCE,))
    services.mark_payment_paid(payment=advance, on=timezone.localdate(), actor=officer)
    submitted("PDL-IN")
    client.force_login(role("scheme_manager"))
    page = client.get(reverse("payments:dashboard"))
    row = next(r for r in page.context["rows"] if r["scheme"] == "PDL-IN")
    metrics = {m["key"]: m for m in row["metrics"]}
    assert metrics["requested"]["count"] == 2
    assert metrics["awarded"]["count"] == metrics["committed"]["count"] == 1
    assert metrics["committed"]["amount"] == advance.dossier.awarded_amount
    assert metrics["paid"]["count"] == 1 and metrics["paid"]["amount"] == advance.amount
    assert {r["region_code"] for r in page.context["rows"]} == {"PDL"}
    html = page.content.decode()
    assert '<svg role="img"' in html and "<desc" in html and "<caption" in html
    assert member_of(advance.dossier).email not in html
    export = client.get(reverse("payments:dashboard_csv"))
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeffRégion;Dispositif;Demandé (nombre)")
    line = next(r for r in csv.reader(io.StringIO(text[1:]), delimiter=";") if r[1] == "PDL-IN")
    assert line[2] == "2" and line[8] == "1"
    assert line[9] == f"{advance.amount:.2f}".replace(".", ",")
    client.force_login(role("agent", "HDF"))
    rows = client.get(reverse("payments:dashboard")).context["rows"]
    assert {r["region_code"] for r in rows} == {"HDF"}
    client.force_login(member_of(advance.dossier))
    assert client.get(reverse("payments:dashboard")).status_code == 403


# --- Queue ---------------------------------------------------------------------------------------


def test_finance_queue_filters_totals_and_region_isolation(awarded, client):
    dossier = awarded("PDL-IN")
    request = proposed(dossier, amount="4000.00")
    other = proposed(awarded("PDL-IN"), kind=PaymentKind.BALANCE, amount="1500.00")
    other.iban_changed = True
    other.save()
    client.force_login(role("finance"))
    page = client.get(reverse("payments:finance_queue"))
    assert page.context["totals"] == {"count": 2, "total": Decimal("5500.00")}
    page = client.get(reverse("payments:finance_queue"), {"iban_changed": "yes"})
    assert page.context["totals"]["count"] == 1
    page = client.get(reverse("payments:finance_queue"), {"kind": "single", "amount_min": "3000"})
    assert [r.pk for r in page.context["page_obj"]] == [request.pk]
    html = page.content.decode()
    assert '<label class="form-label" for="id_scheme">Dispositif</label>' in html
    response = client.post(
        reverse("payments:finance_send_back", args=[other.pk]), {"reason": "RIB illisible"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.state == RequestState.SENT_BACK
    hdf = role("finance", "HDF")
    client.force_login(hdf)
    assert client.get(reverse("payments:finance_queue")).context["totals"]["count"] == 0
    response = client.post(reverse("payments:finance_validate", args=[request.pk]))
    assert response.status_code == 404
    client.force_login(dossier.agent)
    assert client.get(reverse("payments:finance_queue")).status_code == 403


def test_finance_queue_query_count_does_not_grow_with_rows(
    awarded, client, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    from tests.applications.factories import DossierFactory

    base = awarded("PDL-IN")
    client.force_login(role("finance"))

    def add(n):
        for _ in range(n):
            dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
            dossier.agent = base.agent
            proposed(dossier)

    add(5)
    client.get(reverse("payments:finance_queue"))  # warm the session and content types
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("payments:finance_queue"))
    assert response.context["totals"]["count"] == 5
    add(45)
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(reverse("payments:finance_queue"))
    assert response.context["totals"]["count"] == 50
    assert len(response.context["page_obj"]) == 50
