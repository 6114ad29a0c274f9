from unittest import mock

import pytest
import requests
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from organisations.enums import MemberRole
from organisations.lookup import ApiLookup, CompanyLookupUnavailable, FixtureLookup
from organisations.models import Membership, Organisation
from organisations.validators import clean_siret
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FORM = {
    "siret": "81234567600017",
    "kind": "company",
    "name": "Boutique Lumière du Nord",
    "legal_form": "SARL",
    "naf": "4771Z",
    "address": "12 rue Esquermoise",
    "postal_code": "59000",
    "city": "Lille",
    "created_on": "2015-03-01",
    "headcount": "4",
}


def department_id(code):
    from territories.models import Department

    return Department.objects.get(code=code).pk


@pytest.mark.parametrize(
    "siret, message",
    [
        ("81234567600018", "clé de contrôle incorrecte"),
        ("8123456760001", "14 chiffres"),
        ("8123456760001A", "que des chiffres"),
    ],
)
def test_invalid_siret_is_refused_with_a_french_message(siret, message):
    with pytest.raises(ValidationError) as exc:
        clean_siret(siret)
    assert message in exc.value.messages[0]


def test_la_poste_siret_follows_its_own_rule():
    # La Poste's establishments do not use the Luhn key: the digits add up to a multiple of 5.
    assert clean_siret("35600000049837") == "35600000049837"
    with pytest.raises(ValidationError):
        clean_siret("35600000049838")


def test_fixture_lookup_fills_the_company_data():
    info = FixtureLookup().find("81234567600017")
    assert info.name == "BOUTIQUE LUMIÈRE DU NORD"
    assert info.legal_form == "SARL"
    assert info.naf == "47.71Z"
    assert info.department == "59"
    assert info.created_on.isoformat() == "2015-03-01"
    assert info.headcount_band == "3 à 5 salariés"
    assert FixtureLookup().find("73282932000074") is None


def test_fixture_lookup_recognises_communes_and_groupings():
    assert FixtureLookup().find("21750001600019").kind == "commune"
    assert FixtureLookup().find("20004185300017").kind == "intercommunality"
    assert FixtureLookup().find("82345678500018").is_ess


def test_api_lookup_parses_the_answer_and_caches_it(settings):
    cache.clear()
    payload = {
        "results": [
            {
                "nom_raison_sociale": "MENUISERIE LIGERIENNE",
                "nature_juridique": "5710",
                "activite_principale": "16.23Z",
                "date_creation": "2016-09-01",
                "tranche_effectif_salarie": "12",
                "complements": {"est_ess": False},
                "siege": {
                    "siret": "83456789300021",
                    "code_postal": "44000",
                    "libelle_commune": "NANTES",
                    "adresse": "8 QUAI DE LA FOSSE 44000 NANTES",
                },
                "matching_etablissements": [],
            }
        ]
    }
    response = mock.Mock(status_code=200)
    response.json.return_value = payload
    with mock.patch("organisations.lookup.requests.get", return_value=response) as get:
        info = ApiLookup().find("83456789300021")
        again = ApiLookup().find("83456789300021")
    assert get.call_count == 1
    assert get.call_args.kwargs["timeout"] == settings.COMPANY_LOOKUP_TIMEOUT
    assert info == again
    assert (info.legal_form, info.department, info.headcount_band) == (
        "SAS",
        "44",
        "20 à 49 salariés",
    )


def test_api_lookup_unreachable_raises_a_clear_error():
    cache.clear()
    with mock.patch("organisations.lookup.requests.get", side_effect=requests.Timeout()):
        with pytest.raises(CompanyLookupUnavailable) as exc:
            ApiLookup().find("83456789300021")
    assert "saisir vous-même" in exc.value.message


def test_lookup_prefills_the_organisation_form(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("organisations:add"), {"lookup": "1", "siret": "81234567600017"})
    html = response.content.decode()
    assert 'value="BOUTIQUE LUMIÈRE DU NORD"' in html
    assert 'value="47.71Z"' in html
    assert "reprises : vérifiez-les" in html


def test_lookup_when_the_service_is_down_lets_the_user_type(client, applicant, settings):
    settings.COMPANY_LOOKUP_BACKEND = "api"
    cache.clear()
    client.force_login(applicant)
    with mock.patch("organisations.lookup.requests.get", side_effect=requests.ConnectionError()):
        response = client.post(
            reverse("organisations:add"), {"lookup": "1", "siret": "83456789300021"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne répond pas pour le moment" in html
    assert 'value="83456789300021"' in html


def test_creating_an_organisation_makes_the_user_its_owner_and_is_audited(client, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("organisations:add"), {**FORM, "department": department_id("59")}
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(siret="81234567600017")
    assert organisation.siren == "812345676"
    assert organisation.naf == "47.71Z"
    assert organisation.region.code == "HDF"
    assert Membership.objects.get(organisation=organisation).role == MemberRole.OWNER
    event = AuditEvent.objects.for_object(organisation).get()
    assert (event.action, event.actor) == ("organisation_create", applicant)


def test_invalid_siret_keeps_the_rest_of_the_form(client, applicant):
    client.force_login(applicant)
    data = {**FORM, "siret": "81234567600018", "department": department_id("59")}
    response = client.post(reverse("organisations:add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "clé de contrôle incorrecte" in html
    assert 'value="Boutique Lumière du Nord"' in html
    assert 'value="12 rue Esquermoise"' in html
    assert not Organisation.objects.exists()


def test_an_organisation_already_registered_is_refused_with_advice(client, applicant):
    OrganisationFactory(siret="81234567600017")
    client.force_login(applicant)
    response = client.post(
        reverse("organisations:add"), {**FORM, "department": department_id("59")}
    )
    assert response.status_code == 200
    assert "demandez à l&#x27;un de ses membres de vous inviter" in response.content.decode()


def test_a_user_can_belong_to_several_organisations(applicant):
    MembershipFactory(user=applicant)
    MembershipFactory(user=applicant)
    assert Organisation.objects.for_user(applicant).count() == 2


def test_a_non_member_gets_404_on_another_organisation(client, applicant):
    other = MembershipFactory()
    client.force_login(applicant)
    response = client.get(reverse("organisations:edit", args=[other.organisation.pk]))
    assert response.status_code == 404


def test_a_member_can_update_but_not_change_the_siret(client, membership):
    client.force_login(membership.user)
    organisation = membership.organisation
    data = {
        **FORM,
        "siret": "81234567600017",
        "name": "Nouveau nom",
        "department": department_id("59"),
    }
    response = client.post(reverse("organisations:edit", args=[organisation.pk]), data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Nouveau nom"
    assert organisation.siret != "81234567600017"
    assert AuditEvent.objects.for_object(organisation).filter(action="organisation_update").exists()


def test_add_page_gives_every_element_its_own_id(client, applicant):
    """The look-up and the organisation form share a page: no id twice, each label its field."""
    import re
    from collections import Counter

    client.force_login(applicant)
    for response in (
        client.get(reverse("organisations:add")),
        client.post(reverse("organisations:add"), {"lookup": "1", "siret": "81234567600017"}),
    ):
        html = response.content.decode()
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [name for name, count in ids.items() if count > 1] == []
        assert 'for="id_lookup_siret"' in html and 'for="id_siret"' in html


@pytest.mark.parametrize(
    "typed, kept", [("W442001234", "W442001234"), ("w 442 001 234", "W442001234")]
)
def test_an_association_gives_its_rna_number(typed, kept):
    from organisations.validators import clean_rna

    assert clean_rna(typed) == kept


@pytest.mark.parametrize("typed", ["442001234", "W4420012", "X442001234", "W44200123A"])
def test_a_malformed_rna_number_is_refused_in_french(typed):
    from django.core.exceptions import ValidationError

    from organisations.validators import clean_rna

    with pytest.raises(ValidationError, match="W suivi de 9 chiffres"):
        clean_rna(typed)


def test_only_an_association_has_an_rna_number(db):
    from organisations.forms import OrganisationForm
    from territories.models import Department

    data = {
        "siret": "81234567600017",
        "kind": "company",
        "rna": "W442001234",
        "name": "Boutique",
        "department": Department.objects.get(code="59").pk,
    }
    form = OrganisationForm(data)
    assert not form.is_valid()
    assert form.errors["rna"] == ["Le numéro RNA ne concerne que les associations."]
    form = OrganisationForm({**data, "kind": "association"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rna"] == "W442001234"
