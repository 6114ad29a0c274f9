"""A stateful property test of the review page's list forms (issue 13): whatever an agent does with
the retained expenses and the checklist (save unchanged, change any lines, clear one, a refused
save, reload), what is stored is what the page showed when it was last saved successfully, and a
reloaded page shows exactly what is stored.

Each action goes through the page (the Django test client posting what the rendered form holds).
"""

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
    rule,
    run_state_machine_as_test,
)

from instruction import services
from tests.instruction.test_list_forms import (
    FormReader,
    shown_checks,
    shown_retentions,
    stored_checks,
    stored_retentions,
)

pytestmark = pytest.mark.django_db

reasons = st.text(alphabet="abcdéèçà ", min_size=1, max_size=15).map(str.strip).filter(bool)
fractions = st.integers(min_value=1, max_value=99)


def as_stored(form: FormReader, lines: dict) -> dict:
    """The retentions a successful save of `form` must leave in the database."""
    expected = {}
    for line_id, (status, amount, reason) in shown_retentions(form).items():
        if status == "full":
            kept = lines[line_id].amount
        elif status == "none":
            kept = Decimal("0")
        else:
            kept = Decimal(amount)
        expected[line_id] = (status, kept, reason.strip())
    return expected


def normalised(retentions: dict) -> dict:
    return {k: (s, Decimal(a).quantize(Decimal("0.01")), r) for k, (s, a, r) in retentions.items()}


def test_the_database_always_holds_what_the_review_page_showed(submitted, agent_of):
    class Review(RuleBasedStateMachine):
        @initialize()
        def open_a_dossier(self):
            self.dossier = submitted("PDL-IN")
            agent = agent_of("PDL")
            services.dossier_take(user=agent, dossier=self.dossier)
            self.client = Client()
            self.client.force_login(agent)
            self.lines = {line.pk: line for line in self.dossier.expenses.all()}
            self.reload()
            self.saved_retentions = {}
            self.saved_checks = stored_checks(self.dossier)

        def reload(self):
            url = reverse("instruction:dossier", args=[self.dossier.pk])
            response = self.client.get(url)
            assert response.status_code == 200
            self.read(response)
            # A freshly loaded page shows exactly what is stored.
            shown = normalised(as_stored(self.retentions, self.lines))
            assert shown == normalised(stored_retentions(self.dossier))
            assert shown_checks(self.checks) == stored_checks(self.dossier)

        def read(self, response):
            page = response.content.decode()
            self.retentions = FormReader("retentions-form")
            self.retentions.feed(page)
            self.checks = FormReader("checks-form")
            self.checks.feed(page)

        @rule()
        def reload_the_page(self):
            self.reload()

        @rule(data=st.data())
        def save_the_expenses(self, data):
            changes = {}
            for line_id, line in self.lines.items():
                if not data.draw(st.booleans(), label=f"change line {line_id}"):
                    continue
                status = data.draw(st.sampled_from(["", "full", "partial", "none"]))
                changes[f"line-{line_id}-status"] = status
                if status == "partial":
                    share = data.draw(fractions)
                    amount = (line.amount * share / 100).quantize(Decimal("0.01"))
                    changes[f"line-{line_id}-amount"] = str(amount).replace(".", ",")
                if status in ("partial", "none"):
                    changes[f"line-{line_id}-reason"] = data.draw(reasons)
            self.retentions.fields.update(changes)
            response = self.client.post(self.retentions.action, self.retentions.fields)
            assert response.status_code == 302, response.content.decode()[:3000]
            self.saved_retentions = normalised(as_stored(self.retentions, self.lines))
            self.reload()

        @rule(line_index=st.integers(min_value=0, max_value=1))
        def a_refused_save_changes_nothing(self, line_index):
            line = list(self.lines.values())[line_index]
            typed = {
                f"line-{line.pk}-status": "partial",
                f"line-{line.pk}-amount": str(line.amount + 1).replace(".", ","),
                f"line-{line.pk}-reason": "trop",
            }
            self.retentions.fields.update(typed)
            response = self.client.post(self.retentions.action, self.retentions.fields)
            assert response.status_code == 400
            self.read(response)
            for name, value in typed.items():  # the page keeps what was typed
                shown = self.retentions.fields[name]
                assert shown.replace("\u00a0", "").replace(" ", "") == value, (name, shown)
            self.reload()

        @rule(data=st.data())
        def save_the_checklist(self, data):
            changes = {}
            for check_id in shown_checks(self.checks):
                if data.draw(st.booleans(), label=f"change check {check_id}"):
                    status = data.draw(st.sampled_from(["pending", "confirmed", "overridden"]))
                    changes[f"check-{check_id}-status"] = status
                    comment = data.draw(reasons) if status == "overridden" else ""
                    changes[f"check-{check_id}-comment"] = comment
            self.checks.fields.update(changes)
            response = self.client.post(self.checks.action, self.checks.fields)
            assert response.status_code == 302, response.content.decode()[:3000]
            self.saved_checks = {
                k: (s, c.strip()) for k, (s, c) in shown_checks(self.checks).items()
            }
            self.reload()

        @invariant()
        def stored_is_what_was_saved_and_shown(self):
            if not hasattr(self, "dossier"):
                return
            assert normalised(stored_retentions(self.dossier)) == self.saved_retentions
            assert stored_checks(self.dossier) == self.saved_checks

    run_state_machine_as_test(
        Review, settings=settings(max_examples=8, stateful_step_count=6, deadline=None)
    )
