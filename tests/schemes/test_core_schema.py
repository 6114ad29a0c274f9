"""The parameter definitions of the rules core (issue 18 point 3): one test per validation rule,
each error in French on the field concerned."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from schemes.core import default_versions
from schemes.core.model import InputError, Param, RuleVersion, Source
from schemes.core.schema import (
    PARAMETERS,
    coerce_value,
    display_value,
    naf_codes,
    validate_version,
)

D = Decimal


def _version(code: str) -> RuleVersion:
    return next(v for v in default_versions() if v.scheme == code)


def _with(version: RuleVersion, **values) -> RuleVersion:
    params = dict(version.parameters)
    for name, value in values.items():
        params[name] = dataclasses.replace(params[name], value=value)
    return dataclasses.replace(version, parameters=params)


def _errors(version: RuleVersion) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in validate_version(version):
        out.setdefault(error.field, []).append(error.message.replace("\xa0", " "))
    return out


@pytest.mark.parametrize("version", default_versions(), ids=lambda v: v.ident)
def test_every_version_of_the_texts_is_valid_and_fully_described(version):
    assert validate_version(version) == []
    assert set(version.parameters) == set(PARAMETERS)


def test_rate_above_100_percent_is_refused_on_the_rate():
    errors = _errors(_with(_version("PDL-IN"), rate=D("1.5")))
    assert errors == {
        "rate": [
            "Taux d'aide : le taux doit être supérieur à 0 % et au plus 100 % (saisi : 150 %)."
        ]
    }


def test_rate_of_zero_is_refused():
    assert "rate" in _errors(_with(_version("PDL-IN"), rate=D("0")))


def test_negative_amount_is_refused_on_its_field():
    errors = _errors(_with(_version("PDL-IN"), base_ceiling=D("-1")))
    assert "ne peut pas être inférieure à 0" in errors["base_ceiling"][0]


def test_amount_with_more_than_cents_is_refused():
    errors = _errors(_with(_version("PDL-IN"), ceiling=D("15000.005")))
    assert errors["ceiling"] == ["Plafond de l'aide : au plus deux décimales (centimes)."]


def test_wrong_type_is_refused():
    errors = _errors(_with(_version("PDL-IN"), ceiling="quinze mille"))
    assert errors["ceiling"] == ["Plafond de l'aide : valeur attendue de type montant en euros."]


def test_integer_out_of_range_is_refused():
    errors = _errors(_with(_version("PDL-IN"), cap_wait_years=99))
    assert "ne peut pas dépasser 20" in errors["cap_wait_years"][0]


def test_missing_mandatory_value_is_refused():
    errors = _errors(_with(_version("PDL-IN"), tax_social_required=None))
    assert errors["tax_social_required"] == [
        "À jour des obligations fiscales et sociales : une valeur est obligatoire."
    ]


def test_floor_above_base_ceiling_is_refused_on_the_floor():
    errors = _errors(_with(_version("PDL-IN"), floor=D("40000")))
    assert errors["floor"] == [
        "Seuil minimal des dépenses éligibles : le seuil (40 000,00 €) dépasse l'assiette "
        "maximale (30 000,00 €)."
    ]


def test_ceiling_below_the_smallest_aid_is_refused_on_the_ceiling():
    errors = _errors(_with(_version("PDL-IN"), ceiling=D("2000")))
    assert "plus petite aide possible (taux × seuil = 2 500,00 €)" in errors["ceiling"][0]


def test_rate_and_tiers_together_are_refused():
    errors = _errors(_with(_version("IDF-CN2"), rate=D("0.5")))
    assert errors["rate"] == [
        "Taux d'aide : indiquez soit un taux, soit un barème par tranches (un seul des deux)."
    ]


def test_tiers_must_ascend():
    idf = _version("IDF-CN2")
    tiers = list(idf.value("tiers"))
    tiers[1], tiers[2] = tiers[2], tiers[1]
    errors = _errors(_with(idf, tiers=tiers))
    assert errors["tiers.3"] == [
        "Barème par tranches, ligne 3 : les tranches doivent être croissantes "
        "(4 000,00 € après 6 000,00 €)."
    ]


def test_tier_award_cannot_decrease_nor_exceed_its_expenses():
    idf = _version("IDF-CN2")
    tiers = [{"from": D("2000"), "award": D("1500")}, {"from": D("4000"), "award": D("1000")}]
    errors = _errors(_with(idf, tiers=tiers, ceiling=D("10000")))
    assert "ne peut pas être plus faible" in errors["tiers.2"][0]
    tiers = [{"from": D("2000"), "award": D("3000")}]
    assert "dépasse les dépenses" in _errors(_with(idf, tiers=tiers))["tiers.1"][0]


def test_last_tier_above_the_ceiling_is_refused():
    errors = _errors(_with(_version("IDF-CN2"), ceiling=D("8000")))
    assert "dépasse le plafond de l'aide (8 000,00 €)" in errors["tiers"][0]


def test_unknown_category_is_refused():
    pdl = _version("PDL-IN")
    errors = _errors(_with(pdl, eligible_categories=["erp", "rocket"]))
    assert errors["eligible_categories"] == [
        "Catégories de dépenses éligibles : choix inconnu pour ce dispositif : rocket."
    ]


def test_empty_category_list_is_refused():
    errors = _errors(_with(_version("PDL-IN"), eligible_categories=[]))
    assert errors["eligible_categories"] == [
        "Catégories de dépenses éligibles : cochez au moins un choix."
    ]


def test_unknown_applicant_kind_is_refused():
    errors = _errors(_with(_version("PDL-IN"), applicant_kinds=["company", "citizen"]))
    assert "citizen" in errors["applicant_kinds"][0]


def test_unknown_naf_family_is_refused():
    errors = _errors(_with(_version("INAC"), excluded_activities=["bank", "casino"]))
    assert errors["excluded_activities"] == [
        "Activités exclues (codes NAF) : famille d'activités inconnue pour ce dispositif : casino."
    ]


def test_another_regions_departments_are_refused():
    """Another scheme's parameters pasted by mistake (the issue's example) do not pass."""
    pdl = _version("PDL-IN")
    pasted = dataclasses.replace(_version("INAC"), parameters=pdl.parameters)
    errors = _errors(pasted)
    assert "departments" in errors and "44" in errors["departments"][0]


def test_unknown_and_missing_parameters_are_refused():
    pdl = _version("PDL-IN")
    params = dict(pdl.parameters)
    del params["rate"]
    params["taux"] = pdl.parameters["floor"]
    errors = _errors(dataclasses.replace(pdl, parameters=params))
    assert errors["taux"] == ["Paramètre inconnu des règles : « taux »."]
    assert "Taux d'aide : paramètre manquant." in errors["rate"]


def test_a_parameter_without_citation_is_refused():
    pdl = _version("PDL-IN")
    params = dict(pdl.parameters)
    params["rate"] = Param(D("0.4"), Source("pdl-investissement-numerique-faq.md", " "))
    errors = _errors(dataclasses.replace(pdl, parameters=params))
    assert errors["rate.source"] == ["Taux d'aide : citez la source (texte et passage)."]


def test_validity_end_before_start_is_refused():
    pdl = dataclasses.replace(_version("PDL-IN"), valid_to=date(2018, 1, 1))
    assert _errors(pdl)["valid_to"] == ["La fin de validité précède son début."]


def test_document_table_rows_are_checked():
    pdl = _version("PDL-IN")
    docs = [{"code": "rib", "label": ""}, {"code": "rib", "label": "RIB", "when": "someday"}]
    errors = _errors(_with(pdl, required_documents=docs))
    assert "Libellé : une valeur est obligatoire" in errors["required_documents.1"][0]
    assert "« someday » n'est pas un choix possible" in errors["required_documents.2"][0]
    assert errors["required_documents"] == [
        "Pièces demandées : un même code de pièce figure deux fois."
    ]


def test_coerce_reads_french_numbers_dates_and_answers_in_french():
    assert coerce_value(PARAMETERS["ceiling"], "15 000,50 €") == D("15000.50")
    assert coerce_value(PARAMETERS["expenses_from"], "12/03/2020") == date(2020, 3, 12)
    assert coerce_value(PARAMETERS["ceiling"], "") is None
    with pytest.raises(InputError) as exc:
        coerce_value(PARAMETERS["ceiling"], "beaucoup")
    assert exc.value.field == "ceiling"
    assert exc.value.message == "Plafond de l'aide : « beaucoup » n'est pas un nombre."


def test_naf_families_show_their_insee_labels():
    assert ("47.73Z", "Commerce de détail de produits pharmaceutiques en magasin spécialisé") in (
        naf_codes("pharmacy")
    )


def test_values_are_displayed_in_french():
    pdl = _version("PDL-IN")
    assert display_value(PARAMETERS["rate"], pdl.value("rate"), "PDL-IN") == "50 %"
    shown = display_value(PARAMETERS["ceiling"], pdl.value("ceiling"), "PDL-IN")
    assert shown.replace("\xa0", " ") == "15 000,00 €"
    assert display_value(PARAMETERS["tiers"], None, "PDL-IN") == "non prévu"
