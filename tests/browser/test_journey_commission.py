"""Journey of an Île-de-France agent through the commission permanente, in Chromium (issue 13,
« Tests of a new kind »): instruct a chèque numérique dossier to a favourable proposal, create
the sessions, put dossiers on their agendas, try to record a vote before the session's date
(refused, in French: issue 13 point 3), record the vote of today's session and open the arrêté.

What the agent checks: the proposed aid in French format on the agenda, the vote and its
deliberation number, the dossier awarded, and the arrêté opening as a PDF from the dossier's
page with the amount and the deliberation. Every page passes visit_check.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import DossierState
from applications.services import dossier_submit
from instruction import review, services
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory
from tests.browser.journey import (
    assert_pdf,
    click,
    download,
    finish,
    login,
    nav_link,
    open_from_queue,
    pdf_text,
    reload_until,
    text_of,
    visible_text,
    watch_console,
)
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submitted_idf_dossier():
    dossier = DossierFactory(scheme_code="IDF-CN2", complete=True)
    applicant = dossier.organisation.memberships.first().user
    return dossier_submit(user=applicant, dossier=dossier, sworn=True)


def create_session(page, number: str, day: datetime.date) -> None:
    page.get_by_label("Région").select_option(label="Île-de-France")
    page.get_by_label("Numéro de la séance").fill(number)
    page.get_by_label("Date de la séance").fill(day.isoformat())
    click(page, page.get_by_role("button", name="Créer la séance"))
    assert f"CP {number} du {day:%d/%m/%Y}" in visible_text(page, "h1")


def schedule(page, dossier) -> None:
    candidates = page.locator("form").filter(
        has=page.get_by_role("button", name="Inscrire les dossiers cochés")
    )
    candidates.get_by_label(re.compile(re.escape(dossier.number))).check()
    click(page, page.get_by_role("button", name="Inscrire les dossiers cochés"))


def agenda(page) -> str:
    return visible_text(page, "table")


def test_idf_agent_takes_a_dossier_through_the_commission_vote(live_server, page, reference_data):
    SeedDemo().open_envelopes()
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="IDF").user
    # A second dossier, already proposed, for the session that has not been held yet.
    later = submitted_idf_dossier()
    services.dossier_take(user=agent, dossier=later)
    services.dossier_declare_admissible(user=agent, dossier=later)
    services.dossier_propose(
        user=agent,
        dossier=later,
        favourable=True,
        comment="Conforme.",
        award=Decimal(review.review_estimate(later)["award"]),
    )
    dossier = submitted_idf_dossier()
    today = timezone.localdate()
    watch_console(page)

    login(page, base, agent.email)
    open_from_queue(page, dossier.number)
    click(page, page.get_by_role("button", name="Prendre en charge"))
    click(page, page.get_by_role("button", name="Émettre l'accusé de réception"))
    assert "Complet et recevable" in visible_text(page, "h1")
    aside = visible_text(page, "aside")
    assert "6 000,00 €" in aside, aside  # 50 % of 12 000 € TTC, the 6 000 € ceiling
    page.get_by_label("Motivation", exact=True).fill("Projet conforme au volet 2.")
    click(page, page.get_by_role("button", name="Proposer"))
    assert "Proposé pour décision" in visible_text(page, "h1")
    assert "Proposition favorable : 6 000,00 €" in visible_text(page, "aside")

    # The sessions: one next month, one held today.
    click(page, page.get_by_role("link", name="Gérer les séances"))
    upcoming = today + datetime.timedelta(days=21)
    create_session(page, "2026-13", upcoming)
    schedule(page, later)
    assert later.number in agenda(page) and "6 000,00 €" in agenda(page)

    # Issue 13 point 3: no vote before the session's date, with a clear French refusal.
    vote_button = page.get_by_role("button", name="Enregistrer le vote")
    if vote_button.count():
        page.get_by_label(f"Sélectionner {later.number}").check()
        page.get_by_label("Sens du vote").select_option(label="Favorable")
        click(page, vote_button)
    later.refresh_from_db()
    assert later.state == DossierState.ON_AGENDA, (
        f"a vote was recorded on {today:%d/%m/%Y} for a session of {upcoming:%d/%m/%Y} "
        "(issue 13 point 3)"
    )
    assert "à partir du" in visible_text(page), visible_text(page, "main")[:600]

    nav_link(page, "Mon espace")
    click(page, page.get_by_role("link", name="Commission permanente"))
    create_session(page, "2026-12", today)
    schedule(page, dossier)
    row = page.get_by_role("row").filter(has_text=dossier.number)
    assert "6 000,00 €" in text_of(row), text_of(row)

    page.get_by_label(f"Sélectionner {dossier.number}").check()
    page.get_by_label("Sens du vote").select_option(label="Favorable")
    page.get_by_label("N° de délibération").fill("CP 2026-12-045")
    click(page, page.get_by_role("button", name="Enregistrer le vote"))
    assert f"1 dossier(s) traité(s) : {dossier.number}" in visible_text(page)
    row = page.get_by_role("row").filter(has_text=dossier.number)
    assert "favorable" in text_of(row).lower() and "CP 2026-12-045" in text_of(row)

    click(page, row.get_by_role("link", name=dossier.number))
    assert "Aide attribuée" in visible_text(page, "h1")
    pieces = page.locator("section[aria-labelledby=t-pieces]")
    reload_until(page, lambda: "Décision d'attribution" in text_of(pieces))
    award_link = page.locator("section[aria-labelledby=t-pieces]").get_by_role(
        "link", name=re.compile("Décision d'attribution")
    )
    assert award_link.count() == 1, (
        "the arrêté is listed without a download link (issue 13 point 5): "
        + visible_text(page, "section[aria-labelledby=t-pieces]")
    )
    decision = download(page, award_link)
    assert_pdf(decision)
    text = pdf_text(decision[1])
    assert "6 000,00 €" in text and "CP 2026-12-045" in text, text[:1000]
    finish(page)
