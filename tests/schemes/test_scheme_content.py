"""A scheme's content is data (issue 16's leftover, issue 17 point 5): the eligibility questions,
the report sections, the audience, the exclusive choice, the worked example and the region's
offers are `Scheme` fields filled by a data migration; changing them changes the pages at once,
with no module naming the scheme."""

import html

import pytest
from django.urls import reverse

from applications.forms import EligibilityForm, ProjectForm
from schemes.audience import audience_of
from schemes.models import Scheme

pytestmark = pytest.mark.django_db


def test_the_migration_filled_the_four_schemes_content():
    schemes = {s.code: s for s in Scheme.objects.all()}
    assert schemes["INAC"].questions[:2] == ["headcount", "turnover"]
    assert schemes["INAC"].questions == schemes["INESS"].questions
    assert "region_share" in schemes["PDL-IN"].questions
    assert schemes["IDF-CN2"].questions == []
    assert [key for key, _ in schemes["PDL-IN"].report_pairs][:2] == ["context", "project"]
    assert schemes["INAC"].report_sections == []
    assert schemes["INESS"].choice["over"] == "INAC"
    assert ("Wishibam for city", "Wishibam") in map(tuple, schemes["IDF-CN2"].offers["solutions"])
    assert all(s.worked_example["applicant"] for s in schemes.values())
    assert audience_of(schemes["PDL-IN"]) is None
    assert "Choisissez INAC" in audience_of(schemes["INESS"]).choose


def test_the_eligibility_step_asks_the_questions_stored_on_the_scheme():
    assert "headcount" in EligibilityForm(scheme_code="PDL-IN").fields
    Scheme.objects.filter(code="PDL-IN").update(questions=["turnover", "in_difficulty"])
    fields = EligibilityForm(scheme_code="PDL-IN").fields
    assert "headcount" not in fields
    assert {"turnover", "in_difficulty"} <= set(fields)


def test_a_report_section_added_to_a_scheme_is_asked_on_the_project_step():
    assert not [
        f
        for f in ProjectForm(scheme_code="INAC", expense_bases=["HT"]).fields
        if f.startswith("report_")
    ]
    Scheme.objects.filter(code="INAC").update(report_sections=[["impact", "Effets attendus"]])
    field = ProjectForm(scheme_code="INAC", expense_bases=["HT"]).fields["report_impact"]
    assert field.label == "Rapport de réflexion — Effets attendus"


def test_the_scheme_page_shows_the_offers_and_worked_example_from_the_data(client):
    page = html.unescape(client.get(reverse("schemes:detail", args=["idf-cn2"])).content.decode())
    assert "Wishibam for city (Wishibam)" in page
    Scheme.objects.filter(code="IDF-CN2").update(
        offers={"solutions": [["Marché local", "Commune test"]], "trainings": []}
    )
    page = html.unescape(client.get(reverse("schemes:detail", args=["idf-cn2"])).content.decode())
    assert "Marché local (Commune test)" in page and "Wishibam" not in page
    assert "Solutions et formations sélectionnées" in page


def test_a_scheme_without_offers_or_example_shows_neither(client):
    page = html.unescape(client.get(reverse("schemes:detail", args=["pdl-in"])).content.decode())
    assert "Aide calculée" in page
    Scheme.objects.filter(code="PDL-IN").update(worked_example={}, offers={})
    page = html.unescape(client.get(reverse("schemes:detail", args=["pdl-in"])).content.decode())
    assert "sélectionnées par la Région (AMI)" not in page
    assert "Aide calculée" not in page
