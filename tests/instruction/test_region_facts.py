"""Region facts are data (issue 17, point 5): the colour, award prefix, court and SIRET of a
region come from its `Region` row, so a region added in the admin gets its official documents
and its open-data file without a line of code."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from applications.models import DossierDocument
from instruction.documents import document_context, ensure_document, render_document_pdf
from schemes.models import Scheme
from territories.models import Region
from tests.applications.factories import DossierFactory
from tests.instruction.test_official_documents import decided
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
Kind = DossierDocument.Kind


@pytest.fixture
def brittany():
    """A fifth region, entered as data only: no template, no dict, no branch names it."""
    region = Region(
        code="BRE",
        name="Bretagne",
        colour="#5A3E8C",
        siret="23350001600040",
        award_prefix="AD",
        court_name="tribunal administratif de Rennes",
        court_address="3 contour de la Motte, CS 44416, 35044 Rennes Cedex",
        signatory_delegation="Pour le Président et par délégation",
        signatory_name="Anne Le Gall",
        signatory_title="Directrice de l'économie",
    )
    region.full_clean()
    region.save()
    Scheme.objects.filter(code="INAC").update(region=region)
    return region


@pytest.mark.parametrize(
    ("code", "prefix", "court", "address"),
    [
        ("HDF", "ARR", "tribunal administratif de Lille", "59014 Lille Cedex"),
        ("PDL", "ARR", "tribunal administratif de Nantes", "44041 Nantes Cedex 01"),
        ("IDF", "DEL", "tribunal administratif de Paris", "75181 Paris Cedex 04"),
    ],
)
def test_the_seeded_regions_carry_the_facts_the_code_used_to_hold(code, prefix, court, address):
    region = Region.objects.get(code=code)
    assert region.award_prefix == prefix
    assert region.court_name == court
    assert region.court_address.endswith(address)
    region.full_clean()  # the stored SIRET passes the Luhn check


def test_a_region_siret_with_a_wrong_key_is_refused_in_french():
    region = Region.objects.get(code="HDF")
    region.siret = "20005373500014"
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "SIRET n'est pas valide" in str(error.value)


def test_a_new_region_gets_its_award_with_its_own_prefix_colour_and_signatory(brittany):
    dossier = decided(
        DossierFactory(scheme_code="INAC", complete=True, filed_on=date(2022, 5, 10)),
        amount="3200.00",
        on=date(2022, 6, 15),
    )
    document = ensure_document(dossier, Kind.AWARD)
    text = pdf_text(document.file.read())
    assert document.reference == f"AD-{dossier.number}"
    assert "Décision d'attribution de subvention" in text
    assert "3 200,00 €" in text
    assert "Anne Le Gall" in text and "Directrice de l'économie" in text
    assert document_context(dossier, Kind.AWARD)["accent"] == "#5A3E8C"


def test_a_new_region_rejection_names_its_court_with_its_address(brittany):
    dossier = decided(
        DossierFactory(scheme_code="INAC", complete=True),
        amount=None,
        on=date(2024, 4, 2),
        motivation="Le projet ne relève pas des dépenses éligibles.",
        state="rejected",
    )
    text = pdf_text(render_document_pdf(dossier, Kind.REJECTION))
    assert "tribunal administratif de Rennes (3 contour de la Motte" in text
    assert "Bretagne" in text


def test_a_changed_court_is_printed_on_the_next_letter():
    Region.objects.filter(code="PDL").update(
        court_name="tribunal administratif de Nantes",
        court_address="nouvelle adresse, 44000 Nantes",
    )
    dossier = decided(
        DossierFactory(scheme_code="PDL-IN", complete=True),
        amount=None,
        on=date(2024, 4, 2),
        motivation="Dépenses engagées avant le dépôt.",
        state="rejected",
    )
    text = pdf_text(render_document_pdf(dossier, Kind.REJECTION))
    assert "tribunal administratif de Nantes (nouvelle adresse, 44000 Nantes)" in text
