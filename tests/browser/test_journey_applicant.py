"""Journey of an applicant, in Chromium, for each of the four schemes (issue 13, « Tests of a new
kind »): log in, create the organisation from its SIRET, file a dossier from scratch, go back to
every step once and save it again, then submit and open the receipt.

What the person checks: after going back and saving, every expense line they typed is still
there (issue 13 point 1), the estimated aid is the French amount the scheme's text gives
(computed independently by the rules core on the same inputs: tests/schemes/cases), the dossier
says « Déposé » and the receipt opens as a PDF. Every page passes axe, reflows at 320 px and
shows no Python value (tests/browser/journey.py).
"""

import re
from dataclasses import dataclass, field

import pytest

from applications.models import Dossier
from portal.management.commands.seed_demo import Command as SeedDemo
from schemes.core import SCHEMES
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.journey import (
    assert_reached,
    click,
    findings,
    finish,
    form_errors,
    french,
    login,
    nav_link,
    press_enter,
    visible_text,
    visit_check,
    watch_console,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "FR76 3000 6000 0112 3456 7890 189"
BIC = "AGRIFRPPXXX"


@dataclass
class Line:
    category: str  # the label of the category, as the person reads it in the list
    amount: str  # as the person types it
    shown: str  # the amount as the summary shows it
    supplier: str
    mode: str = ""
    months: str = ""
    device: str = ""


@dataclass
class Filing:
    siret: str
    organisation: str
    eligibility: dict = field(default_factory=dict)  # label -> text, or True to tick
    lines: list = field(default_factory=list)
    basis: str = ""  # label of the expense basis radio, when the scheme asks
    headcount: str = ""  # typed once, on the organisation; the eligibility step reuses it
    report: bool = False
    award: str = ""
    base: str = ""


# The amounts are those of the rules core for the same inputs (see the golden cases in
# tests/schemes/cases: inac-basic, pdl-faq10-project-20k, idf-tier-13500), checked by hand.
FILINGS = {
    "INAC": Filing(
        siret="81234567600017",
        headcount="4",
        organisation="BOUTIQUE LUMIÈRE DU NORD",
        # Amounts typed the French way (issue 13 point 8): with a space, a comma.
        eligibility={
            "Chiffre d'affaires HT du dernier exercice clos (€)": "380 000",
            "Inscrite au registre du commerce et des sociétés (RCS)": True,
            "certifié par un tiers de confiance": True,
        },
        lines=[
            Line("Site de vente en ligne", "6 000", "6 000,00 €", "Agence Web du Nord"),
            Line(
                "Matériel informatique",
                "1200",
                "1 200,00 €",
                "Informatique Lilloise",
                device="Ordinateur",
            ),
            Line(
                "Gestion de la relation client",
                "2 400,00",
                "2 400,00 €",
                "Logiciels Clients",
                mode="Abonnement",
                months="24",
            ),
        ],
        award="3 200,00 €",
        base="8 000,00 €",
    ),
    "INESS": Filing(
        siret="82345678500018",
        headcount="12",
        organisation="ATELIER SOLIDAIRE DE PICARDIE",
        eligibility={
            "Chiffre d'affaires HT du dernier exercice clos (€)": "600000",
            "Part de vos ressources issue d'une activité économique (%)": "60",
        },
        lines=[
            Line("Progiciel de gestion intégrée", "9000", "9 000,00 €", "Gestion Solidaire"),
            Line("Logiciels collaboratifs", "2500", "2 500,00 €", "Coop Numérique"),
        ],
        award="4 600,00 €",
        base="11 500,00 €",
    ),
    "PDL-IN": Filing(
        siret="83456789300021",
        headcount="25",
        organisation="MENUISERIE LIGÉRIENNE",
        eligibility={
            "Chiffre d'affaires HT du dernier exercice clos (€)": "3200000",
            "Inscrite au registre du commerce et des sociétés (RCS)": True,
        },
        lines=[
            Line("Progiciel de gestion intégrée", "14000", "14 000,00 €", "ERP Atlantique"),
            Line("Matériel numérique ou connecté", "6000", "6 000,00 €", "Machines de l'Ouest"),
        ],
        report=True,
        award="10 000,00 €",
        base="20 000,00 €",
    ),
    "IDF-CN2": Filing(
        siret="21750001600019",
        organisation="COMMUNE DE VILLEBOIS-SUR-MARNE",
        lines=[
            Line(
                "Solution de visibilité et de vente en ligne des commerces",
                "9600",
                "9 600,00 €",
                "Ma ville mon shopping",
            ),
            Line("Formation liée à l'acquisition", "2400", "2 400,00 €", "CCI Paris-IDF"),
        ],
        basis="Dépenses de fonctionnement, montants TTC",
        award="6 000,00 €",
        base="12 000,00 €",
    ),
}
REPORT = {
    "Contexte de l'entreprise": "Menuiserie de 25 salariés, commandes gérées sur papier.",
    "Le projet": "Un progiciel de gestion intégré relié aux machines de l'atelier.",
    "Valeur ajoutée attendue": "Délais de devis divisés par deux.",
    "Risques et mesures pour les maîtriser": "Reprise des données accompagnée.",
    "Choix du prestataire": "Trois devis comparés.",
    "Autres informations": "Formation de quatre salariés prévue.",
}


def stepper(page, title: str) -> None:
    """Goes to a step of the filing from the step list, as the person does to go back."""
    steps = page.get_by_role("navigation", name="Étapes du dépôt")
    click(page, steps.get_by_role("link", name=re.compile(re.escape(title))))


def save(page, name: str = "Enregistrer") -> None:
    click(page, page.get_by_role("button", name=name, exact=True))


def saved_message(page, when: str = "") -> None:
    """The page confirms the save; otherwise, says which field refused what."""
    assert "Vos réponses sont enregistrées" in visible_text(page), (
        f"{when or page.url}: saving the page unchanged is refused: {form_errors(page)}"
    )


def option_label(select, start: str) -> str:
    """The full label of the option that starts with the words the person looks for."""
    labels = [french(t) for t in select.locator("option").all_text_contents()]
    matches = [label for label in labels if label.startswith(start)]
    assert matches, f"no option «{start}» in {labels}"
    return matches[0]


def expense_group(page, number: int):
    """The card of one expense line, found by its title « Dépense n° N » as a person does.

    (Not by role: the legend sits inside the card's body, not first in its fieldset, so the
    group has no accessible name today.)
    """
    legend = page.locator("legend").filter(has_text=re.compile(rf"^\s*Dépense n° {number}\s*$"))
    return page.locator("fieldset").filter(has=legend).last


def fill_line(page, number: int, line: Line) -> None:
    group = expense_group(page, number)
    category = group.get_by_label("Nature de la dépense")
    category.select_option(label=option_label(category, line.category))
    group.get_by_label("Montant").fill(line.amount)
    group.get_by_label("Fournisseur").fill(line.supplier)
    if line.mode:
        group.get_by_label("Mode").select_option(label=line.mode)
    if line.months:
        group.get_by_label(re.compile("Durée de l'abonnement")).fill(line.months)
    if line.device:
        group.get_by_label("Appareil").select_option(label=line.device)


def lines_shown(page) -> list[tuple[str, str]]:
    """The expense lines the project page shows: (category label, amount as written)."""
    shown = []
    for number in range(1, 60):
        group = expense_group(page, number)
        if not group.count():
            break
        category = group.get_by_label("Nature de la dépense")
        value = category.input_value()
        if value:
            label = french(category.locator(f"option[value='{value}']").text_content())
            amount = group.get_by_label("Montant").input_value()
            shown.append((label, amount))
    return shown


def same_amount(typed: str, shown: str) -> bool:
    """The amount the person typed, whichever way the page writes it back."""

    def number(text: str) -> str:
        text = french(text).replace(" ", "").replace(",", ".")
        return text.rstrip("0").rstrip(".") if "." in text else text

    return number(typed) == number(shown)


def assert_lines(page, filing: Filing, when: str) -> None:
    shown = lines_shown(page)
    assert len(shown) == len(filing.lines), (
        f"{when}: the page shows {len(shown)} expense line(s) instead of "
        f"{len(filing.lines)}: {shown} (issue 13 point 1: a save drops lines)"
    )
    for (label, amount), line in zip(shown, filing.lines, strict=True):
        assert label.startswith(line.category), (when, label, line.category)
        assert same_amount(line.amount, amount), (when, amount, line.amount)


def estimate(page) -> str:
    return visible_text(page, "aside")


def assert_estimate(page, filing: Filing, when: str) -> None:
    shown = estimate(page)
    assert filing.award in shown and filing.base in shown, (
        f"{when}: the estimate reads «{shown}» instead of {filing.award} on {filing.base}"
        + (" (issue 13 point 1: the save dropped the lines)" if "dès que" in shown else "")
    )


def create_organisation(page, base: str, filing: Filing) -> None:
    click(page, page.get_by_role("link", name="Ajouter une organisation").first)
    lookup = page.get_by_role("region", name="Rechercher dans le répertoire des entreprises")
    siret = lookup.get_by_role("textbox", name=re.compile("SIRET"))
    siret.fill(filing.siret)
    press_enter(page, siret)  # the lookup form, submitted with the keyboard
    assert page.get_by_label("Raison sociale ou nom").input_value() == filing.organisation
    # Issue 13 point 2 (every date input): the creation date found is shown, not left empty.
    assert page.get_by_label("Date de création").input_value(), "the creation date is empty"
    if filing.headcount:
        page.get_by_label("Effectif salarié (ETP)").fill(filing.headcount)
    click(page, page.get_by_role("button", name="Enregistrer", exact=True))
    assert filing.organisation in visible_text(page)


def fill_eligibility(page, filing: Filing) -> None:
    for label, value in filing.eligibility.items():
        control = page.get_by_label(re.compile(re.escape(label)))
        if value is True:
            control.check()
        else:
            control.fill(value)


def fill_project(page, code: str, filing: Filing) -> None:
    page.get_by_label("Intitulé du projet").fill(f"Transition numérique ({code})")
    page.get_by_label("Description du projet").fill(
        "Outils numériques pour vendre et gérer l'activité, installés en six mois."
    )
    if filing.basis:
        page.get_by_label(filing.basis).check()
    if filing.report:
        for section, text in REPORT.items():
            page.get_by_label(f"Rapport de réflexion — {section}").fill(text)
    for number, line in enumerate(filing.lines, start=1):
        if number > 1:
            # « Ajouter une dépense » keeps what is typed and shows one more empty line.
            click(page, page.get_by_role("button", name="Ajouter une dépense"))
        fill_line(page, number, line)


def upload_documents(page, tmp_path) -> int:
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(PDF_BYTES)
    select = page.get_by_label("Pièce concernée")
    codes = [c for c in select.locator("option").evaluate_all("os => os.map(o => o.value)")]
    codes = [c for c in codes if c and c != "other"]
    for code in codes:
        page.get_by_label("Pièce concernée").select_option(code)
        page.get_by_label("Fichiers").and_(page.locator("input[type=file]")).set_input_files(
            str(pdf)
        )
        click(page, page.get_by_role("button", name="Ajouter les fichiers"))
    assert "À fournir" not in visible_text(page)
    return len(codes)


@pytest.mark.parametrize("code", list(FILINGS))
def test_applicant_files_from_scratch_goes_back_and_submits(
    code, live_server, page, reference_data, tmp_path
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    filing = FILINGS[code]
    applicant = UserFactory(email=f"demandeur-{code.lower()}@exemple.fr")
    watch_console(page)

    page.goto(f"{base}/")
    visit_check(page)
    login(page, base, applicant.email)
    create_organisation(page, base, filing)

    nav_link(page, "Mon espace")
    click(page, page.get_by_role("link", name="Déposer une demande"))
    page.get_by_label(re.compile(re.escape(SCHEMES[code].name))).check()
    click(page, page.get_by_role("button", name="Créer le dossier"))
    assert re.search(r"/dossiers/\d+/organisation/$", page.url), page.url
    dossier_url = page.url.removesuffix("organisation/")

    # 1. Organisation: already filled in from the lookup.
    save(page, "Enregistrer et continuer")
    # 2. Eligibility
    if filing.eligibility:
        # Issue 21 point 3: what the portal knows is pre-filled (and editable), not asked twice.
        # Not pre-filled, the person types it again (recorded, the journey goes on).
        headcount = page.get_by_label("Effectif salarié (équivalent temps plein)")
        if headcount.input_value() != filing.headcount:
            findings(page).append(
                f"{page.url}: the eligibility step asks again for the headcount typed on the "
                f"organisation ({filing.headcount}), showing «{headcount.input_value()}» "
                "(issue 21 point 3)"
            )
            headcount.fill(filing.headcount)
        fill_eligibility(page, filing)
        save(page, "Enregistrer et continuer")
    else:
        click(page, page.get_by_role("link", name="Continuer"))
    # 3. Project and expenses: save once, the lines stay; then continue.
    assert_reached(page, "/projet/", "eligibility, « Enregistrer et continuer »")
    fill_project(page, code, filing)
    save(page)
    saved_message(page)
    assert_lines(page, filing, "after « Enregistrer »")
    save(page, "Enregistrer et continuer")
    assert_reached(page, "/financements/", "project, « Enregistrer et continuer »")
    assert_estimate(page, filing, "after « Enregistrer » then « Enregistrer et continuer »")
    # 4. Public aids: none.
    save(page, "Enregistrer et continuer")
    # 5. Documents
    documents = upload_documents(page, tmp_path)
    click(page, page.get_by_role("link", name="Continuer vers les coordonnées bancaires"))
    # 6. Bank details
    page.get_by_label("IBAN").fill(IBAN)
    page.get_by_label("BIC").fill(BIC)
    save(page, "Enregistrer et continuer")
    assert_reached(page, "/recapitulatif/", "bank details, « Enregistrer et continuer »")

    # Back to every step once, saving each again (what people do before they submit).
    stepper(page, "Organisation")
    save(page)
    saved_message(page)
    stepper(page, "Critères d'éligibilité")
    if filing.eligibility:
        save(page)
        saved_message(page)
    stepper(page, "Projet et dépenses")
    assert_lines(page, filing, "back on the project step")
    save(page)
    saved_message(page)
    assert_lines(page, filing, "after saving the project step again")
    # Edit only the description, then « Enregistrer et continuer »: the lines stay.
    page.get_by_label("Description du projet").fill(
        "Outils numériques pour vendre et gérer l'activité, installés en quatre mois."
    )
    save(page, "Enregistrer et continuer")
    stepper(page, "Projet et dépenses")
    assert_lines(page, filing, "after editing the description and continuing")
    stepper(page, "Aides publiques")
    save(page)
    saved_message(page)
    stepper(page, "Pièces justificatives")
    assert visible_text(page).count("piece.pdf") >= documents
    stepper(page, "Coordonnées bancaires")
    save(page)
    saved_message(page)
    stepper(page, "Récapitulatif et dépôt")

    # The summary lists every line with its amount, and the estimate the text gives.
    summary = visible_text(page)
    assert "Avant de déposer" not in summary, summary[:800]
    rows = page.get_by_role("table").first.locator("tbody tr")
    assert rows.count() == len(filing.lines), rows.all_inner_texts()
    for row, line in zip(rows.all_inner_texts(), filing.lines, strict=True):
        assert line.category in french(row) and line.shown in french(row), (row, line)
    assert_estimate(page, filing, "on the summary")
    dossier = Dossier.objects.get(pk=int(dossier_url.rstrip("/").rsplit("/", 1)[1]))
    assert dossier.expenses.count() == len(filing.lines)

    # With the keyboard: tick the sworn statement with Space, Tab to the button, Enter.
    sworn = page.get_by_label(re.compile("Je certifie sur l'honneur"))
    sworn.focus()
    page.keyboard.press("Space")
    assert sworn.is_checked()
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Déposer mon dossier")
    assert submit.evaluate("b => b === document.activeElement"), (
        "Tab from the sworn statement does not reach « Déposer mon dossier »"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit_check(page)
    assert page.url == dossier_url, page.url
    assert "État : Déposé" in visible_text(page)
    assert_estimate(page, filing, "on the submitted dossier")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Récépissé de dépôt", re.I)).click()
    receipt = info.value
    assert receipt.suggested_filename.startswith(f"recepisse-{code}-")
    with open(receipt.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    nav_link(page, "Mes dossiers")
    assert dossier.number in visible_text(page)
    # Issue 21 point 2: a new request for the same pair shows the dossier in progress.
    nav_link(page, "Mon espace")
    click(page, page.get_by_role("link", name="Déposer une demande"))
    offer = visible_text(page, "main")
    assert "dossier en cours" in offer.lower(), offer[:600]
    click(page, page.get_by_role("main").get_by_role("link", name=re.compile(dossier.number)))
    assert page.url == dossier_url, page.url
    finish(page)


def test_one_invalid_line_keeps_the_rest_of_the_page(live_server, page, reference_data):
    """Issue 21 point 1: a negative amount on one line does not lose the description typed on
    the same page; the faulty line is marked, the other lines stay."""
    SeedDemo().extend_expired_schemes()
    base = live_server.url
    dossier = DossierFactory(scheme_code="INESS", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier.created_by = applicant  # as when the applicant created it from the page
    dossier.save(update_fields=["created_by"])
    watch_console(page)

    login(page, base, applicant.email)
    nav_link(page, "Mes dossiers")
    click(page, page.get_by_role("link", name=dossier.number))
    click(page, page.get_by_role("link", name="Continuer le dépôt"))
    stepper(page, "Projet et dépenses")
    description = "Un progiciel de gestion pour l'atelier, et un outil collaboratif."
    page.get_by_label("Description du projet").fill(description)
    expense_group(page, 2).get_by_label("Montant").fill("-50")
    save(page)
    errors = " ".join(form_errors(page))
    assert "supérieur à zéro" in errors, errors
    assert page.get_by_label("Description du projet").input_value() == description
    # Issue 13 point 13: the title says « Erreur : », the focus is on a summary that links to
    # the faulty field.
    assert page.title().startswith("Erreur :"), page.title()
    focused = french(page.evaluate("document.activeElement.innerText || ''"))
    assert "supérieur à zéro" in focused, f"the focus is not on the error summary: «{focused}»"
    amount_id = expense_group(page, 2).get_by_label("Montant").get_attribute("id")
    assert page.locator(f"[role=alert] a[href='#{amount_id}']").count() == 1, (
        "the error summary does not link to the faulty amount"
    )

    # The person leaves the page and comes back: the description typed is kept.
    stepper(page, "Aides publiques")
    stepper(page, "Projet et dépenses")
    assert page.get_by_label("Description du projet").input_value() == description, (
        "the description typed next to the faulty line is lost (issue 21 point 1)"
    )
    shown = lines_shown(page)
    assert len(shown) == 2 and same_amount("9000", shown[0][1]), shown
    finish(page)
