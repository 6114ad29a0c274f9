"""The agent's review page: the applicant's answers as the applicant read them (issue 13, defect 4)."""

import html
import re

import pytest
from django.urls import reverse

from applications.forms import QUESTION_FIELDS

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def section(page: str, heading_id: str) -> str:
    """The text of the review page's section whose heading has `heading_id`."""
    start = page.index(f'id="{heading_id}"')
    end = page.index("</section>", start)
    return html.unescape(re.sub(r"<[^>]+>", " ", page[start:end]))


def review_page(client, dossier, agent) -> str:
    client.force_login(agent)
    response = client.get(reverse("instruction:dossier", args=[dossier.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("code, region", [("INESS", "HDF"), ("PDL-IN", "PDL")])
def test_answers_show_the_applicants_questions_in_french(client, submitted, agent_of, code, region):
    dossier = submitted(code)
    dossier.answers = {
        **dossier.answers,
        "turnover": "380000.5",
        "registered_rcs": True,
        "in_difficulty": False,
        "market_activity_share": "0.3350" if code == "INESS" else "1.0000",
    }
    dossier.save(update_fields=["answers"])
    text = section(review_page(client, dossier, agent_of(region)), "t-demandeur")
    for key in dossier.answers:
        assert re.search(rf"\b{key}\b", text) is None, f"internal key {key} shown"
    for python_value in ("True", "False", "None", "Decimal", "1.0000", "0.3350"):
        assert python_value not in text
    assert "Inscrite au registre du commerce et des sociétés (RCS) Oui" in " ".join(text.split())
    assert "Votre entreprise est en difficulté au sens du droit européen Non" in " ".join(
        text.split()
    )
    assert f"380{NBSP}000,50{NBSP}€" in text, text[text.index("Réponses du demandeur") :]
    share = f"33,5{NBSP}%" if code == "INESS" else f"100{NBSP}%"
    assert f"{QUESTION_FIELDS['market_activity_share']().label.removesuffix(' (%)')}" in text
    assert share in text
    if code == "PDL-IN":
        assert "Rapport de réflexion — Contexte de l'entreprise" in text
        assert "Rapport : context" not in text
