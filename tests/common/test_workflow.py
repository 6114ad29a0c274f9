"""The one transition mechanism (common.workflow), checked on the dossier's table."""

import pytest
from django.core.exceptions import PermissionDenied

from applications.enums import DossierState as S
from applications.models import Dossier, DossierTransitionLog
from applications.workflow import DOSSIER_WORKFLOW, TRANSITIONS, apply_transition
from audit.models import AuditEvent
from audit.services import audit_record
from common.workflow import Transition, TransitionError, Workflow
from tests.applications.factories import DossierFactory
from tests.instruction.conftest import agent_of, open_calls, submitted  # noqa: F401


def _declare(*transitions):
    return Workflow(
        model=Dossier,
        log_model=DossierTransitionLog,
        log_field="dossier",
        transitions=transitions,
        audit=audit_record,
        audit_prefix="dossier",
        subject="le dossier",
    )


def test_a_transition_declared_twice_is_refused_at_declaration():
    with pytest.raises(ValueError, match="declared twice"):
        _declare(
            Transition("take", [S.SUBMITTED], S.IN_INSTRUCTION, "a"),
            Transition("take", [S.ADMISSIBLE], S.IN_INSTRUCTION, "b"),
        )


def test_a_transition_to_an_unknown_state_is_refused_at_declaration():
    with pytest.raises(ValueError, match="unknown states"):
        _declare(Transition("fly", [S.SUBMITTED], "in_the_air", "Envol"))


def test_every_dossier_state_but_the_draft_is_reached_by_one_declared_transition():
    targets = {t.target for t in TRANSITIONS.values()}
    assert targets == set(S.values) - {S.DRAFT}
    # Declared in one place, whatever the import order: the payment transitions are there too.
    assert {"submit", "take", "schedule", "pay_advance", "close"} <= set(TRANSITIONS)


def test_available_transitions_follow_the_table():
    names = [t.name for t in DOSSIER_WORKFLOW.available(S.PROPOSED)]
    assert names == ["withdraw_proposal", "accept", "reject", "abandon", "schedule"]
    assert DOSSIER_WORKFLOW.allows("take", S.SUBMITTED)
    assert not DOSSIER_WORKFLOW.allows("take", S.IN_INSTRUCTION)


def test_a_second_call_makes_no_second_transition_nor_log_nor_audit_row(submitted, agent_of):  # noqa: F811
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    version = dossier.lock_version
    apply_transition(dossier=dossier, name="take", actor=agent, comment="Je prends.")
    assert dossier.state == S.IN_INSTRUCTION and dossier.lock_version == version + 1
    log = DossierTransitionLog.objects.get(dossier=dossier, transition="take")
    assert (log.from_state, log.to_state, log.actor, log.comment) == (
        S.SUBMITTED,
        S.IN_INSTRUCTION,
        agent,
        "Je prends.",
    )
    audit = AuditEvent.objects.get(action="dossier_take", object_id=str(dossier.pk))
    assert (audit.from_state, audit.to_state, audit.actor) == (S.SUBMITTED, S.IN_INSTRUCTION, agent)

    stale = Dossier.objects.get(pk=dossier.pk)
    stale.state = S.SUBMITTED  # a second tab still showing the submitted dossier
    with pytest.raises(TransitionError) as refused:
        apply_transition(dossier=stale, name="take", actor=agent)
    assert (
        refused.value.message == "Action impossible : le dossier est à l'état « En instruction »."
    )
    assert DossierTransitionLog.objects.filter(dossier=dossier, transition="take").count() == 1
    assert AuditEvent.objects.filter(action="dossier_take").count() == 1


def test_the_check_hook_refuses_before_anything_is_written(submitted, agent_of):  # noqa: F811
    dossier = submitted("PDL-IN")

    def nobody(locked):
        assert locked.state == S.SUBMITTED  # the hook sees the locked row
        raise PermissionDenied("Vous n'instruisez pas ce dossier.")

    with pytest.raises(PermissionDenied):
        apply_transition(dossier=dossier, name="take", actor=agent_of("PDL"), check=nobody)
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED
    assert not DossierTransitionLog.objects.filter(dossier=dossier, transition="take").exists()


@pytest.mark.django_db
def test_a_deleted_object_gets_a_french_refusal():
    dossier = DossierFactory(scheme_code="PDL-IN")
    Dossier.objects.filter(pk=dossier.pk).delete()
    with pytest.raises(TransitionError, match="le dossier est introuvable"):
        apply_transition(dossier=dossier, name="submit", actor=None)
