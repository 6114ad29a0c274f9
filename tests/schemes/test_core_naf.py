"""The NAF table against the INSEE NAF rév. 2 nomenclature, and the ESS digital-core exclusion
of volet 1 whatever route admits the ESS enterprise (issue 16, defects 1 and 2)."""

from __future__ import annotations

from typing import Any

import pytest

from schemes.core import simulate
from schemes.core.naf import NAF_TABLE, display_naf, excluded_family

# Official INSEE labels of NAF rév. 2 (nomenclature d'activités française, 2008), for the level
# each prefix names: division (2 digits), group (3), class (4), sub-class (4 + letter).
INSEE_NAF_REV2 = {
    "45.31Z": "Commerce de gros d'équipements automobiles",
    "46": "Commerce de gros, à l'exception des automobiles et des motocycles",
    "46.12A": "Centrales d'achat de carburant",
    "46.17A": "Centrales d'achat alimentaires",
    "46.19A": "Centrales d'achat non alimentaires",
    "47.73Z": "Commerce de détail de produits pharmaceutiques en magasin spécialisé",
    "58.21Z": "Édition de jeux électroniques",
    "58.29": "Édition d'autres logiciels",
    "62.01Z": "Programmation informatique",
    "62.02": "Conseil informatique",
    "62.02A": "Conseil en systèmes et logiciels informatiques",
    "62.03Z": "Gestion d'installations informatiques",
    "62.09Z": "Autres activités informatiques",
    "63.1": "Traitement de données, hébergement et activités connexes ; portails Internet",
    "64": "Activités des services financiers, hors assurance et caisses de retraite",
    "65": "Assurance",
    "66.1": "Activités auxiliaires de services financiers, hors assurance et caisses de retraite",
    "66.2": "Activités auxiliaires d'assurance et de caisses de retraite",
    "66.30Z": "Gestion de fonds",
    "68": "Activités immobilières",
    "69.10Z": "Activités juridiques",
    "69.20Z": "Activités comptables",
    "70.21Z": "Conseil en relations publiques et communication",
    "70.22Z": "Conseil pour les affaires et autres conseils de gestion",
    "71.11Z": "Activités d'architecture",
    "71.12A": "Activité des géomètres",
    "71.12B": "Ingénierie, études techniques",
    "73.20Z": "Études de marché et sondages",
    "74.10Z": "Activités spécialisées de design",
    "74.30Z": "Traduction et interprétation",
    "74.90A": "Activité des économistes de la construction",
    "74.90B": "Activités spécialisées, scientifiques et techniques diverses",
    "75.00Z": "Activités vétérinaires",
    "85.59A": "Formation continue d'adultes",
    "85.59B": "Autres enseignements",
    "85.60Z": "Activités de soutien à l'enseignement",
    "86.21Z": "Activité des médecins généralistes",
    "86.22": "Activité des médecins spécialistes",
    "86.23Z": "Pratique dentaire",
    "86.90B": "Laboratoires d'analyses médicales",
    "86.90D": "Activités des infirmiers et des sages-femmes",
    "86.90E": "Activités des professionnels de la rééducation, de l'appareillage et des "
    "pédicures-podologues",
    "86.90F": "Activités de santé humaine non classées ailleurs",
}


def _dotted(prefix: str) -> str:
    return prefix if len(prefix) == 2 else f"{prefix[:2]}.{prefix[2:]}"


@pytest.mark.parametrize(("prefix", "family", "label"), NAF_TABLE, ids=lambda x: str(x)[:12])
def test_each_table_entry_has_its_official_insee_label(
    prefix: str, family: str, label: str
) -> None:
    assert INSEE_NAF_REV2[_dotted(prefix)] == label


def test_every_code_named_is_in_the_table() -> None:
    assert {_dotted(prefix) for prefix, _, _ in NAF_TABLE} == set(INSEE_NAF_REV2)


@pytest.mark.parametrize("code", ["4612A", "4617A", "4619A"])
def test_the_three_purchasing_centres_are_purchasing_centres(code: str) -> None:
    family, _, label = excluded_family(code, ["purchasing_centre"])  # type: ignore[misc]
    assert family.code == "purchasing_centre"
    assert label.startswith("Centrales d'achat")


@pytest.mark.parametrize("code", ["4619B", "4612B", "4617B"])
def test_other_trade_intermediaries_are_not_purchasing_centres(code: str) -> None:
    assert excluded_family(code, ["purchasing_centre"]) is None


def _situation(scheme: str, **applicant: Any) -> dict[str, Any]:
    base = {
        "INAC": ("2022-05-10", {"kind": "company", "legal_form": "SARL", "registered_rcs": True}),
        "INESS": ("2022-03-01", {"kind": "company", "legal_form": "SCOP"}),
    }[scheme]
    return {
        "scheme": scheme,
        "filed_on": base[0],
        "applicant": {
            **base[1],
            "naf": "47.71Z",
            "department": "59",
            "headcount": 4,
            "turnover": "380000",
            **applicant,
        },
        "project": {"expenses": [{"category": "erp", "amount": "10000"}]},
    }


def _codes(result: dict[str, Any]) -> set[str]:
    return {r["code"] for r in result["reasons"]}


@pytest.mark.parametrize("naf", ["46.12A", "46.17A", "46.19A"])
def test_iness_refuses_each_purchasing_centre(naf: str) -> None:
    r = simulate(_situation("INESS", naf=naf))
    assert not r["eligible"]
    [reason] = [x for x in r["reasons"] if x["code"] == "activity_excluded"]
    assert "centrale d'achat" in reason["message"]
    assert display_naf(naf.replace(".", "")) in reason["message"]
    assert "2) Volet" in reason["source"] and "« Centrale d'achat »" in reason["source"]


def test_iness_admits_46_19b_which_volet_2_does_not_exclude() -> None:
    r = simulate(_situation("INESS", naf="46.19B"))
    assert r["eligible"] and r["award"] == "4000.00"


def test_inac_still_excludes_46_19b_as_wholesale() -> None:
    r = simulate(_situation("INAC", naf="46.19B"))
    assert "activity_excluded" in _codes(r)
    [reason] = [x for x in r["reasons"] if x["code"] == "activity_excluded"]
    assert "commerce de gros" in reason["message"]
    assert "1) Volet" in reason["source"]


# --- volet 1: « Pour les Entreprises de l'ESS, Toute entreprise ayant le numérique pour cœur
# d'activité » -- an ESS enterprise whatever route admits it.

ESS_BY_ROUTE = {
    "SCOP registered at the RCS (examined as artisan-commerçant)": {
        "legal_form": "SCOP",
        "registered_rcs": True,
    },
    "SCOP registered at the RM": {"legal_form": "SCOP", "registered_rm": True},
    "SCOP not registered": {"legal_form": "SCOP", "registered_rcs": False},
    "ESUS company registered at the RCS": {"legal_form": "SAS", "esus": True},
    "SIAE registered at the RCS": {"legal_form": "SARL", "siae": True},
    "employer group registered at the RCS": {"legal_form": "GEIQ"},
    "employer association": {
        "kind": "association",
        "legal_form": "ASSOCIATION",
        "registered_rcs": False,
        "market_activity_share": "0.8",
    },
}


@pytest.mark.parametrize("applicant", ESS_BY_ROUTE.values(), ids=list(ESS_BY_ROUTE))
def test_inac_excludes_an_ess_enterprise_whose_core_is_digital(applicant: dict[str, Any]) -> None:
    r = simulate(_situation("INAC", digital_core=True, **applicant))
    assert not r["eligible"]
    [reason] = [x for x in r["reasons"] if x["code"] == "digital_core_excluded"]
    assert "1) Volet" in reason["source"] and "Pour les Entreprises de l'ESS" in reason["source"]
    [check] = [c for c in r["checks"] if c["code"] == "digital_core"]
    assert check["passed"] is False


@pytest.mark.parametrize("applicant", ESS_BY_ROUTE.values(), ids=list(ESS_BY_ROUTE))
def test_inac_admits_the_same_ess_enterprise_without_digital_core(
    applicant: dict[str, Any],
) -> None:
    r = simulate(_situation("INAC", digital_core=False, **applicant))
    assert r["eligible"], r["reasons"]
    [check] = [c for c in r["checks"] if c["code"] == "digital_core"]
    assert check["passed"] is True


def test_inac_ess_scop_with_a_digital_naf_is_excluded() -> None:
    r = simulate(_situation("INAC", legal_form="SCOP", naf="62.01Z"))
    assert not r["eligible"]
    assert "activity_excluded" in _codes(r)


def test_inac_artisan_without_ess_status_may_have_a_digital_core() -> None:
    """The exclusion is « Pour les Entreprises de l'ESS » only: a SARL without ESUS approval,
    registered at the RCS, whose core is digital, is not excluded by it."""
    r = simulate(_situation("INAC", digital_core=True, naf="62.01Z"))
    assert r["eligible"], r["reasons"]
    [check] = [c for c in r["checks"] if c["code"] == "digital_core"]
    assert check["passed"] is None
    assert "n'en est pas une" in check["detail"]
