"""The dossier's state groups are named once (applications.enums) and agree with its table."""

from applications.enums import (
    AWARDED_STATES,
    DECIDED_STATES,
    INSTRUCTION_ENDED_STATES,
    PAYABLE_STATES,
    TO_DECIDE_STATES,
)
from applications.enums import (
    DossierState as S,
)
from applications.workflow import DOSSIER_WORKFLOW


def _reached_by(*names):
    return {DOSSIER_WORKFLOW[name].target for name in names}


def test_awarded_states_are_those_an_award_leads_to_until_closing():
    assert set(AWARDED_STATES) == _reached_by("accept", "vote_for", "pay_advance", "close")


def test_payable_states_are_those_a_payment_transition_starts_from():
    assert set(PAYABLE_STATES) == set(DOSSIER_WORKFLOW.sources("pay_advance", "close"))


def test_decided_states_are_the_awards_and_the_refusals():
    assert set(DECIDED_STATES) == set(AWARDED_STATES) | _reached_by("reject", "vote_against")
    assert set(INSTRUCTION_ENDED_STATES) == set(DECIDED_STATES) | _reached_by("abandon")


def test_to_decide_states_are_those_an_award_or_refusal_may_start_from():
    deciding = DOSSIER_WORKFLOW.sources("accept", "vote_for", "vote_against")
    assert set(TO_DECIDE_STATES) == set(deciding)
    assert S.IN_INSTRUCTION not in TO_DECIDE_STATES
