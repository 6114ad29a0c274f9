"""A stateful property test of the filing (issue 13): whatever a person does on the steps with
repeated lines (save, save and continue, go back, autosave, add, edit, delete lines, in any
order), what is stored always equals what the page last showed when it was saved.

Each action goes through the pages (the Django test client posting what the rendered page holds,
tests/applications/pages.py), never through the services.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from applications.models import DeMinimisAid
from common.numbers import format_french_decimal
from tests.applications.factories import DossierFactory
from tests.applications.pages import Page
from tests.applications.test_lines_kept import LINES, shown, stored

pytestmark = pytest.mark.django_db

# The steps a person moves through with « Enregistrer et continuer » and the stepper links.
STEPS = [
    "applications:step_organisation",
    "applications:step_eligibility",
    "applications:step_project",
    "applications:step_funding",
]
PREFIX_OF = {name: prefix for prefix, (name, _) in LINES.items()}
SPACES = st.sampled_from([" ", "\u00a0", "\u202f", ""])


def french(value: Decimal, space: str) -> str:
    return format_french_decimal(value, grouping=space)


amounts = st.decimals(min_value=Decimal("1"), max_value=Decimal("99999.99"), places=2)
shares = st.decimals(min_value=Decimal("1"), max_value=Decimal("100"), places=2)
words = st.text(alphabet="abcdéèçà ", min_size=1, max_size=20).map(str.strip).filter(bool)


class Filing(RuleBasedStateMachine):
    """The applicant's browser: one page at a time, the lines it shows, what was last saved."""

    @initialize()
    def open_a_draft(self):
        dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
        user = dossier.organisation.memberships.first().user
        dossier.created_by = user
        dossier.answers = {
            **dossier.answers,
            "holdings": [{"share": "0.3000", "headcount": 12, "turnover": "800000"}],
        }
        dossier.save()
        DeMinimisAid.objects.create(
            dossier=dossier, granting_body="BPI", granted_on=date(2025, 3, 1), amount=Decimal("1")
        )
        self.dossier = dossier
        self.client = Client()
        self.client.force_login(user)
        self.saved = {prefix: stored(dossier, prefix) for prefix in LINES}
        self.open("applications:step_project")

    # Helpers ------------------------------------------------------------------------------
    def open(self, name: str) -> None:
        url = reverse(name, args=[self.dossier.pk])
        response = self.client.get(url)
        assert response.status_code == 200
        self.name = name
        self.page = Page(response.content.decode(), url=url)
        # What a page shows when it is opened is what is stored.
        if self.prefix:
            assert shown(self.page, self.prefix) == stored(self.dossier, self.prefix)

    @property
    def prefix(self) -> str | None:
        return PREFIX_OF.get(self.name)

    def line_indexes(self) -> list[int]:
        """Indexes of the lines the page shows (not deleted, not the blank one)."""
        prefix, key = self.prefix, LINES[self.prefix][1]
        return [
            i
            for i in range(self.page.line_count(prefix))
            if f"{prefix}-{i}-DELETE" not in self.page.fields
            and self.page.fields.get(f"{prefix}-{i}-{key}", "").strip()
        ]

    def blank_index(self) -> int | None:
        prefix, key = self.prefix, LINES[self.prefix][1]
        for i in range(self.page.line_count(prefix)):
            if not self.page.fields.get(f"{prefix}-{i}-{key}", "").strip():
                return i
        return None

    def remember_saved(self) -> None:
        if self.prefix:
            self.saved[self.prefix] = shown(self.page, self.prefix)

    # Saving -------------------------------------------------------------------------------
    @rule()
    def save(self):
        response = self.client.post(self.page.url, self.page.data("save"))
        assert response.status_code == 302
        self.remember_saved()
        self.open(self.name)

    @rule()
    def save_and_continue(self):
        response = self.client.post(self.page.url, self.page.data("continue"))
        assert response.status_code == 302
        self.remember_saved()
        index = STEPS.index(self.name)
        # From the last of these steps the next page (the documents) has no lines: come back.
        self.open(STEPS[index + 1] if index + 1 < len(STEPS) else self.name)

    @rule()
    def autosave(self):
        response = self.client.post(
            self.page.url, self.page.autosave_data(), HTTP_X_REQUESTED_WITH="autosave"
        )
        assert response.status_code == 200 and response.json()["ok"]
        self.page.autosaved(response.json())  # as the script does: new lines get their id
        self.remember_saved()  # the page stays as it is, with what the person typed

    @rule(step=st.sampled_from(STEPS))
    def go_to_a_step(self, step):
        """The stepper link (or the browser's back button) after the autosave has run."""
        self.autosave()
        self.open(step)

    # Editing lines ------------------------------------------------------------------------
    @precondition(lambda self: self.prefix is not None)
    @rule(data=st.data())
    def edit_a_line(self, data):
        indexes = self.line_indexes()
        if not indexes:
            return
        i = data.draw(st.sampled_from(indexes))
        prefix, space = self.prefix, data.draw(SPACES)
        if prefix == "expenses":
            self.page.set(f"expenses-{i}-amount", french(data.draw(amounts), space))
            self.page.set(f"expenses-{i}-description", data.draw(words))
        elif prefix == "holdings":
            self.page.set(f"holdings-{i}-share", french(data.draw(shares), space))
            self.page.set(f"holdings-{i}-turnover", french(data.draw(amounts), space))
        else:
            self.page.set(f"aids-{i}-amount", french(data.draw(amounts), space))

    @precondition(lambda self: self.prefix is not None)
    @rule(data=st.data())
    def delete_a_line(self, data):
        indexes = self.line_indexes()
        if indexes:
            self.page.tick(f"{self.prefix}-{data.draw(st.sampled_from(indexes))}-DELETE")

    @precondition(lambda self: self.prefix is not None)
    @rule(data=st.data())
    def fill_the_blank_line(self, data):
        i = self.blank_index()
        if i is None:
            return
        prefix, space = self.prefix, data.draw(SPACES)
        if prefix == "expenses":
            values = {
                "category": data.draw(st.sampled_from(["erp", "connected_equipment"])),
                "amount": french(data.draw(amounts), space),
                "supplier": data.draw(words),
            }
        elif prefix == "holdings":
            values = {
                "share": french(data.draw(shares), space),
                "headcount": str(data.draw(st.integers(0, 500))),
                "turnover": french(data.draw(amounts), space),
            }
        else:
            day = date(2024, 1, 1) + timedelta(days=data.draw(st.integers(0, 700)))
            values = {
                "granting_body": data.draw(words),
                "granted_on": day.isoformat(),
                "amount": french(data.draw(amounts), space),
            }
        for name, value in values.items():
            self.page.set(f"{prefix}-{i}-{name}", value)

    @precondition(lambda self: self.prefix is not None)
    @rule()
    def add_a_line_with_the_button(self):
        response = self.client.post(self.page.url, self.page.data("add_line"))
        assert response.status_code == 200
        self.remember_saved()  # « Ajouter » saves the page too, then shows one more line
        self.page = Page(response.content.decode(), url=self.page.url)

    @precondition(lambda self: self.name == "applications:step_project")
    @rule(text=words)
    def edit_the_description(self, text):
        self.page.set("description", f"Projet : {text}")

    # The property -------------------------------------------------------------------------
    @invariant()
    def stored_is_what_was_last_saved(self):
        if hasattr(self, "dossier"):
            for prefix in LINES:
                assert stored(self.dossier, prefix) == self.saved[prefix], prefix


def test_what_is_stored_is_always_what_the_page_showed(open_calls):
    run_state_machine_as_test(
        Filing, settings=settings(max_examples=15, stateful_step_count=10, deadline=None)
    )
