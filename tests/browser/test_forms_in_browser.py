"""Forms as a person meets them in Chromium: the error summary takes the focus; the simulator
gives results with its default filing date, JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

from .conftest import CHROMIUM_ARGS, assert_accessible, chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_error_summary_takes_the_focus_and_links_to_the_field(live_server, page, reference_data):
    user = UserFactory()
    page.goto(live_server.url + "/comptes/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD + "x")
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    assert page.title().startswith("Erreur : "), page.title()
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link").first
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(target)).to_be_focused()
    assert_accessible(page)


def test_simulator_gives_results_without_javascript(live_server, _playwright, reference_data):
    browser = _playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    try:
        context = browser.new_context(java_script_enabled=False, locale="fr-FR")
        page = context.new_page()
        page.goto(live_server.url + "/dispositifs/simulateur/")
        date_input = page.get_by_label(re.compile("Date de dépôt envisagée"))
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_input.input_value())
        page.locator("select[name=department]").select_option(index=1)
        page.get_by_role("button", name="Calculer mon aide").click()
        results = page.locator("#resultats")
        expect(results).not_to_contain_text("Renseignez le formulaire")
        expect(results.locator("article").first).to_be_visible()
    finally:
        browser.close()


def test_simulator_choice_between_inac_and_iness_is_accessible(live_server, page, reference_data):
    from portal.management.commands.seed_demo import Command as SeedDemo

    SeedDemo().extend_expired_schemes()
    page.goto(live_server.url + "/dispositifs/simulateur/")
    page.locator("select[name=department]").select_option(label="Somme (80)")
    page.locator("select[name=kind]").select_option("association")
    page.get_by_label("Forme juridique").fill("ASSOCIATION")
    page.get_by_label("Code APE/NAF").fill("88.99B")
    page.get_by_label(re.compile("Effectif salarié")).fill("12")
    page.get_by_label(re.compile("Chiffre d'affaires")).fill("600000")
    page.locator("select[name='expenses-0-category']").select_option("erp")
    page.locator("input[name='expenses-0-amount']").fill("9000")
    with page.expect_navigation():
        page.get_by_role("button", name="Calculer mon aide").click()
    choice = page.get_by_role("region", name="INAC ou INESS : une seule de ces deux aides")
    expect(choice).to_contain_text("ne se cumulent pas")
    expect(choice).to_contain_text("INESS est le volet destiné aux entreprises de l'ESS")
    assert_accessible(page)
