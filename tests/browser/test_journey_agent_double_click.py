"""Journey of an instructing agent who double-clicks the review page's buttons and goes back a
step to send again (the agent actions derived from the transition table): taking the dossier,
asking for complements, a note and a message to the applicant are each done once, and the page
says so in French. Every page passes visit_check (axe, 320 px, no repr)."""

import datetime

import pytest
from django.utils import timezone

from applications.models import DossierTransitionLog
from applications.services import dossier_submit
from instruction.models import Message, Note
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory
from tests.browser.journey import finish, login, open_from_queue, visible_text, visit_check
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def double_click(page, button) -> None:
    """Two clicks in a row on a submit button, as an impatient person does."""
    with page.expect_navigation():
        button.dblclick()
    page.wait_for_load_state()
    visit_check(page)


def transitions(dossier) -> list[str]:
    return list(
        DossierTransitionLog.objects.filter(dossier=dossier)
        .order_by("pk")
        .values_list("transition", flat=True)
    )


def test_agent_double_clicks_and_sends_again_nothing_twice(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user

    login(page, live_server.url, agent.email)
    open_from_queue(page, dossier.number)
    double_click(page, page.get_by_role("button", name="Prendre en charge"))
    assert "Vous instruisez ce dossier." in visible_text(page)
    # Back a step: the page is read again (post, redirect, get), the button is gone.
    page.go_back()
    assert page.get_by_role("button", name="Prendre en charge").count() == 0

    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Éléments demandés (un par ligne)").fill("Devis signé")
    page.get_by_label("Réponse attendue avant le").fill(due.isoformat())
    double_click(page, page.get_by_role("button", name="Envoyer la demande"))
    assert "La demande de compléments est envoyée au demandeur." in visible_text(page)
    assert transitions(dossier) == ["submit", "take", "request_complements"]

    notes = page.get_by_role("region", name="Notes internes")
    notes.get_by_label("Ajouter une note").fill("Appeler le gérant lundi.")
    double_click(page, notes.get_by_role("button", name="Ajouter"))
    assert Note.objects.filter(dossier=dossier).count() == 1

    exchanges = page.get_by_role("region", name="Échanges")
    exchanges.get_by_label("Écrire au demandeur").fill("Bonjour, merci pour le devis.")
    double_click(page, exchanges.get_by_role("button", name="Envoyer"))
    assert "Le message est envoyé au demandeur." in visible_text(page)
    # Back a step: the browser gives the message typed back; « Envoyer » again sends nothing.
    page.go_back()
    exchanges = page.get_by_role("region", name="Échanges")
    typed = exchanges.get_by_label("Écrire au demandeur").input_value()
    if not typed:
        exchanges.get_by_label("Écrire au demandeur").fill("Bonjour, merci pour le devis.")
    double_click(page, exchanges.get_by_role("button", name="Envoyer"))
    assert Message.objects.filter(dossier=dossier).count() == 1, "the message was sent twice"
    assert "Ce message est déjà envoyé au demandeur" in visible_text(page)
    assert transitions(dossier) == ["submit", "take", "request_complements"]
    finish(page)
