"""Journey of an instructing agent, in Chromium (issue 13, « Tests of a new kind »): a submitted
Pays de la Loire dossier is taken in charge, complements are asked for and answered by the
applicant, the acknowledgement is issued, one expense is retained in part, the aid is proposed
and awarded; each act is opened from the page where it is listed (download link → PDF).

What the agent and the applicant check: the states, the recalculated aid in French format after
the partial retention, the answers shown as the questions the applicant read (issue 13 point 4),
the checklist's buttons saying which criterion they save (point 7), and the acts opening as PDFs
from the review page (point 5) and the applicant's page. Every page passes visit_check.
"""

import datetime
import re

import pytest
from django.utils import timezone

from applications.services import dossier_submit
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.journey import (
    assert_pdf,
    click,
    download,
    finish,
    login,
    logout,
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


def state(page) -> str:
    return visible_text(page, "h1")


def documents_section(page):
    return page.get_by_role("region", name="Pièces")


def test_agent_instructs_with_partial_retention_complements_and_acts(
    live_server, page, reference_data, tmp_path
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    watch_console(page)

    # The agent finds the dossier in the queue.
    login(page, base, agent.email)
    open_from_queue(page, dossier.number)
    assert "Déposé" in state(page)
    review = visible_text(page)
    assert "10 000,00 €" in review  # 50 % of 14 000 + 6 000 € HT, as at submission
    # Issue 13 point 4: the answers read as the applicant read the questions.
    answers = visible_text(page, "section[aria-labelledby=t-demandeur]")
    assert "registered_rcs" not in answers and "headcount" not in answers, (
        f"the review shows the answers as internal keys (issue 13 point 4): {answers[:400]}"
    )
    assert "Inscrite au registre du commerce et des sociétés" in answers, answers[:400]

    click(page, page.get_by_role("button", name="Prendre en charge"))
    assert "En instruction" in state(page)
    # Issue 13 point 7: each checklist button says which criterion it saves.
    criteria = page.get_by_role("region", name="Critères d'éligibilité")
    names = [
        button.evaluate("b => b.innerText + (b.getAttribute('aria-label') || '')")
        for button in criteria.get_by_role("button").all()
    ]
    assert len(set(names)) == len(names), (
        f"{len(names)} checklist buttons, {len(set(names))} distinct accessible names "
        f"(issue 13 point 7): {sorted(set(names))[:5]}"
    )
    # The agent confirms the first criterion with a comment and saves: the page keeps them at
    # the checklist, showing what is recorded.
    opinion = criteria.get_by_role("combobox").first
    opinion.select_option(
        label=next(
            o for o in opinion.locator("option").all_text_contents() if o.startswith("Confirm")
        )
    )
    criteria.get_by_role("textbox").first.fill("Vérifié sur l'extrait Kbis.")
    click(page, criteria.get_by_role("button").first)
    assert page.url.endswith("#t-criteres"), (
        f"after saving the checklist the page jumps back to the top: {page.url} (issue 13 point 7)"
    )
    criteria = page.get_by_role("region", name="Critères d'éligibilité")
    assert "Vérifié sur l'extrait Kbis." in text_of(criteria), text_of(criteria)[:600]

    # Complements: the items, and the date by which the applicant answers.
    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Éléments demandés (un par ligne)").fill(
        "Devis signé du fournisseur de l'ERP\nDernière liasse fiscale"
    )
    page.get_by_label("Réponse attendue avant le").fill(due.isoformat())
    click(page, page.get_by_role("button", name="Envoyer la demande"))
    assert "Compléments demandés" in state(page)
    assert f"avant le {due:%d/%m/%Y}" in visible_text(page)
    logout(page)

    # The applicant reads the request, adds the document, answers.
    login(page, base, applicant.email)
    nav_link(page, "Mes dossiers")
    click(page, page.get_by_role("link", name=dossier.number))
    request = visible_text(page)
    assert "Devis signé du fournisseur de l'ERP" in request
    assert f"avant le {due:%d/%m/%Y}" in request
    click(page, page.get_by_role("link", name="Ajoutez les pièces demandées"))
    quote = tmp_path / "devis-signe.pdf"
    quote.write_bytes(PDF_BYTES)
    page.get_by_label("Pièce concernée").select_option(label="Autre pièce")
    page.get_by_label("Fichiers").and_(page.locator("input[type=file]")).set_input_files(str(quote))
    click(page, page.get_by_role("button", name="Ajouter les fichiers"))
    assert "devis-signe.pdf" in visible_text(page)
    click(page, page.get_by_role("link", name=f"Dossier {dossier.number}"))
    page.get_by_label("Votre réponse").fill("Le devis signé et la liasse sont joints.")
    click(page, page.get_by_role("button", name="Envoyer ma réponse"))
    assert "l'instruction reprend" in visible_text(page)
    logout(page)

    # The agent reads the answer and issues the acknowledgement.
    login(page, base, agent.email)
    open_from_queue(page, dossier.number)
    exchanges = visible_text(page, "section[aria-labelledby=t-echanges]")
    assert "Le devis signé et la liasse sont joints." in exchanges
    # The document the applicant added opens from the list (once the antivirus has passed it).
    pieces = page.locator("section[aria-labelledby=t-pieces]")
    quote_link = pieces.get_by_role("link", name=re.compile("devis-signe.pdf"))
    reload_until(page, lambda: quote_link.count() == 1)
    assert_pdf(download(page, quote_link))
    assert page.get_by_label("Date de l'accusé de réception").input_value() == (
        timezone.localdate().isoformat()
    )
    click(page, page.get_by_role("button", name="Émettre l'accusé de réception"))
    assert "Complet et recevable" in state(page)
    # Issue 13 point 5: the acknowledgement opens from the page where it is listed.
    pieces = page.locator("section[aria-labelledby=t-pieces]")
    reload_until(page, lambda: "Accusé de réception" in text_of(pieces))
    ack_link = pieces.get_by_role("link", name=re.compile("Accusé de réception"))
    assert ack_link.count() == 1, (
        "the acknowledgement is listed without a download link (issue 13 point 5): "
        + visible_text(page, "section[aria-labelledby=t-pieces]")
    )
    acknowledgement = download(page, ack_link)
    assert_pdf(acknowledgement)
    assert dossier.number in pdf_text(acknowledgement[1])

    # One expense retained in part, the amount typed the French way (issue 13 point 8).
    number = [line.category for line in dossier.expenses.order_by("position")].index(
        "connected_equipment"
    ) + 1
    page.get_by_label(f"Retenue de la dépense {number}").select_option(label="Retenue en partie")
    page.get_by_label(f"Montant retenu de la dépense {number}").fill("4 000")
    page.get_by_label(f"Motif pour la dépense {number}").fill(
        "Une machine sur deux est liée au projet."
    )
    click(page, page.get_by_role("button", name=re.compile("^Enregistrer les dépenses retenues")))
    aside = visible_text(page, "aside")
    assert "9 000,00 €" in aside, aside  # 50 % of (14 000 + 4 000) € HT
    assert "sur une dépense retenue de 18 000,00 €" in aside, aside
    expenses = visible_text(page, "section[aria-labelledby=t-depenses]")
    assert re.search(
        r"en partie\W+4 000,00 € \(Une machine sur deux est liée au projet\.\)", expenses, re.I
    ), expenses

    page.get_by_label("Motivation", exact=True).fill("Projet cohérent, dépenses justifiées.")
    click(page, page.get_by_role("button", name="Proposer"))
    assert "Proposé pour décision" in state(page)
    proposal = visible_text(page, "aside")
    # Issue 21 point 5: one format for amounts (the proposal wrote « 9000.00 € »).
    assert "Proposition favorable : 9 000,00 €" in proposal, proposal

    click(page, page.get_by_role("button", name="Attribuer l'aide"))
    assert "Aide attribuée" in state(page)
    reload_until(page, lambda: "Décision d'attribution" in text_of(pieces))
    award_link = page.locator("section[aria-labelledby=t-pieces]").get_by_role(
        "link", name=re.compile("Décision d'attribution")
    )
    assert award_link.count() == 1, (
        "the arrêté is listed without a download link (issue 13 point 5): "
        + visible_text(page, "section[aria-labelledby=t-pieces]")
    )
    decision = download(page, award_link)
    assert_pdf(decision, starts="ARR-")
    text = pdf_text(decision[1])
    assert "9 000,00 €" in text, text[:800]
    # Issue 13 point 12: the arrêté names its signatory, by delegation.
    assert re.search(r"Pour l[ea] Présidente? et par délégation", text), text[-800:]
    logout(page)

    # The applicant opens the award from their dossier.
    login(page, base, applicant.email)
    nav_link(page, "Mes dossiers")
    click(page, page.get_by_role("link", name=dossier.number))
    assert "Aide attribuée" in visible_text(page)
    reload_until(page, lambda: "Décision d'attribution" in visible_text(page, "main"))
    assert_pdf(
        download(page, page.get_by_role("link", name=re.compile("Décision d'attribution"))),
        starts="ARR-",
    )
    assert_pdf(
        download(page, page.get_by_role("link", name=re.compile("Accusé de réception"))),
    )
    finish(page)
