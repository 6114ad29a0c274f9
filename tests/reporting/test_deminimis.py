"""De minimis: the summary for both regimes, the review-page panel, the attestation and the
export for the national register."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from applications.models import DeMinimisAid
from instruction.documents import DocumentNotApplicable
from reporting.deminimis import (
    REGISTER_COLUMNS,
    award_attachments,
    de_minimis_summary,
    render_attestation_pdf,
)
from schemes.core.catalog import REG_1407, REG_2831
from tests.applications.factories import DossierFactory
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.pdf import pdf_text
from tests.reporting.conftest import decide_on

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def declare(dossier, body, day, amount):
    return DeMinimisAid.objects.create(
        dossier=dossier, granting_body=body, granted_on=day, amount=Decimal(amount)
    )


def test_regulation_1407_counts_the_current_and_two_previous_fiscal_years(open_calls):
    dossier = DossierFactory(scheme_code="INAC")
    declare(dossier, "BPI", date(2020, 12, 31), "50000")  # before the window
    declare(dossier, "BPI", date(2021, 1, 1), "10000")  # first day of the window
    declare(dossier, "Département du Nord", date(2023, 6, 15), "5000")  # the day itself
    declare(dossier, "BPI", date(2023, 6, 16), "7000")  # after the date

    summary = de_minimis_summary(dossier.organisation, date(2023, 6, 15))
    assert summary.regulation == REG_1407
    assert (summary.start, summary.end) == (date(2021, 1, 1), date(2023, 6, 15))
    assert summary.ceiling == Decimal("200000")
    assert summary.declared_total == Decimal("15000")
    assert summary.total == Decimal("15000")
    assert summary.remaining == Decimal("185000")


def test_regulation_2831_counts_any_rolling_three_years(open_calls):
    dossier = DossierFactory(scheme_code="INAC")
    declare(dossier, "BPI", date(2021, 3, 1), "40000")  # three years and a day before
    declare(dossier, "BPI", date(2021, 3, 2), "20000")  # first day of the window
    declare(dossier, "BPI", date(2024, 3, 1), "1000")

    summary = de_minimis_summary(dossier.organisation, date(2024, 3, 1))
    assert summary.regulation == REG_2831
    assert (summary.start, summary.end) == (date(2021, 3, 2), date(2024, 3, 1))
    assert summary.ceiling == Decimal("300000")
    assert summary.declared_total == Decimal("21000")


def test_regime_switches_on_the_first_of_january_2024(open_calls):
    organisation = DossierFactory(scheme_code="INAC").organisation
    assert de_minimis_summary(organisation, date(2023, 12, 31)).regulation == REG_1407
    assert de_minimis_summary(organisation, date(2024, 1, 1)).regulation == REG_2831


def test_an_aid_declared_in_several_dossiers_counts_once(open_calls):
    first = DossierFactory(scheme_code="INAC", state="rejected")
    second = DossierFactory(scheme_code="INESS", organisation=first.organisation)
    declare(first, "BPI France", date(2024, 5, 2), "12000")
    declare(second, "  bpi   france ", date(2024, 5, 2), "12000.00")
    declare(second, "BPI France", date(2024, 5, 2), "3000")  # same day, other amount: distinct

    summary = de_minimis_summary(first.organisation, date(2025, 1, 1))
    assert summary.declared_total == Decimal("15000")
    assert len(summary.declared) == 2


def test_portal_awards_count_and_are_not_counted_again_when_declared(awarded):
    dossier = decide_on(awarded("INAC"), date(2025, 4, 10))
    declare(dossier, "Région Hauts-de-France", date(2025, 4, 10), dossier.awarded_amount)
    declare(dossier, "BPI", date(2025, 1, 5), "2500")

    summary = de_minimis_summary(dossier.organisation, date(2025, 6, 1))
    assert [aid.reference for aid in summary.portal] == [dossier.number]
    assert summary.granted_total == dossier.awarded_amount
    assert summary.declared_total == Decimal("2500")
    assert summary.total == dossier.awarded_amount + Decimal("2500")
    # Before the decision, the portal's aid is not granted yet.
    assert de_minimis_summary(dossier.organisation, date(2025, 4, 9)).granted_total == 0


def test_panel_shows_the_summary_at_the_filing_date_in_french(open_calls):
    dossier = DossierFactory(scheme_code="INAC", filed_on=date(2024, 9, 1))
    declare(dossier, "BPI", date(2023, 2, 1), "1234.56")
    html = render_to_string("reporting/_deminimis_panel.html", {"dossier": dossier})
    assert "Aides de minimis" in html
    assert "Règlement (UE) 2023/2831" in html
    assert f"1{NBSP}234,56{NBSP}€" in html
    assert "02/09/2021" in html and "01/09/2024" in html  # the window, French dates
    assert "<caption" in html


def test_panel_warns_when_this_aid_would_exceed_the_ceiling(open_calls):
    dossier = DossierFactory(
        scheme_code="PDL-IN", filed_on=date(2024, 9, 1), result={"award": "20000"}
    )
    declare(dossier, "BPI", date(2024, 1, 10), "290000")
    html = render_to_string("reporting/_deminimis_panel.html", {"dossier": dossier})
    assert "dépassé de 10" in html and 'role="alert"' in html


def test_panel_is_empty_for_communes(open_calls):
    dossier = DossierFactory(scheme_code="IDF-CN2")
    assert render_to_string("reporting/_deminimis_panel.html", {"dossier": dossier}).strip() == ""
    assert award_attachments(dossier) == []


def test_attestation_states_the_aid_the_regulation_and_the_amounts(awarded, tmp_path):
    dossier = decide_on(awarded("INAC"), date(2025, 3, 14))
    declare(dossier, "BPI", date(2024, 6, 1), "4321.10")
    pdf = render_attestation_pdf(dossier)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    amount = f"{dossier.awarded_amount:,.2f}".replace(",", " ").replace(".", ",")
    assert "Attestation d'aide de minimis" in text
    assert dossier.organisation.name in text and dossier.organisation.siret in text
    assert "14/03/2025" in text
    assert "règlement (UE) 2023/2831" in text
    assert f"{amount} €" in text
    assert "4 321,10 €" in text
    assert "300 000 €" in text
    assert "15/03/2022 au 14/03/2025" in text  # the rolling window
    [(name, content, mime)] = award_attachments(dossier)
    assert name == f"attestation-de-minimis-{dossier.number}.pdf" and mime == "application/pdf"


def test_attestation_needs_an_award(open_calls):
    with pytest.raises(DocumentNotApplicable):
        render_attestation_pdf(DossierFactory(scheme_code="INAC"))


# --- National register export ------------------------------------------------------------------


def register_url(region="PDL", year=None):
    return reverse("reporting:register_csv", args=[region, year or timezone.localdate().year])


def test_register_export_for_the_regions_agents(client, awarded, agent_of):
    dossier = awarded("PDL-IN")
    awarded("INAC")  # another region
    client.force_login(agent_of("PDL"))
    response = client.get(register_url())
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == list(REGISTER_COLUMNS)
    assert [row["siren"] for row in rows] == [dossier.organisation.siren]
    row = rows[0]
    assert row["organisme_attributaire"] == "Région Pays de la Loire"
    assert row["date_attribution"] == timezone.localdate().isoformat()
    assert row["montant"] == f"{dossier.awarded_amount:.2f}"
    assert row["reglement"] == REG_2831
    assert row["dispositif"].startswith("PDL-IN")


@pytest.mark.parametrize("role", ["finance", "scheme_manager"])
def test_register_export_for_finance_and_scheme_managers(client, open_calls, role):
    user = RoleAssignmentFactory(role=role, region_code="PDL").user
    client.force_login(user)
    assert client.get(register_url()).status_code == 200


def test_register_export_is_404_for_an_agent_of_another_region(client, open_calls, agent_of):
    client.force_login(agent_of("HDF"))
    assert client.get(register_url("PDL")).status_code == 404


def test_register_export_is_403_for_applicants_and_login_for_anonymous(client, open_calls):
    response = client.get(register_url())
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(register_url()).status_code == 403


def test_the_award_email_carries_the_de_minimis_attestation(
    awarded, django_capture_on_commit_callbacks
):
    from django.core import mail

    from instruction.tasks import generate_document

    dossier = awarded("INAC")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        generate_document.apply(kwargs={"dossier_id": dossier.pk, "kind": "award"})
    names = [attachment[0] for message in mail.outbox for attachment in message.attachments]
    assert f"decision-attribution-ARR-{dossier.number}.pdf" in names
    assert f"attestation-de-minimis-{dossier.number}.pdf" in names
