"""The one reviewed table mapping excluded activities to NAF rév. 2 codes.

Each family cites the passage it implements; a version lists the families it excludes in its
`excluded_activities` parameter. A code matches an entry when it starts with the entry's prefix
(a division "46", a group "661", or a full code "4773Z"); the longest prefix wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import DELIB
from .model import Source

_EXCL = "1) volet artisans-commerçants et 2) volet INESS, « Exclusions »"


@dataclass(frozen=True)
class NafFamily:
    code: str
    label: str
    source: Source


# The words of each volet's « Exclusions » list that a family implements, per volet of the
# deliberation ("1)" artisans-commerçants, "2)" INESS); a family absent from a volet has none.
VOLET_QUOTES: dict[str, dict[str, str]] = {
    "liberal_regulated": {
        "1)": "Professions libérales réglementées",
        "2)": "Professions libérales réglementées",
    },
    "liberal_unregulated": {
        "1)": "Professions libérales réglementées et non réglementées ou assimilées",
        "2)": "Professions libérales réglementées et non réglementées ou assimilées",
    },
    "pharmacy": {"1)": "ou assimilées (pharmacies,...)", "2)": "ou assimilées (pharmacies,)"},
    "bank": {
        "1)": "Activités financières et immobilières (banques, ...)",
        "2)": "Activités financières et immobilières (banques, ...)",
    },
    "insurance": {
        "1)": "Activités financières et immobilières (..., assurances, ...)",
        "2)": "Activités financières et immobilières (..., assurances, ...)",
    },
    "real_estate": {
        "1)": "Activités financières et immobilières (..., agences immobilières,...)",
        "2)": "Activités financières et immobilières (..., agences immobilières,)",
    },
    "training": {"1)": "Organismes de formation", "2)": "Organismes de formation"},
    "consulting": {
        "1)": "Organismes de formation, conseil, bureaux d'études",
        "2)": "Organismes de formation, conseil, bureaux d'études",
    },
    "design_office": {
        "1)": "Organismes de formation, conseil, bureaux d'études",
        "2)": "Organismes de formation, conseil, bureaux d'études",
    },
    "wholesale": {"1)": "Commerce de gros."},
    "purchasing_centre": {"1)": "Commerce de gros. Centrales d'achats", "2)": "Centrale d'achat"},
    "digital_core": {
        "1)": "Pour les Entreprises de l'ESS, Toute entreprise ayant le numérique pour cœur "
        "d'activité",
        "2)": "Toute entreprise ayant le numérique pour cœur d'activité",
    },
}


def family_source(family: NafFamily, excluded: Source) -> Source:
    """The passage that excludes `family` in the text of the version whose
    `excluded_activities` parameter cites `excluded` (its own volet, for the deliberation)."""
    if excluded.document == DELIB:
        quote = VOLET_QUOTES.get(family.code, {}).get(excluded.passage[:2])
        if quote:
            return Source(DELIB, f"{excluded.passage} : « {quote} »")
    return excluded


FAMILIES: dict[str, NafFamily] = {
    f.code: f
    for f in (
        NafFamily(
            "liberal_regulated",
            "profession libérale réglementée",
            Source(DELIB, f"{_EXCL} : « Professions libérales réglementées et non réglementées »"),
        ),
        NafFamily(
            "liberal_unregulated",
            "profession libérale non réglementée ou assimilée",
            Source(
                DELIB,
                f"{_EXCL} : « Professions libérales réglementées et non réglementées "
                "ou assimilées »",
            ),
        ),
        NafFamily(
            "pharmacy",
            "pharmacie",
            Source(DELIB, f"{_EXCL} : « ou assimilées (pharmacies,...) »"),
        ),
        NafFamily(
            "bank",
            "activité financière (banque, services financiers)",
            Source(DELIB, f"{_EXCL} : « Activités financières et immobilières (banques, ...) »"),
        ),
        NafFamily(
            "insurance",
            "assurance",
            Source(
                DELIB, f"{_EXCL} : « Activités financières et immobilières (..., assurances, ...) »"
            ),
        ),
        NafFamily(
            "real_estate",
            "activité immobilière",
            Source(
                DELIB,
                f"{_EXCL} : « Activités financières et immobilières (..., agences "
                "immobilières,...) »",
            ),
        ),
        NafFamily(
            "training",
            "organisme de formation",
            Source(DELIB, f"{_EXCL} : « Organismes de formation, conseil, bureaux d'études »"),
        ),
        NafFamily(
            "consulting",
            "activité de conseil",
            Source(DELIB, f"{_EXCL} : « Organismes de formation, conseil, bureaux d'études »"),
        ),
        NafFamily(
            "design_office",
            "bureau d'études",
            Source(DELIB, f"{_EXCL} : « Organismes de formation, conseil, bureaux d'études »"),
        ),
        NafFamily(
            "wholesale",
            "commerce de gros",
            Source(
                DELIB,
                "1) volet artisans-commerçants, « Exclusions » : « Commerce de gros. "
                "Centrales d'achats » (absent du volet 2 INESS)",
            ),
        ),
        NafFamily(
            "purchasing_centre",
            "centrale d'achat",
            Source(DELIB, f"{_EXCL} : « Centrales d'achats » / « Centrale d'achat »"),
        ),
        NafFamily(
            "digital_core",
            "entreprise ayant le numérique pour cœur d'activité",
            Source(
                DELIB,
                "1) « Pour les Entreprises de l'ESS, Toute entreprise ayant le numérique "
                "pour cœur d'activité » ; 2) volet INESS, « Exclusions »",
            ),
        ),
    )
}

# (prefix, family, NAF label). Each label is the official INSEE label of the NAF rév. 2
# level the prefix names (division "64", group "661", class "5829", sub-class "4773Z"), checked
# against the nomenclature (tests/schemes/test_core_naf.py pins each one).
NAF_TABLE: tuple[tuple[str, str, str], ...] = (
    ("6910Z", "liberal_regulated", "Activités juridiques"),
    ("6920Z", "liberal_regulated", "Activités comptables"),
    ("7111Z", "liberal_regulated", "Activités d'architecture"),
    ("7112A", "liberal_regulated", "Activité des géomètres"),
    ("7500Z", "liberal_regulated", "Activités vétérinaires"),
    ("8621Z", "liberal_regulated", "Activité des médecins généralistes"),
    ("8622", "liberal_regulated", "Activité des médecins spécialistes"),
    ("8623Z", "liberal_regulated", "Pratique dentaire"),
    ("8690B", "liberal_regulated", "Laboratoires d'analyses médicales"),
    ("8690D", "liberal_regulated", "Activités des infirmiers et des sages-femmes"),
    (
        "8690E",
        "liberal_regulated",
        "Activités des professionnels de la rééducation, de l'appareillage et des "
        "pédicures-podologues",
    ),
    ("7410Z", "liberal_unregulated", "Activités spécialisées de design"),
    ("7430Z", "liberal_unregulated", "Traduction et interprétation"),
    (
        "7490B",
        "liberal_unregulated",
        "Activités spécialisées, scientifiques et techniques diverses",
    ),
    ("8690F", "liberal_unregulated", "Activités de santé humaine non classées ailleurs"),
    (
        "4773Z",
        "pharmacy",
        "Commerce de détail de produits pharmaceutiques en magasin spécialisé",
    ),
    ("64", "bank", "Activités des services financiers, hors assurance et caisses de retraite"),
    (
        "661",
        "bank",
        "Activités auxiliaires de services financiers, hors assurance et caisses de retraite",
    ),
    ("6630Z", "bank", "Gestion de fonds"),
    ("65", "insurance", "Assurance"),
    ("662", "insurance", "Activités auxiliaires d'assurance et de caisses de retraite"),
    ("68", "real_estate", "Activités immobilières"),
    ("8559A", "training", "Formation continue d'adultes"),
    ("8559B", "training", "Autres enseignements"),
    ("8560Z", "training", "Activités de soutien à l'enseignement"),
    ("7021Z", "consulting", "Conseil en relations publiques et communication"),
    ("7022Z", "consulting", "Conseil pour les affaires et autres conseils de gestion"),
    ("7320Z", "consulting", "Études de marché et sondages"),
    ("6202A", "consulting", "Conseil en systèmes et logiciels informatiques"),
    ("7112B", "design_office", "Ingénierie, études techniques"),
    ("7490A", "design_office", "Activité des économistes de la construction"),
    ("46", "wholesale", "Commerce de gros, à l'exception des automobiles et des motocycles"),
    ("4531Z", "wholesale", "Commerce de gros d'équipements automobiles"),
    ("4612A", "purchasing_centre", "Centrales d'achat de carburant"),
    ("4617A", "purchasing_centre", "Centrales d'achat alimentaires"),
    ("4619A", "purchasing_centre", "Centrales d'achat non alimentaires"),
    ("5821Z", "digital_core", "Édition de jeux électroniques"),
    ("5829", "digital_core", "Édition d'autres logiciels"),
    ("6201Z", "digital_core", "Programmation informatique"),
    ("6202", "digital_core", "Conseil informatique"),
    ("6203Z", "digital_core", "Gestion d'installations informatiques"),
    ("6209Z", "digital_core", "Autres activités informatiques"),
    (
        "631",
        "digital_core",
        "Traitement de données, hébergement et activités connexes ; portails Internet",
    ),
)

_NAF_RE = re.compile(r"^\d{4}[A-Z]$")


def normalize_naf(code: str) -> str | None:
    """'47.71Z', '4771z', ' 47 71 Z ' -> '4771Z'; None when it is not a NAF rév. 2 code."""
    compact = re.sub(r"[\s.]", "", code).upper()
    return compact if _NAF_RE.match(compact) else None


def display_naf(code: str) -> str:
    """'4771Z' -> '47.71Z'"""
    return f"{code[:2]}.{code[2:]}"


def matches(code: str) -> list[tuple[str, str, str]]:
    """All table entries matching a normalised code, longest prefix first."""
    found = [row for row in NAF_TABLE if code.startswith(row[0])]
    return sorted(found, key=lambda row: -len(row[0]))


def excluded_family(code: str, families: list[str]) -> tuple[NafFamily, str, str] | None:
    """The most specific excluded family matching `code` among `families`, with entry and label."""
    for prefix, family, label in matches(code):
        if family in families:
            return FAMILIES[family], prefix, label
    return None
