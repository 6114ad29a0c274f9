"""« Nouvelle demande » shows the dossiers in progress instead of offering what it would refuse
(issue 21, point 2)."""

import re

import pytest
from django.urls import reverse

from applications.models import Dossier
from tests.applications.factories import DossierFactory, organisation_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    html = response.content.decode().replace("&#x27;", "'")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_pair_with_a_dossier_in_progress_links_to_it_instead_of_a_start_button(
    client, open_calls
):
    organisation = organisation_for("INAC")
    user = UserFactory()
    draft = DossierFactory(scheme_code="INAC", organisation=organisation, member=user)
    client.force_login(user)

    response = client.get(reverse("applications:new"))
    html = response.content.decode()
    page = text(response)
    # INAC: in progress, with a link to the dossier and no radio button to start another one.
    assert f'value="{organisation.pk}|INAC"' not in html
    assert "Dossier en cours" in page and f"dossier n° {draft.number} (brouillon)" in page
    assert f'href="{reverse("applications:detail", args=[draft.pk])}"' in html
    # The other schemes open to this organisation can still be started.
    startable = re.findall(r'value="(\d+\|[A-Z-]+)"', html)
    assert startable and all(not choice.endswith("|INAC") for choice in startable)
    assert "Créer le dossier" in page


def test_only_pairs_in_progress_means_no_start_button(client, open_calls):
    organisation = organisation_for("IDF-CN2")
    user = UserFactory()
    DossierFactory(scheme_code="IDF-CN2", organisation=organisation, member=user)
    client.force_login(user)
    page = text(client.get(reverse("applications:new")))
    assert "Dossier en cours" in page
    assert "Créer le dossier" not in page
    assert "déjà un dossier en cours pour chaque dispositif ouvert" in page


def test_posting_a_pair_in_progress_leads_to_the_existing_dossier(client, open_calls):
    organisation = organisation_for("INAC")
    user = UserFactory()
    draft = DossierFactory(scheme_code="INAC", organisation=organisation, member=user)
    client.force_login(user)
    response = client.post(
        reverse("applications:new"), {"choice": f"{organisation.pk}|INAC"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("applications:detail", args=[draft.pk])
    assert f"le dossier {draft.number}, que voici" in text(response)
    assert Dossier.objects.filter(organisation=organisation).count() == 1
