"""Demo rule versions (extensions without legal basis) are flagged wherever their figures are read:
the scheme page header, the simulator, the applicant's estimate, the agent's review page (the
receipt and the acts: test_official_documents)."""

import pytest
from django.urls import reverse

from schemes.models import RuleVersion

pytestmark = pytest.mark.django_db

FLAG = "Version de démonstration"


def test_the_scheme_page_header_flags_demo_rules(client, open_calls):
    assert RuleVersion.objects.filter(scheme__code="INAC", is_demo=True).exists()
    page = client.get(reverse("schemes:detail", args=["INAC"])).content.decode()
    header = page[page.index("<h1") : page.index('aria-labelledby="t-finance"')]
    assert FLAG in header and "n'a pas de valeur juridique" in header
    page = client.get(reverse("schemes:detail", args=["PDL-IN"])).content.decode()
    assert FLAG not in page


def test_the_review_page_flags_a_dossier_under_demo_rules(client, submitted, agent_of):
    dossier = submitted("INAC")
    assert dossier.rule_version.is_demo
    client.force_login(agent_of("HDF"))
    page = client.get(reverse("instruction:dossier", args=[dossier.pk])).content.decode()
    assert FLAG in page and "n'ont pas de valeur juridique" in page
    other = submitted("PDL-IN")
    client.force_login(agent_of("PDL"))
    page = client.get(reverse("instruction:dossier", args=[other.pk])).content.decode()
    assert FLAG not in page


def test_the_simulator_flags_a_result_of_demo_rules(client, open_calls):
    from tests.schemes.test_portal_pages import simulator_data

    url = reverse("schemes:simulator")
    before = client.post(url, simulator_data(filed_on="2022-05-10")).content.decode()
    assert FLAG not in before  # the 2021 deliberation was in force
    after = client.post(url, simulator_data(filed_on="2026-12-02")).content.decode()
    assert FLAG in after and "ce calcul n'a pas de valeur juridique" in after


def test_the_applicants_estimate_flags_demo_rules(client, submitted):
    dossier = submitted("INAC")
    client.force_login(dossier.organisation.memberships.first().user)
    page = client.get(reverse("applications:detail", args=[dossier.pk])).content.decode()
    assert FLAG in page
