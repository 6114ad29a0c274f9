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


def test_what_the_company_lookup_found_reaches_the_eligibility_step(client, open_calls):
    user = UserFactory()
    client.force_login(user)
    url = reverse("organisations:add")
    found = client.post(url, {"lookup": "1", "siret": "81234567600017"})
    page = Page(found.content.decode(), autosave=False, url=url, index=2)  # logout, lookup, this
    assert page.fields["headcount_band"] == "3 à 5 salariés"
    page.set("headcount", "")  # the lookup gives a band, not a number: left to the applicant
    assert client.post(url, page.data()).status_code == 302
    organisation = user.memberships.get().organisation
    assert organisation.legal_form_code == "5499" and organisation.headcount_band

    response = client.post(
        reverse("applications:new"), {"choice": f"{organisation.pk}|INAC"}, follow=True
    )
    dossier = organisation.dossiers.get()
    html = client.get(reverse("applications:step_eligibility", args=[dossier.pk]))
    html = html.content.decode()
    assert "Tranche d'effectif connue du répertoire des entreprises (INSEE) : 3 à 5 salariés." in (
        html.replace("&#x27;", "'")
    )
    assert "registered_rcs" in Page(html).fields  # a SARL (code 5499): at the RCS
    assert response.status_code == 200
