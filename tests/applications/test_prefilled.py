"""What the portal already knows is pre-filled in later steps, and editable (issue 21, point 3)."""

import pytest
from django.urls import reverse

from tests.applications.factories import DossierFactory, organisation_for
from tests.applications.pages import Page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def eligibility_page(client, dossier) -> Page:
    url = reverse("applications:step_eligibility", args=[dossier.pk])
    return Page(client.get(url).content.decode(), url=url)


@pytest.fixture
def fresh_draft(open_calls):
    """A new INAC draft: the organisation step is filled in, no eligibility answer yet."""
    user = UserFactory()
    organisation = organisation_for("INAC", headcount=17)  # a SARL (the INAC profile)
    dossier = DossierFactory(
        scheme_code="INAC", organisation=organisation, member=user, created_by=user
    )
    return dossier, user


def test_the_headcount_of_the_organisation_step_is_not_asked_twice(client, fresh_draft):
    dossier, user = fresh_draft
    client.force_login(user)
    page = eligibility_page(client, dossier)
    assert page.fields["headcount"] == "17"
    assert "registered_rcs" in page.fields  # a SARL is registered at the RCS: ticked


def test_what_is_prefilled_can_be_changed(client, fresh_draft):
    dossier, user = fresh_draft
    client.force_login(user)
    page = eligibility_page(client, dossier)
    page.set("headcount", "18")
    page.tick("registered_rcs", False)
    page.set("turnover", "380 000")
    assert client.post(page.url, page.data("save")).status_code == 302
    dossier.refresh_from_db()
    assert dossier.answers["headcount"] == 18 and dossier.answers["registered_rcs"] is False
    page = eligibility_page(client, dossier)
    assert page.fields["headcount"] == "18" and "registered_rcs" not in page.fields


def test_the_applicants_own_answer_wins_over_what_the_organisation_says(client, fresh_draft):
    dossier, user = fresh_draft
    dossier.answers = {"headcount": 4, "registered_rcs": False}
    dossier.save()
    client.force_login(user)
    page = eligibility_page(client, dossier)
    assert page.fields["headcount"] == "4" and "registered_rcs" not in page.fields
