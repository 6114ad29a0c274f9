"""Every save keeps what the page showed (issue 13, defect 1).

Each test reads the rendered page's own form (tests/applications/pages.py), changes what a user
would change, and posts what a browser (or static/js/autosave.js) would send. The database must
then hold exactly the lines the page showed, and the page drawn again must show them.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import DeMinimisAid
from tests.applications.factories import DossierFactory
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


@pytest.fixture
def dossier(open_calls):
    """A PDL-IN draft with something on every step: 2 expenses, 2 holdings, 2 de minimis aids."""
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    dossier.created_by = dossier.organisation.memberships.first().user
    dossier.answers = {
        **dossier.answers,
        "holdings": [
            {"share": "0.3000", "headcount": 12, "turnover": "800000"},
            {"share": "0.2500", "headcount": 3, "turnover": "150000.50"},
        ],
    }
    dossier.save()
    DeMinimisAid.objects.create(
        dossier=dossier, granting_body="BPI", granted_on=date(2025, 3, 1), amount=Decimal("12000")
    )
    DeMinimisAid.objects.create(
        dossier=dossier,
        granting_body="Département",
        granted_on=date(2025, 9, 15),
        amount=Decimal("4500.50"),
    )
    return dossier


@pytest.fixture
def member_client(client, dossier):
    client.force_login(dossier.organisation.memberships.first().user)
    return client


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
def test_saving_unchanged_lines_twice_keeps_every_line(member_client, dossier, prefix, second):
    page = open_page(member_client, LINES[prefix][0], dossier)
    assert len(shown(page, prefix)) == 2
    save(member_client, page, "save")
    page = assert_kept(member_client, dossier, prefix, page)
    save(member_client, page, second)
    assert_kept(member_client, dossier, prefix, page)
    assert len(stored(dossier, prefix)) == 2


@pytest.mark.parametrize("prefix", list(LINES))
def test_autosave_after_a_change_elsewhere_keeps_every_line(member_client, dossier, prefix):
    page = open_page(member_client, LINES[prefix][0], dossier)
    elsewhere = {
        "expenses": ("description", "Une description reprise."),
        "holdings": ("headcount", "26"),
        "aids": ("other_public_funding_detail", "Une aide de la commune."),
    }[prefix]
    page.set(*elsewhere)
    autosave(member_client, page)
    autosave(member_client, page)  # the applicant types again: a second autosave
    page = assert_kept(member_client, dossier, prefix, page)
    assert page.fields[elsewhere[0]] == elsewhere[1]
    save(member_client, page, "save")
    assert_kept(member_client, dossier, prefix, page)


@pytest.mark.parametrize("space", [" ", NBSP, NNBSP])
@pytest.mark.parametrize("prefix", list(LINES))
def test_editing_one_line_changes_that_line_only(member_client, dossier, prefix, space):
    page = open_page(member_client, LINES[prefix][0], dossier)
    field = {"expenses": "amount", "holdings": "turnover", "aids": "amount"}[prefix]
    page.set(f"{prefix}-1-{field}", f"7{space}500,50")
    save(member_client, page)
    page = assert_kept(member_client, dossier, prefix, page)
    assert Decimal("7500.50") in stored(dossier, prefix)[1]
    save(member_client, page)
    assert_kept(member_client, dossier, prefix, page)


@pytest.mark.parametrize("prefix", list(LINES))
def test_deleting_one_line_deletes_that_line_only(member_client, dossier, prefix):
    page = open_page(member_client, LINES[prefix][0], dossier)
    before = stored(dossier, prefix)
    page.tick(f"{prefix}-0-DELETE")
    save(member_client, page)
    page = assert_kept(member_client, dossier, prefix, page)
    assert stored(dossier, prefix) == before[1:]
    save(member_client, page)
    assert stored(dossier, prefix) == before[1:]


NEW_LINE = {
    "expenses": {"category": "erp", "amount": f"2{NBSP}400", "supplier": "Nouveau prestataire"},
    "holdings": {"share": "40", "headcount": "7", "turnover": f"90{NNBSP}000"},
    "aids": {"granting_body": "Région", "granted_on": "2024-06-01", "amount": "1 000"},
}


@pytest.mark.parametrize("prefix", list(LINES))
def test_adding_one_line_in_the_blank_line_adds_it(member_client, dossier, prefix):
    page = open_page(member_client, LINES[prefix][0], dossier)
    assert page.line_count(prefix) == 3  # two stored lines and a blank one
    for name, value in NEW_LINE[prefix].items():
        page.set(f"{prefix}-2-{name}", value)
    save(member_client, page)
    page = assert_kept(member_client, dossier, prefix, page)
    assert len(stored(dossier, prefix)) == 3
    save(member_client, page, "continue")
    assert len(stored(dossier, prefix)) == 3


@pytest.mark.parametrize("prefix", list(LINES))
def test_the_add_a_line_button_keeps_what_was_typed(member_client, dossier, prefix):
    page = open_page(member_client, LINES[prefix][0], dossier)
    for name, value in NEW_LINE[prefix].items():
        page.set(f"{prefix}-2-{name}", value)
    response = member_client.post(page.url, page.data("add_line"))
    assert response.status_code == 200
    page = Page(response.content.decode(), url=page.url)
    assert page.line_count(prefix) == 4  # three lines and a new blank one
    assert len(shown(page, prefix)) == 3
    save(member_client, page)
    assert_kept(member_client, dossier, prefix, page)
    assert len(stored(dossier, prefix)) == 3


@pytest.mark.parametrize("name", SINGLE_FIELD_STEPS)
@pytest.mark.parametrize("second", ["save", "continue", "autosave"])
def test_every_step_saved_twice_shows_and_keeps_the_same_answers(
    member_client, dossier, name, second
):
    page = open_page(member_client, name, dossier)
    first = fields_shown(page)
    save(member_client, page)
    page = open_page(member_client, name, dossier)
    assert fields_shown(page) == first
    if second == "autosave":
        autosave(member_client, page)
    else:
        save(member_client, page, second)
    assert fields_shown(open_page(member_client, name, dossier)) == first
