"""Races that only a real database shows: parallel awards on one envelope, parallel submissions.

Each thread has its own database connection (Django opens one per thread) and starts at the same
barrier; the row locks under test are PostgreSQL's (SQLite serialises every writer).
"""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import Dossier, DossierTransitionLog
from applications.services import dossier_submit
from applications.workflow import TransitionError
from instruction import services
from instruction.budget import committed_amount
from schemes.models import BudgetEnvelope, Scheme
from tests.applications.factories import DossierFactory
from tests.payments.conftest import member_of
from tests.payments.test_finance import reference_data  # noqa: F401

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "row locks and concurrent transactions need PostgreSQL (SQLite serialises writers): "
            "run with DATABASE_URL=postgres://… as .ci/run's PostgreSQL pass does"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

PARALLEL = 20
AWARD = Decimal("1000.00")
FITTING = 7


@pytest.fixture(autouse=True)
def _side_effects_stay_in_the_outbox(monkeypatch):
    """The acts' PDFs and e-mails are not under test: their outbox rows are written, not run."""
    monkeypatch.setattr("outbox.services.relay", lambda message_id: True)


def run_in_parallel(work, arguments) -> list:
    """Run `work(argument)` in one thread per argument, all released at once; results in order."""
    barrier = threading.Barrier(len(arguments))
    results: list = [None] * len(arguments)

    def target(index, argument):
        try:
            barrier.wait(timeout=30)
            results[index] = work(argument)
        except Exception as exc:  # noqa: BLE001 (each refusal is an expected outcome)
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=target, args=(i, argument)) for i, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck on a lock"
    return results


def proposed_dossier(agent) -> Dossier:
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    dossier = dossier_submit(user=member_of(dossier), dossier=dossier, sworn=True)
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Projet solide.", award=AWARD
    )
    return dossier


def test_parallel_awards_never_commit_more_than_the_envelope(reference_data, open_calls, agent_of):  # noqa: F811
    agent = agent_of("PDL")
    dossiers = [proposed_dossier(agent) for _ in range(PARALLEL)]
    scheme, year = Scheme.objects.get(code="PDL-IN"), timezone.localdate().year
    before = committed_amount(scheme=scheme, year=year)
    # Room for exactly FITTING awards, and half of one more: the 8th must be refused.
    voted = before + AWARD * FITTING + AWARD / 2
    BudgetEnvelope.objects.filter(scheme=scheme, year=year).update(voted_amount=voted)
    user_model = get_user_model()

    def award(dossier):
        user = user_model.objects.get(pk=agent.pk)  # one user object per thread
        return services.dossier_accept(user=user, dossier=Dossier.objects.get(pk=dossier.pk))

    results = run_in_parallel(award, dossiers)

    awarded = [r for r in results if isinstance(r, Dossier)]
    refused = [r for r in results if not isinstance(r, Dossier)]
    assert len(awarded) == FITTING
    assert len(refused) == PARALLEL - FITTING
    for refusal in refused:
        assert isinstance(refusal, TransitionError), repr(refusal)
        assert "L'enveloppe budgétaire" in refusal.message and "insuffisante" in refusal.message
        assert "500,00" in refusal.message  # what is left, in French format
    states = list(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state"))
    assert states.count((S.ACCEPTED,)) == FITTING
    assert states.count((S.PROPOSED,)) == PARALLEL - FITTING
    committed = committed_amount(scheme=scheme, year=year)
    assert committed == before + AWARD * FITTING
    assert committed <= BudgetEnvelope.objects.get(scheme=scheme, year=year).voted_amount


def test_parallel_submissions_of_one_dossier_make_one_submission(reference_data, open_calls):  # noqa: F811
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = member_of(dossier)
    user_model = get_user_model()

    def submit(_):
        user = user_model.objects.get(pk=member.pk)
        return dossier_submit(user=user, dossier=Dossier.objects.get(pk=dossier.pk), sworn=True)

    results = run_in_parallel(submit, list(range(PARALLEL)))

    submitted = [r for r in results if isinstance(r, Dossier)]
    refused = [r for r in results if not isinstance(r, Dossier)]
    assert len(submitted) == 1
    assert len(refused) == PARALLEL - 1
    for refusal in refused:
        assert isinstance(refusal, TransitionError), repr(refusal)
        assert "le dossier est à l'état « Déposé »" in refusal.message
    assert DossierTransitionLog.objects.filter(dossier=dossier, transition="submit").count() == 1
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED and dossier.submitted_by_id == member.pk
