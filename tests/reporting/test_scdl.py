"""Open data: the SCDL « subventions » file of a region and year."""

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from stdnum.fr import siret

from payments.enums import PaymentKind
from reporting import scdl
from territories.models import Region
from tests.reporting.conftest import decide_on, pay

# The current year's file: the dates of the decisions and payments are within that year only
# when the clock is frozen mid-year (on 2 January, a payment on 30 June would be in the future).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

EXPECTED_COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def download(client, region, year):
    response = client.get(reverse("reporting:scdl_csv", args=[region, year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")  # UTF-8, or this raises
    return text, list(csv.DictReader(io.StringIO(text)))


def test_every_seeded_regional_council_has_a_siret_passing_the_luhn_check(db):
    sirets = dict(Region.objects.values_list("code", "siret"))
    assert sirets == {"HDF": "20005374200017", "PDL": "23440003400026", "IDF": "23750007900312"}
    assert all(siret.is_valid(number) for number in sirets.values())


def test_a_region_without_a_siret_publishes_no_file(client, awarded):
    awarded("PDL-IN")
    year = timezone.localdate().year
    assert "PDL" in {row["region_code"] for row in scdl.published_files()}
    Region.objects.filter(code="PDL").update(siret="")
    response = client.get(reverse("reporting:scdl_csv", args=["PDL", year]))
    assert response.status_code == 404
    assert "PDL" not in {row["region_code"] for row in scdl.published_files()}


def test_file_has_the_schema_columns_in_order_comma_separated(client, awarded):
    awarded("PDL-IN")
    year = timezone.localdate().year
    text, rows = download(client, "PDL", year)
    header = text.splitlines()[0]
    assert header == ",".join(EXPECTED_COLUMNS)
    assert list(rows[0]) == EXPECTED_COLUMNS
    assert ";" not in header


def test_values_and_formats_of_an_awarded_aid_paid_in_two_instalments(client, awarded):
    dossier = awarded("PDL-IN")
    year = timezone.localdate().year
    decided = date(year, 1, 15)
    decide_on(dossier, decided)
    pay(dossier, PaymentKind.ADVANCE, "2000.00", paid_on=date(year, 2, 1))
    pay(dossier, PaymentKind.BALANCE, "1500.50", paid_on=date(year, 6, 30))

    _, rows = download(client, "PDL", year)
    assert len(rows) == 1
    row = rows[0]
    assert row["nomAttribuant"] == "Région Pays de la Loire"
    assert row["idAttribuant"] == "23440003400026"
    assert row["dateConvention"] == decided.isoformat()
    assert re.fullmatch(ISO_DATE, row["dateConvention"])
    assert row["nomBeneficiaire"] == dossier.organisation.name
    assert row["idBeneficiaire"] == dossier.organisation.siret
    assert row["montant"] == f"{dossier.awarded_amount:.2f}"
    assert re.fullmatch(r"\d+\.\d{2}", row["montant"])  # point, no thousands separator
    assert row["nature"] == "aide en numéraire"
    assert row["conditionsVersement"] == "échelonné"
    assert row["datesPeriodeVersement"] == f"{year}-02-01/{year}-06-30"
    assert row["notificationUE"] == "oui"
    # The beneficiary's share of the aid: a single beneficiary, so « 1.00 » (not the aid's rate).
    assert row["pourcentageSubvention"] == "1.00"
    assert row["rnaBeneficiaire"] == ""  # a company has no RNA number
    assert dossier.title in row["objet"]


def test_single_payment_scheme_gives_unique_and_one_date(client, awarded):
    dossier = awarded("INAC")
    year = timezone.localdate().year
    decide_on(dossier, date(year, 1, 10))
    pay(dossier, PaymentKind.SINGLE, "3000.00", paid_on=date(year, 3, 3))
    _, rows = download(client, "HDF", year)
    assert rows[0]["idAttribuant"] == "20005374200017"
    assert rows[0]["conditionsVersement"] == "unique"
    assert rows[0]["datesPeriodeVersement"] == f"{year}-03-03"


def test_only_the_regions_aids_decided_that_year(client, awarded, submitted):
    year = timezone.localdate().year
    this_year = awarded("PDL-IN")
    last_year = decide_on(awarded("PDL-IN"), date(year - 1, 12, 31))
    other_region = awarded("INAC")
    submitted("PDL-IN")  # filed, not decided: never published

    _, rows = download(client, "PDL", year)
    assert [r["idBeneficiaire"] for r in rows] == [this_year.organisation.siret]
    _, rows = download(client, "PDL", year - 1)
    assert [r["idBeneficiaire"] for r in rows] == [last_year.organisation.siret]
    _, rows = download(client, "HDF", year)
    assert [r["idBeneficiaire"] for r in rows] == [other_region.organisation.siret]


def test_individual_entrepreneur_is_published_without_its_name(client, awarded):
    dossier = awarded("INAC")
    dossier.organisation.legal_form, dossier.organisation.legal_form_code = "EI", "1000"
    dossier.organisation.save()
    _, rows = download(client, "HDF", timezone.localdate().year)
    assert rows[0]["nomBeneficiaire"] == scdl.BENEFICIARY_MASK
    # The schema requires an identifier on every row: the establishment's public SIRET.
    assert rows[0]["idBeneficiaire"] == dossier.organisation.siret
    assert dossier.organisation.name not in rows[0]["objet"]


def test_payment_period_before_any_payment_runs_to_the_proof_deadline(client, awarded):
    dossier = awarded("PDL-IN")
    review = dossier.review
    review.refresh_from_db()
    _, rows = download(client, "PDL", timezone.localdate().year)
    period = rows[0]["datesPeriodeVersement"]
    assert re.fullmatch(rf"{ISO_DATE}(/{ISO_DATE})?", period)
    if review.proofs_deadline:
        assert period.endswith(review.proofs_deadline.isoformat())


def test_index_lists_files_per_region_and_year_without_login(client, awarded):
    awarded("PDL-IN")
    awarded("PDL-IN")
    year = timezone.localdate().year
    response = client.get(reverse("reporting:open_data"))
    assert response.status_code == 200
    files = response.context["files"]
    assert {(f["region_code"], f["year"], f["count"]) for f in files} == {("PDL", year, 2)}
    assert reverse("reporting:scdl_csv", args=["PDL", year]) in response.content.decode()


def test_unknown_region_is_404(client, db):
    assert client.get(reverse("reporting:scdl_csv", args=["XYZ", 2025])).status_code == 404
    assert client.get(reverse("reporting:scdl_csv", args=["pdl", 2025])).status_code == 404


def test_empty_year_gives_the_header_only(client, open_calls):
    text, rows = download(client, "IDF", timezone.localdate().year + 1)
    assert rows == [] and text.strip() == ",".join(EXPECTED_COLUMNS)


# --- Strict validation against the official schema (the national validator's checks) -------------

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "standards"
    / "scdl-subventions-2.1.1.json"
)


def _validate_with_the_official_schema(text: str) -> list[str]:
    """Frictionless against the schema file (types, formats, constraints, every column in its
    order), then the schema's custom checks, which frictionless does not run itself."""
    from frictionless import Resource, Schema

    descriptor = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checks = descriptor.pop("custom_checks", [])
    resource = Resource(
        data=text.encode("utf-8"),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(
            {key: value for key, value in descriptor.items() if key in ("fields", "missingValues")}
        ),
    )
    report = resource.validate()
    errors = [
        f"{error.type}: {error.message}" for task in report.tasks for error in task.errors
    ] + [f"{error.type}: {error.message}" for error in report.errors]
    rows = list(csv.DictReader(io.StringIO(text)))
    for check in checks:
        params = check["params"]
        for number, row in enumerate(rows, start=2):
            if check["name"] == "french-siret-value" and row[params["column"]]:
                if not siret.is_valid(row[params["column"]]):
                    errors.append(f"french-siret-value: row {number} {params['column']}")
            elif check["name"] == "one-of-required":
                if not (row[params["column1"]] or row[params["column2"]]):
                    errors.append(f"one-of-required: row {number}")
    return errors


def test_the_file_is_valid_against_the_official_schema_2_1_1(client, awarded):
    assert SCHEMA_FILE.exists(), f"the official schema is kept in {SCHEMA_FILE}"
    year = timezone.localdate().year
    staggered = awarded("PDL-IN")
    decide_on(staggered, date(year, 1, 15))
    pay(staggered, PaymentKind.ADVANCE, "2000.00", paid_on=date(year, 2, 1))
    awarded("PDL-IN")  # not paid yet: the period runs to the proof deadline
    individual = awarded("PDL-IN")
    individual.organisation.legal_form, individual.organisation.legal_form_code = "EI", "1000"
    individual.organisation.save()
    association = awarded("PDL-IN")  # an association publishes its RNA number beside its SIRET
    association.organisation.kind, association.organisation.rna = "association", "W442001234"
    association.organisation.save()
    text, rows = download(client, "PDL", year)
    assert len(rows) == 4
    assert [row["rnaBeneficiaire"] for row in rows].count("W442001234") == 1
    assert {row["pourcentageSubvention"] for row in rows} == {"1.00"}
    assert {row["conditionsVersement"] for row in rows} <= {"unique", "échelonné", "autre"}
    assert _validate_with_the_official_schema(text) == []
    schema_columns = [
        field["name"] for field in json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["fields"]
    ]
    assert text.splitlines()[0].split(",") == schema_columns


def test_the_validation_catches_what_the_national_validator_refuses(client, awarded):
    awarded("PDL-IN")
    text, _ = download(client, "PDL", timezone.localdate().year)
    header, row = text.splitlines()[:2]
    values = next(csv.reader([row]))
    without_id = [
        value if name != "idBeneficiaire" else ""
        for name, value in zip(header.split(","), values, strict=True)
    ]
    assert "one-of-required: row 2" in _validate_with_the_official_schema(
        header + "\r\n" + ",".join(without_id) + "\r\n"
    )
    # The 14 columns of the former file, without rnaBeneficiaire and dispositifAide.
    fourteen = [c for c in header.split(",") if c not in ("rnaBeneficiaire", "dispositifAide")]
    assert _validate_with_the_official_schema(",".join(fourteen) + "\r\n") != []
