"""Journey of a visitor, in Chromium: the home page, each scheme's public page, the simulator
(the « Date de dépôt envisagée » shows a date: issue 13 point 2; the amounts typed the French
way: point 8) and the API documentation (0 axe violations: point 14).

What the visitor checks: each scheme page in French formats (point 11) and, for the
Hauts-de-France schemes whose texts ended, the demo rules flagged (point 12); the simulator's
result for a shop's online-sales project, 40 % of 6 000 € HT = 2 400,00 €. Every page passes
visit_check.
"""

import re

import pytest
from django.utils import timezone

from portal.management.commands.seed_demo import Command as SeedDemo
from schemes.core import SCHEMES
from tests.browser.journey import (
    click,
    findings,
    finish,
    header_text,
    nav_link,
    visible_text,
    visit_check,
    watch_console,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_the_schemes_and_simulates_an_aid(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    base = live_server.url
    watch_console(page)

    page.goto(f"{base}/")
    visit_check(page)
    for code in ("INAC", "INESS", "PDL-IN", "IDF-CN2"):
        nav_link(page, "Dispositifs")
        click(page, page.get_by_role("main").get_by_role("link", name=SCHEMES[code].name).first)
        header = header_text(page)
        if code in ("INAC", "INESS"):
            assert re.search("démonstration", header, re.I), (
                f"{code}: the page's header does not flag the demo rules (issue 13 point 12): "
                f"{header[:300]}"
            )

    nav_link(page, "Simulateur")
    filed_on = page.get_by_label("Date de dépôt envisagée")
    if not filed_on.input_value():
        findings(page).append(
            f"{page.url}: « Date de dépôt envisagée » is empty (issue 13 point 2)"
        )
        filed_on.fill(timezone.localdate().isoformat())
    department = page.get_by_label("Département de l'établissement qui porte le projet")
    department.select_option(
        label=next(
            label
            for label in department.locator("option").all_text_contents()
            if "Nord" in label and "59" in label
        )
    )
    page.get_by_label("Vous êtes").select_option(label="Entreprise")
    page.get_by_label("Forme juridique").fill("SARL")
    page.get_by_label("Code APE/NAF").fill("47.71Z")
    page.get_by_label("Date de création ou d'immatriculation").fill("2015-03-01")
    page.get_by_label("Effectif salarié (équivalent temps plein)").fill("4")
    page.get_by_label("Chiffre d'affaires du dernier exercice clos (€ HT)").fill("380 000")
    page.get_by_label("Inscrite au registre du commerce et des sociétés (RCS)").check()
    line = page.locator("fieldset.expense-line").first
    category = line.get_by_label("Nature de la dépense")
    category.select_option(
        label=next(
            label
            for label in category.locator("option").all_text_contents()
            if label.startswith("Site de vente en ligne")
        )
    )
    line.get_by_label("Montant").fill("6 000")
    click(page, page.get_by_role("button", name="Calculer mon aide"))
    results = visible_text(page, "#resultats")
    assert SCHEMES["INAC"].name in results, results[:800]
    assert "2 400,00 €" in results, results[:800]

    # A cooperative (SCOP) is eligible to both Hauts-de-France schemes: the simulator says they
    # cannot be combined (issue 21 point 6).
    page.get_by_label("Forme juridique").fill("SCOP")
    click(page, page.get_by_role("button", name="Calculer mon aide"))
    results = visible_text(page, "#resultats")
    assert SCHEMES["INESS"].name in results, results[:800]
    assert re.search(r"ne se cumulent pas|non cumulables?|pas cumulables?", results), (
        f"both schemes are offered without saying they cannot be combined (issue 21 point 6): "
        f"{results[:800]}"
    )

    page.goto(f"{base}/api/v1/docs/")
    visit_check(page)
    finish(page)
