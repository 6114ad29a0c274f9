"""Filing steps: a number too large for what the portal stores (a headcount of 10^20, a turnover
of 10^20 €) was saved and left the dossier unreadable (every page of it a server error); it is a
French message next to the field, what was typed kept, the dossier intact."""

import pytest
from django.urls import reverse

from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "step, data, message",
    [
        (
            "applications:step_eligibility",
            {"turnover": HUGE, "headcount": "4"},
            "inférieur ou égal à 9 999 999 999,99",
        ),
        (
            "applications:step_eligibility",
            {"turnover": "380000", "headcount": HUGE},
            "inférieure ou égale à 999999",
        ),
        (
            "applications:step_funding",
            {"other_public_funding": HUGE, "other_public_funding_detail": "Bpifrance"},
            "inférieur ou égal à 9 999 999 999,99",
        ),
    ],
)
def test_a_number_too_large_is_refused_in_french_and_the_dossier_stays_readable(
    client, step, data, message
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.post(reverse(step, args=[dossier.pk]), data)
    page = response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")
    assert response.status_code == 200 and message in page
    assert f'value="{HUGE}"' in page or HUGE in page  # what was typed is shown again
    summary = client.get(reverse("applications:step_summary", args=[dossier.pk]))
    assert summary.status_code == 200
