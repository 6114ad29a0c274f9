"""Journey of an agent running a batch operation from the queue, in Chromium (issue 22,
point 4): two admissible dossiers and one just filed are checked, « Proposer une décision » is
prepared, the preview shows the engine's award of each and which one is left out, a launch
without motivation is refused with an error summary (the selection kept), then the job runs and
shows a result per dossier. Every page passes visit_check."""

import re

import pytest

from applications.services import dossier_submit
from instruction import services
from portal.management.commands.seed_demo import Command as SeedDemo
from schemes.templatetags.aides import euros
from tests.applications.factories import DossierFactory
from tests.browser.journey import click, finish, login, nav_link, visible_text, watch_console
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _filed():
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = dossier.organisation.memberships.first().user
    return dossier_submit(user=member, dossier=dossier, sworn=True)


def test_agent_proposes_a_batch_after_the_engines_preview(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    ready = []
    for _ in range(2):
        dossier = _filed()
        services.dossier_take(user=agent, dossier=dossier)
        ready.append(services.dossier_declare_admissible(user=agent, dossier=dossier))
    fresh = _filed()
    watch_console(page)

    login(page, base, agent.email)
    nav_link(page, "Instruction")
    click(page, page.get_by_role("main").get_by_role("link", name=re.compile(r"^Tous\b")).first)
    for dossier in [*ready, fresh]:
        page.get_by_label(f"Sélectionner le dossier {dossier.number}").check()
    page.get_by_label("Traitement par lot").select_option(label="Proposer une décision")
    click(page, page.get_by_role("button", name="Préparer le traitement"))

    preview = page.get_by_role("table", name=re.compile("^Aperçu"))
    for dossier in ready:
        row = preview.get_by_role("row", name=re.compile(dossier.number))
        assert euros(dossier.result["award"]) in row.inner_text()  # nothing retained: as filed
        assert "Oui" in row.inner_text()
    left_out = preview.get_by_role("row", name=re.compile(fresh.number)).inner_text()
    assert "Non : Action impossible" in left_out and "Déposé" in left_out

    # Launched without a motivation: refused, nothing started, the preview still there.
    click(page, page.get_by_role("button", name="Lancer le traitement (2 dossiers)"))
    summary = page.get_by_role("alert")
    assert "Motivez la proposition." in summary.inner_text()
    assert page.title().startswith("Erreur")
    page.get_by_label("Motivation (reprise dans chaque proposition)").fill("Projets conformes.")
    click(page, page.get_by_role("button", name="Lancer le traitement (2 dossiers)"))

    assert "Lot n°" in visible_text(page, "h1")
    results = page.get_by_role("table", name="Résultat par dossier")
    for dossier in ready:
        assert (
            "Proposition enregistrée."
            in results.get_by_role("row", name=re.compile(dossier.number)).inner_text()
        )
    assert "Non traité" in results.get_by_role("row", name=re.compile(fresh.number)).inner_text()
    assert "Fait : 2" in visible_text(page)

    # Back to the list of jobs, then the dossier itself: proposed.
    click(page, page.get_by_role("link", name="Mes traitements par lot"))
    click(page, page.get_by_role("link", name=re.compile("Proposer une décision")))
    click(page, page.get_by_role("link", name=ready[0].number))
    assert "Proposé" in visible_text(page, "h1")
    finish(page)
