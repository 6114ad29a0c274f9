"""The review page's forms with repeated lines (checklist, retained expenses): one save keeps every
line, saving again what the page shows changes nothing, and the database always holds what the page
showed (issue 13, defect 7 and « every save keeps what the page showed »)."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from applications.models import Dossier
from common.numbers import parse_french_decimal
from instruction import services
from instruction.models import CriterionCheck, ExpenseRetention

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """What a browser would submit from the form with id `form_id`, and its submit buttons."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.select, self.button = form_id, False, None, None
        self.action, self.fields, self.buttons, self.labels = "", {}, [], {}
        self.label_for, self.text = None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.action = True, a["action"]
        if not self.inside:
            return
        if tag == "input" and a.get("type") not in ("submit", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.fields.setdefault(self.select, None)
        elif tag == "option" and self.select:
            if self.fields[self.select] is None or "selected" in a:
                self.fields[self.select] = a.get("value", "")
        elif tag == "button":
            self.button = []
        elif tag == "label":
            self.label_for, self.text = a.get("for"), []

    def handle_data(self, data):
        if self.button is not None:
            self.button.append(data)
        if self.label_for:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "button" and self.button is not None:
            self.buttons.append(" ".join("".join(self.button).split()))
            self.button = None
        elif tag == "label" and self.label_for:
            self.labels[self.label_for] = " ".join("".join(self.text).split())
            self.label_for = None


def read_form(client, dossier, form_id) -> FormReader:
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    reader = FormReader(form_id)
    reader.feed(page)
    assert reader.action, f"no form {form_id} on the page"
    return reader


@pytest.fixture
def taken(client, submitted, agent_of):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    client.force_login(agent)
    client.get(reverse("instruction:dossier", args=[dossier.pk]))  # stores the checklist
    return dossier


def stored_checks(dossier) -> dict:
    return {c.pk: (c.status, c.comment) for c in CriterionCheck.objects.filter(dossier=dossier)}


def shown_checks(form: FormReader) -> dict:
    return {
        int(name.split("-")[1]): (
            form.fields[name],
            form.fields[name[: -len("status")] + "comment"],
        )
        for name in form.fields
        if name.startswith("check-") and name.endswith("-status")
    }


def test_the_checklist_is_one_form_whose_one_save_keeps_every_criterion(client, taken):
    form = read_form(client, taken, "checks-form")
    checks = list(CriterionCheck.objects.filter(dossier=taken).order_by("pk"))
    assert len(checks) >= 3
    assert shown_checks(form) == stored_checks(taken)  # all « À vérifier »
    assert form.buttons == [f"Enregistrer les avis sur les {len(checks)} critères"]
    for check in checks:
        label = " ".join(f"Avis sur « {check.label} »".split())
        assert form.labels[f"id_check-{check.pk}-status"] == label

    # Change two criteria in one save.
    first, second = checks[0], checks[1]
    data = dict(form.fields)
    data[f"check-{first.pk}-status"] = "confirmed"
    data[f"check-{second.pk}-status"] = "overridden"
    data[f"check-{second.pk}-comment"] = "Le Kbis montre 12 salariés."
    response = client.post(form.action, data)
    assert response.status_code == 302 and response.url.endswith("#t-criteres")
    expected = {c.pk: ("pending", "") for c in checks}
    expected[first.pk] = ("confirmed", "")
    expected[second.pk] = ("overridden", "Le Kbis montre 12 salariés.")
    assert stored_checks(taken) == expected

    # Save what the page shows, twice: nothing changes, and nothing is lost.
    for _ in range(2):
        form = read_form(client, taken, "checks-form")
        assert shown_checks(form) == expected
        version = Dossier.objects.get(pk=taken.pk).lock_version
        response = client.post(form.action, form.fields, follow=True)
        assert "Aucun changement" in response.content.decode()
        assert stored_checks(taken) == expected
        assert Dossier.objects.get(pk=taken.pk).lock_version == version


def test_a_refused_checklist_changes_nothing_and_keeps_what_was_typed(client, taken):
    form = read_form(client, taken, "checks-form")
    checks = list(CriterionCheck.objects.filter(dossier=taken).order_by("pk"))
    before = stored_checks(taken)
    data = dict(form.fields)
    data[f"check-{checks[0].pk}-status"] = "confirmed"
    data[f"check-{checks[0].pk}-comment"] = "Vu l'attestation URSSAF."
    data[f"check-{checks[1].pk}-status"] = "overridden"  # no comment: refused
    response = client.post(form.action, data)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert "expliquez pourquoi vous corrigez" in page
    assert 'value="Vu l\'attestation URSSAF."' in page
    assert stored_checks(taken) == before


def stored_retentions(dossier) -> dict:
    return {
        r.line_id: (r.status, r.amount, r.reason)
        for r in ExpenseRetention.objects.filter(line__dossier=dossier)
    }


def shown_retentions(form: FormReader) -> dict:
    """The retentions the page shows: lines whose status is not « selon le moteur »."""
    shown = {}
    for name, status in form.fields.items():
        if name.startswith("line-") and name.endswith("-status") and status:
            prefix = name[: -len("status")]
            amount = "".join(form.fields[prefix + "amount"].split()).replace(",", ".")
            shown[int(name.split("-")[1])] = (status, amount, form.fields[prefix + "reason"])
    return shown


def assert_page_equals_database(client, dossier):
    form = read_form(client, dossier, "retentions-form")
    lines = {line.pk: line for line in dossier.expenses.all()}
    shown = shown_retentions(form)
    stored = stored_retentions(dossier)
    assert set(shown) == set(stored)
    for line_id, (status, amount, reason) in shown.items():
        kept = parse_french_decimal(amount) if status == "partial" else None
        stored_status, stored_amount, stored_reason = stored[line_id]
        assert (status, reason) == (stored_status, stored_reason)
        if kept is not None:
            assert stored_amount == kept
        else:
            assert stored_amount == (lines[line_id].amount if status == "full" else 0)
    return form


def post_page(client, form, **changes):
    data = {**form.fields, **changes}
    response = client.post(form.action, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.endswith("#t-depenses")


def test_retentions_one_form_save_twice_edit_delete_add(client, taken):
    lines = list(taken.expenses.order_by("position", "pk"))
    assert len(lines) >= 2
    first, second = lines[0], lines[1]
    form = read_form(client, taken, "retentions-form")
    assert len(form.buttons) == 1 and form.buttons[0].startswith(
        "Enregistrer les dépenses retenues"
    )
    assert form.labels[f"ret-{first.pk}-status"].startswith("Retenue de la dépense 1")

    # Unchanged, twice: nothing is created (the engine's figures stay in force).
    for _ in range(2):
        post_page(client, form)
        form = assert_page_equals_database(client, taken)
    assert stored_retentions(taken) == {}

    # Add one: the first line retained in part.
    post_page(
        client,
        form,
        **{
            f"line-{first.pk}-status": "partial",
            f"line-{first.pk}-amount": "1000,50",
            f"line-{first.pk}-reason": "Devis trop élevé",
        },
    )
    form = assert_page_equals_database(client, taken)
    assert stored_retentions(taken) == {
        first.pk: ("partial", Decimal("1000.50"), "Devis trop élevé")
    }

    # Save the page as shown, twice: the partial amount and reason survive.
    for _ in range(2):
        post_page(client, form)
        form = assert_page_equals_database(client, taken)
    assert stored_retentions(taken)[first.pk] == ("partial", Decimal("1000.50"), "Devis trop élevé")

    # Add another and edit the first in the same save.
    post_page(
        client,
        form,
        **{
            f"line-{second.pk}-status": "none",
            f"line-{second.pk}-reason": "Hors projet",
            f"line-{first.pk}-amount": "900",
        },
    )
    form = assert_page_equals_database(client, taken)
    assert stored_retentions(taken) == {
        first.pk: ("partial", Decimal("900.00"), "Devis trop élevé"),
        second.pk: ("none", Decimal("0.00"), "Hors projet"),
    }

    # Delete one: back to the engine's figure for the first line.
    post_page(client, form, **{f"line-{first.pk}-status": ""})
    assert_page_equals_database(client, taken)
    assert stored_retentions(taken) == {second.pk: ("none", Decimal("0.00"), "Hors projet")}


def test_a_refused_line_changes_nothing_and_keeps_every_typed_line(client, taken):
    first, second = list(taken.expenses.order_by("position", "pk"))[:2]
    form = read_form(client, taken, "retentions-form")
    data = {
        **form.fields,
        f"line-{first.pk}-status": "none",
        f"line-{first.pk}-reason": "Hors projet",
        f"line-{second.pk}-status": "partial",
        f"line-{second.pk}-amount": "999999999",  # more than presented: refused
        f"line-{second.pk}-reason": "Trop cher",
    }
    response = client.post(form.action, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dépense 2 : Une dépense retenue en partie" in page
    assert 'value="Hors projet"' in page and 'value="Trop cher"' in page
    assert stored_retentions(taken) == {}
