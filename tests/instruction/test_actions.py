"""The agent's actions come from the dossier's transition table: the review page's buttons, the
API's transitions and the proposal's amount (computed by the rules engine, not by the caller)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState as S
from applications.workflow import DOSSIER_WORKFLOW
from instruction import review, services
from instruction.actions import AGENT_TRANSITIONS, API_TRANSITIONS, agent_actions

pytestmark = pytest.mark.django_db

# The action URL of each transition's form on the review page.
ACTION_URL = re.compile(r'action="/instruction/dossiers/\d+/action/([a-z_]+)/"')


def posted_actions(client, dossier) -> set[str]:
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    return set(ACTION_URL.findall(page)) & set(AGENT_TRANSITIONS)


def test_every_agent_transition_is_declared_in_the_table_and_the_api_offers_them_but_scheduling():
    assert set(AGENT_TRANSITIONS) <= set(DOSSIER_WORKFLOW.transitions)
    assert set(API_TRANSITIONS) == set(AGENT_TRANSITIONS) - {"schedule"}


@pytest.mark.parametrize("state", list(S))
def test_the_actions_offered_are_the_tables_agent_transitions_from_the_state(state):
    expected = {t.name for t in DOSSIER_WORKFLOW.available(state)} & set(AGENT_TRANSITIONS)
    assert agent_actions(type("D", (), {"state": state})()) == expected


def test_the_review_page_shows_a_form_for_each_action_the_state_allows(client, submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    client.force_login(agent)
    assert posted_actions(client, dossier) == {"take", "abandon"}
    services.dossier_take(user=agent, dossier=dossier)
    assert posted_actions(client, dossier) == {
        "request_complements",
        "declare_admissible",
        "reject",
        "abandon",
    }
    services.complements_request(
        user=agent, dossier=dossier, items="Kbis", due_on=timezone.localdate() + timedelta(days=9)
    )
    # Waiting for the applicant: only abandoning is the agent's (the old substring test on the
    # state's name happened to agree here; the table says it).
    assert posted_actions(client, dossier) == {"abandon"}
    services.complements_answer(
        user=dossier.organisation.memberships.first().user, dossier=dossier, answer="Voici."
    )
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    services.dossier_propose(user=agent, dossier=dossier, favourable=True, comment="Solide.")
    assert posted_actions(client, dossier) == {"accept", "withdraw_proposal", "reject", "abandon"}
    services.dossier_abandon(user=agent, dossier=dossier, reason="Projet abandonné.")
    assert posted_actions(client, dossier) == {"reopen"}


def test_the_form_posts_to_the_transition_name_and_the_old_short_name_still_works(
    client, submitted, agent_of
):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    client.force_login(agent)
    services.dossier_take(user=agent, dossier=dossier)
    url = reverse("instruction:action", args=[dossier.pk, "declare_admissible"])
    response = client.post(url, {"on": timezone.localdate().isoformat()}, follow=True)
    assert "Le dossier est déclaré complet" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == S.ADMISSIBLE
    services.dossier_propose(user=agent, dossier=dossier, favourable=True, comment="Solide.")
    old = reverse("instruction:action", args=[dossier.pk, "withdraw"])
    response = client.post(old, {"motivation": "À revoir."}, follow=True)
    assert "La proposition est retirée." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == S.ADMISSIBLE


def test_the_proposal_takes_the_award_the_rules_engine_computes(submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    engine = Decimal(review.review_estimate(dossier)["award"])
    with pytest.raises(ValidationError, match="dépasse l'aide calculée par les règles"):
        services.dossier_propose(
            user=agent, dossier=dossier, favourable=True, comment="Solide.", award=engine + 1
        )
    services.dossier_propose(user=agent, dossier=dossier, favourable=True, comment="Solide.")
    dossier.review.refresh_from_db()
    assert dossier.review.proposed_award == engine == Decimal("10000.00")


def test_withdrawing_a_proposal_needs_a_reason_on_the_page_and_in_the_service(submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    services.dossier_propose(user=agent, dossier=dossier, favourable=True, comment="Solide.")
    with pytest.raises(ValidationError, match="Indiquez pourquoi la proposition est retirée"):
        services.dossier_withdraw_proposal(user=agent, dossier=dossier, reason="  ")
