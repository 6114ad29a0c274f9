"""The filing journey through the pages, for each of the four schemes."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from applications.enums import DossierState
from applications.models import Dossier
from tests.applications.factories import ANSWERS, EXPENSES, PDF_BYTES, organisation_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SCHEMES = ["INAC", "INESS", "PDL-IN", "IDF-CN2"]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def formset(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def organisation_post(organisation) -> dict:
    return {
        "kind": organisation.kind,
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "naf": organisation.naf,
        "address": "1 place de la Mairie",
        "postal_code": "59000",
        "city": "Lille",
        "department": organisation.department_id,
        "created_on": "2015-03-01",
        "headcount": "4",
        "continue": "1",
    }


def eligibility_post(code: str) -> dict:
    data = {"continue": "1"}
    for key, value in ANSWERS[code].items():
        if key == "confirmed":
            continue
        if key in ("market_activity_share", "region_share"):
            value = str(float(value) * 100).rstrip("0").rstrip(".")
        if value is True:
            value = "on"
        data[key] = str(value)
    if code == "PDL-IN":
        data.update(formset("holdings", []))
    return data


def project_post(code: str) -> dict:
    data = {
        "title": "Vendre en ligne",
        "description": "Boutique en ligne et outils de gestion.",
        "continue": "1",
    }
    if code == "IDF-CN2":
        data["expense_basis"] = "TTC"
    if code == "PDL-IN":
        data.update(
            {
                f"report_{k}": "Notre réflexion."
                for k in ("context", "project", "added_value", "risks", "provider", "other")
            }
        )
    rows = [
        {"category": c, "amount": a, "mode": "purchase", "supplier": "Prestataire"}
        for c, a in EXPENSES[code]
    ]
    data.update(formset("expenses", rows))
    return data


@pytest.mark.parametrize("code", SCHEMES)
def test_an_applicant_files_a_complete_dossier_and_gets_the_receipt(
    code, client, open_calls, django_capture_on_commit_callbacks
):
    organisation = organisation_for(code)
    user = MembershipFactory(organisation=organisation).user
    other_member = MembershipFactory(organisation=organisation).user
    client.force_login(user)

    response = client.post(reverse("applications:new"), {"choice": f"{organisation.pk}|{code}"})
    dossier = Dossier.objects.get(organisation=organisation)
    assert response.url == reverse("applications:step_organisation", args=[dossier.pk])
    assert dossier.number.startswith(f"{code}-")

    steps = [
        ("applications:step_organisation", organisation_post(organisation)),
        ("applications:step_eligibility", eligibility_post(code)),
        ("applications:step_project", project_post(code)),
        (
            "applications:step_funding",
            {"other_public_funding": "0", **formset("aids", []), "continue": "1"},
        ),
    ]
    for name, data in steps:
        if name == "applications:step_eligibility" and code == "IDF-CN2":
            continue
        response = client.post(reverse(name, args=[dossier.pk]), data)
        assert response.status_code == 302, (name, text(response)[:3000])

    # The estimate shows on every step once expenses exist.
    page = text(client.get(reverse("applications:step_funding", args=[dossier.pk])))
    assert "Estimation de l'aide" in page and "€" in page.split("Estimation de l'aide")[1]

    from applications.attachments import required_documents_for

    for document in required_documents_for(dossier):
        upload = {"document_code": document["code"], "file": _pdf(f"{document['code']}.pdf")}
        response = client.post(reverse("applications:step_documents", args=[dossier.pk]), upload)
        assert response.status_code == 302, text(response)[:2000]

    response = client.post(
        reverse("applications:step_bank", args=[dossier.pk]),
        {
            "iban": "FR76 3000 6000 0112 3456 7890 189",
            "bic": "AGRIFRPPXXX",
            "account_holder": organisation.name,
            "continue": "1",
        },
    )
    assert response.status_code == 302

    summary = text(client.get(reverse("applications:step_summary", args=[dossier.pk])))
    assert "Avant de déposer" not in summary

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[dossier.pk]), {"sworn": "on"})
    assert response.url == reverse("applications:detail", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.result["scheme"] == code and dossier.result["award"]
    assert dossier.rule_version is not None
    assert dossier.documents.filter(kind="receipt").exists()
    recipients = {address for message in mail.outbox for address in message.to}
    assert {user.email, other_member.email} <= recipients

    receipt = client.get(reverse("applications:receipt", args=[dossier.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    listing = text(client.get(reverse("applications:list")))
    assert dossier.number in listing and "Déposé" in listing


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
