"""Every save keeps what the page showed (issue 13, defect 1).

Each test reads the rendered page's own form (tests/applications/pages.py), changes what a user
would change, and posts what a browser (or static/js/autosave.js) would send. The database must
then hold exactly the lines the page showed, and the page drawn again must show them.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.applications.pages import Page, amount

pytestmark = pytest.mark.django_db

NBSP, NNBSP = "\u00a0", "\u202f"
AUTOSAVE = {"HTTP_X_REQUESTED_WITH": "autosave"}

# formset prefix -> (step url name, field that makes a line non-blank)
LINES = {
    "expenses": ("applications:step_project", "category"),
    "holdings": ("applications:step_eligibility", "share"),
    "aids": ("applications:step_funding", "granting_body"),
}
SINGLE_FIELD_STEPS = [
    "applications:step_organisation",
    "applications:step_eligibility",
    "applications:step_project",
    "applications:step_funding",
    "applications:step_bank",
]


def open_page(client, name, dossier) -> Page:
    url = reverse(name, args=[dossier.pk])
    response = client.get(url)
    assert response.status_code == 200
    return Page(response.content.decode(), url=url)


def stored(dossier, prefix: str) -> list[tuple]:
    dossier.refresh_from_db()
    if prefix == "expenses":
        return [(e.category, e.amount, e.description, e.supplier) for e in dossier.expenses.all()]
    if prefix == "holdings":
        return [
            (Decimal(h["share"]) * 100, int(h["headcount"]), Decimal(h["turnover"]))
            for h in dossier.answers.get("holdings", [])
        ]
    # De minimis aids are listed by date: compared as sets of lines (sorted the same way).
    return sorted((a.granting_body, a.granted_on, a.amount) for a in dossier.de_minimis_aids.all())


def shown(page: Page, prefix: str) -> list[tuple]:
    key = LINES[prefix][1]
    lines = page.lines(prefix, key)
    if prefix == "expenses":
        return [
            (ln["category"], amount(ln["amount"]), ln["description"], ln["supplier"])
            for ln in lines
        ]
    if prefix == "holdings":
        return [(amount(ln["share"]), int(ln["headcount"]), amount(ln["turnover"])) for ln in lines]
    return sorted(
        (ln["granting_body"], date.fromisoformat(ln["granted_on"]), amount(ln["amount"]))
        for ln in lines
    )


def save(client, page: Page, button: str = "save"):
    response = client.post(page.url, page.data(button))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def autosave(client, page: Page):
    response = client.post(page.url, page.autosave_data(), **AUTOSAVE)
    assert response.status_code == 200 and response.json()["ok"], response.content[:500]
    page.autosaved(response.json())


def assert_kept(client, dossier, prefix: str, page: Page) -> Page:
    """The database holds exactly the lines `page` showed, and the page drawn again shows them."""
    expected = shown(page, prefix)
    assert stored(dossier, prefix) == expected
    again = open_page(client, LINES[prefix][0], dossier)
    assert shown(again, prefix) == expected
    return again


def fields_shown(page: Page) -> dict:
    return {k: v for k, v in page.fields.items() if k != "csrfmiddlewaretoken"}


@pytest.mark.parametrize("prefix", list(LINES))
@pytest.mark.parametrize("second", ["save", "continue"], ids=["save-twice", "save-then-continue"])
def test_saving_unchanged_lines_twice_keeps_every_line(
    filer_client, filled_dossier, prefix, second
):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    assert len(shown(page, prefix)) == 2
    save(filer_client, page, "save")
    page = assert_kept(filer_client, filled_dossier, prefix, page)
    save(filer_client, page, second)
    assert_kept(filer_client, filled_dossier, prefix, page)
    assert len(stored(filled_dossier, prefix)) == 2


@pytest.mark.parametrize("prefix", list(LINES))
def test_autosave_after_a_change_elsewhere_keeps_every_line(filer_client, filled_dossier, prefix):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    elsewhere = {
        "expenses": ("description", "Une description reprise."),
        "holdings": ("headcount", "26"),
        "aids": ("other_public_funding_detail", "Une aide de la commune."),
    }[prefix]
    page.set(*elsewhere)
    autosave(filer_client, page)
    autosave(filer_client, page)  # the applicant types again: a second autosave
    page = assert_kept(filer_client, filled_dossier, prefix, page)
    assert page.fields[elsewhere[0]] == elsewhere[1]
    save(filer_client, page, "save")
    assert_kept(filer_client, filled_dossier, prefix, page)


@pytest.mark.parametrize("space", [" ", NBSP, NNBSP])
@pytest.mark.parametrize("prefix", list(LINES))
def test_editing_one_line_changes_that_line_only(filer_client, filled_dossier, prefix, space):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    field = {"expenses": "amount", "holdings": "turnover", "aids": "amount"}[prefix]
    page.set(f"{prefix}-1-{field}", f"7{space}500,50")
    save(filer_client, page)
    page = assert_kept(filer_client, filled_dossier, prefix, page)
    assert Decimal("7500.50") in stored(filled_dossier, prefix)[1]
    save(filer_client, page)
    assert_kept(filer_client, filled_dossier, prefix, page)


@pytest.mark.parametrize("prefix", list(LINES))
def test_deleting_one_line_deletes_that_line_only(filer_client, filled_dossier, prefix):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    before = stored(filled_dossier, prefix)
    page.tick(f"{prefix}-0-DELETE")
    save(filer_client, page)
    page = assert_kept(filer_client, filled_dossier, prefix, page)
    assert stored(filled_dossier, prefix) == before[1:]
    save(filer_client, page)
    assert stored(filled_dossier, prefix) == before[1:]


NEW_LINE = {
    "expenses": {"category": "erp", "amount": f"2{NBSP}400", "supplier": "Nouveau prestataire"},
    "holdings": {"share": "40", "headcount": "7", "turnover": f"90{NNBSP}000"},
    "aids": {"granting_body": "Région", "granted_on": "2024-06-01", "amount": "1 000"},
}


@pytest.mark.parametrize("prefix", list(LINES))
def test_adding_one_line_in_the_blank_line_adds_it(filer_client, filled_dossier, prefix):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    assert page.line_count(prefix) == 3  # two stored lines and a blank one
    for name, value in NEW_LINE[prefix].items():
        page.set(f"{prefix}-2-{name}", value)
    save(filer_client, page)
    page = assert_kept(filer_client, filled_dossier, prefix, page)
    assert len(stored(filled_dossier, prefix)) == 3
    save(filer_client, page, "continue")
    assert len(stored(filled_dossier, prefix)) == 3


@pytest.mark.parametrize("prefix", list(LINES))
def test_the_add_a_line_button_keeps_what_was_typed(filer_client, filled_dossier, prefix):
    page = open_page(filer_client, LINES[prefix][0], filled_dossier)
    for name, value in NEW_LINE[prefix].items():
        page.set(f"{prefix}-2-{name}", value)
    response = filer_client.post(page.url, page.data("add_line"))
    assert response.status_code == 200
    page = Page(response.content.decode(), url=page.url)
    assert page.line_count(prefix) == 4  # three lines and a new blank one
    assert len(shown(page, prefix)) == 3
    save(filer_client, page)
    assert_kept(filer_client, filled_dossier, prefix, page)
    assert len(stored(filled_dossier, prefix)) == 3


@pytest.mark.parametrize("name", SINGLE_FIELD_STEPS)
@pytest.mark.parametrize("second", ["save", "continue", "autosave"])
def test_every_step_saved_twice_shows_and_keeps_the_same_answers(
    filer_client, filled_dossier, name, second
):
    page = open_page(filer_client, name, filled_dossier)
    first = fields_shown(page)
    save(filer_client, page)
    page = open_page(filer_client, name, filled_dossier)
    assert fields_shown(page) == first
    if second == "autosave":
        autosave(filer_client, page)
    else:
        save(filer_client, page, second)
    assert fields_shown(open_page(filer_client, name, filled_dossier)) == first


def test_each_expense_line_is_a_group_named_by_its_legend(filer_client, filled_dossier):
    """Screen readers announce « Dépense n° N » for a line: the legend opens its fieldset."""
    import re

    url = reverse("applications:step_project", args=[filled_dossier.pk])
    html = filer_client.get(url).content.decode()
    lines = re.findall(r'<fieldset class="card[^"]*">\s*(<[^>]+>[^<]*)', html)
    assert len(lines) >= 2
    assert all(first.startswith("<legend") and "Dépense n°" in first for first in lines), lines
