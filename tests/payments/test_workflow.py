"""Payment requests, batches and provider changes move through their transition tables
(payments/workflow.py): one log row per transition, and a second call never makes a second one."""

import threading
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import Dossier
from audit.models import AuditEvent
from common.workflow import TransitionError
from instruction import services as instruction_services
from payments import batches, services
from payments.enums import BatchState, ChangeState, PaymentKind, RequestState
from payments.models import (
    Payment,
    PaymentBatchTransitionLog,
    PaymentRequest,
    PaymentRequestTransitionLog,
    ProviderChange,
    ProviderChangeTransitionLog,
)
from territories.models import Region
from tests.payments.conftest import member_of
from tests.payments.test_finance import _validated, proposed, reference_data, role  # noqa: F401

pytestmark = pytest.mark.django_db


def _log(request) -> list[tuple[str, str, str]]:
    return list(
        PaymentRequestTransitionLog.objects.filter(request=request).values_list(
            "transition", "from_state", "to_state"
        )
    )


def _change(dossier) -> ProviderChange:
    line = dossier.expenses.order_by("position").first()
    change = ProviderChange(
        dossier=dossier,
        expense_line=line,
        new_supplier="Nouvel Éditeur SAS",
        new_amount=Decimal("1000.00"),
        reason="Le premier éditeur a cessé son activité.",
        declared_by=member_of(dossier),
    )
    change.quote.save("devis.pdf", ContentFile(b"%PDF-1.4"), save=False)
    change.save()
    return change


def test_a_request_logs_each_transition_from_validation_to_payment(awarded):
    officer = role("finance")
    [payment] = _validated(awarded, officer)
    request = payment.request
    services.mark_payment_paid(payment=payment, on=timezone.localdate(), actor=officer)
    request.refresh_from_db()
    assert request.state == RequestState.PAID
    assert _log(request) == [
        ("validate", RequestState.CERTIFIED, RequestState.VALIDATED),
        ("pay", RequestState.VALIDATED, RequestState.PAID),
    ]
    assert (
        PaymentRequestTransitionLog.objects.get(request=request, transition="pay").actor == officer
    )
    paid = AuditEvent.objects.get(action="payment_paid")
    assert (paid.from_state, paid.to_state) == (RequestState.VALIDATED, RequestState.PAID)
    assert paid.object_id == str(payment.dossier_id)


def test_a_payment_marked_paid_twice_is_refused_the_second_time(awarded):
    officer = role("finance")
    [payment] = _validated(awarded, officer)
    services.mark_payment_paid(payment=payment, on=timezone.localdate(), actor=officer)
    with pytest.raises(TransitionError, match="« Payée »"):
        services.mark_payment_paid(payment=payment, on=timezone.localdate(), actor=officer)
    assert [t for t, *_ in _log(payment.request)].count("pay") == 1
    assert AuditEvent.objects.filter(action="payment_paid").count() == 1
    payment.dossier.refresh_from_db()
    assert payment.dossier.state == S.CLOSED


def test_a_payment_not_validated_cannot_be_marked_paid(awarded):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)  # certified, not validated by finance
    payment = Payment(request=request, dossier=dossier, kind=request.kind, amount=request.amount)
    with pytest.raises(TransitionError, match="Service fait certifié"):
        services.mark_payment_paid(payment=payment, on=timezone.localdate(), actor=role("finance"))
    request.refresh_from_db()
    assert request.state == RequestState.CERTIFIED


def test_send_back_then_certify_again_is_logged(awarded):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)
    services.request_send_back(user=role("finance"), request=request, reason="Facture illisible.")
    with pytest.raises(TransitionError, match="Seule une proposition en attente"):
        services.request_send_back(user=role("finance"), request=request, reason="Encore.")
    services.request_certify(user=dossier.agent, request=request)
    assert _log(request) == [
        ("send_back", RequestState.CERTIFIED, RequestState.SENT_BACK),
        ("certify", RequestState.SENT_BACK, RequestState.CERTIFIED),
    ]
    log = PaymentRequestTransitionLog.objects.get(request=request, transition="send_back")
    assert log.comment == "Facture illisible."


def test_a_batch_logs_its_export_and_payment_once(awarded):
    officer = role("finance")
    payments = _validated(awarded, officer, kinds=(PaymentKind.SINGLE,))
    batch = batches.batch_create(
        user=officer, region=Region.objects.get(code="PDL"), payments=payments
    )
    batches.batch_export(user=officer, batch=batch)
    batches.batch_export(user=officer, batch=batch)  # exporting again returns the frozen batch
    batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())
    with pytest.raises(TransitionError):
        batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate())
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID
    assert list(
        PaymentBatchTransitionLog.objects.filter(batch=batch).values_list(
            "transition", "from_state", "to_state"
        )
    ) == [
        ("export", BatchState.OPEN, BatchState.EXPORTED),
        ("mark_paid", BatchState.EXPORTED, BatchState.PAID),
    ]
    assert AuditEvent.objects.for_object(batch).filter(action="batch_paid").count() == 1


def test_a_provider_change_is_decided_once(awarded):
    dossier = awarded("PDL-IN")
    change = _change(dossier)
    services.provider_change_decide(user=dossier.agent, change=change, accept=True, comment="")
    with pytest.raises(TransitionError, match="déjà été examiné"):
        services.provider_change_decide(
            user=dossier.agent, change=change, accept=False, comment="Non."
        )
    change.refresh_from_db()
    assert change.state == ChangeState.ACCEPTED and change.decided_by == dossier.agent
    assert list(
        ProviderChangeTransitionLog.objects.filter(change=change).values_list(
            "transition", "from_state", "to_state", "actor"
        )
    ) == [("accept", ChangeState.PENDING, ChangeState.ACCEPTED, dossier.agent.pk)]


# --- PostgreSQL: concurrent calls ----------------------------------------------------------------


def _race(work, arguments) -> list:
    barrier, results = threading.Barrier(len(arguments)), []

    def target(argument):
        try:
            barrier.wait(timeout=10)
            results.append(work(argument))
        except Exception as exc:  # noqa: BLE001 (the losers' refusals are the expected outcome)
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_request_make_one_transition(reference_data, awarded):  # noqa: F811
    officer = role("finance")
    [payment] = _validated(awarded, officer)
    results = _race(
        lambda _: services.mark_payment_paid(
            payment=Payment.objects.get(pk=payment.pk), on=timezone.localdate(), actor=officer
        ),
        range(4),
    )
    assert results.count(None) == 1
    assert all(isinstance(r, TransitionError) for r in results if r is not None), results
    assert [t for t, *_ in _log(payment.request)].count("pay") == 1
    assert AuditEvent.objects.filter(action="payment_paid").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_a_provider_change_make_one(reference_data, awarded):  # noqa: F811
    dossier = awarded("PDL-IN")
    change = _change(dossier)
    results = _race(
        lambda accept: services.provider_change_decide(
            user=dossier.agent,
            change=ProviderChange.objects.get(pk=change.pk),
            accept=accept,
            comment="Décision.",
        ),
        [True, False, True, False],
    )
    assert sum(isinstance(r, ProviderChange) for r in results) == 1
    assert ProviderChangeTransitionLog.objects.filter(change=change).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_batch_payments_make_one_transition(reference_data, awarded):  # noqa: F811
    officer = role("finance")
    payments = _validated(awarded, officer)
    batch = batches.batch_create(
        user=officer, region=Region.objects.get(code="PDL"), payments=payments
    )
    batches.batch_export(user=officer, batch=batch)
    results = _race(
        lambda _: batches.batch_mark_paid(user=officer, batch=batch, paid_on=timezone.localdate()),
        range(3),
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert PaymentBatchTransitionLog.objects.filter(transition="mark_paid").count() == 1
    assert PaymentRequestTransitionLog.objects.filter(transition="pay").count() == 1


def test_a_dossier_with_a_payment_under_way_cannot_be_reopened(awarded):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)
    with pytest.raises(TransitionError, match="demande de paiement est en cours"):
        instruction_services.dossier_reopen(
            user=dossier.agent, dossier=dossier, reason="Erreur de calcul."
        )
    dossier.refresh_from_db()
    assert dossier.state == S.ACCEPTED and dossier.awarded_amount is not None
    # Once the request is refused, the dossier may be reopened.
    PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.REFUSED)
    dossier = instruction_services.dossier_reopen(
        user=dossier.agent, dossier=dossier, reason="Erreur de calcul."
    )
    assert dossier.state == S.IN_INSTRUCTION


def test_a_request_on_a_dossier_no_longer_payable_is_neither_certified_nor_validated(awarded):
    dossier = awarded("PDL-IN")
    request = proposed(dossier)
    Dossier.objects.filter(pk=dossier.pk).update(state=S.IN_INSTRUCTION)
    with pytest.raises(TransitionError, match="ne peut pas être validé"):
        services.payment_validate(user=role("finance"), request=request)
    PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.SUBMITTED)
    with pytest.raises(TransitionError, match="ne peut pas être certifié"):
        services.request_certify(user=dossier.agent, request=request)
    assert not Payment.objects.filter(request=request).exists()
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
