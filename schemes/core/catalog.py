"""Codes and French labels shared by forms and rules: categories, devices, modes, schemes."""

from __future__ import annotations

from .model import SchemeInfo

DELIB = "hdf-deliberation-2021-01652-annexe.txt"
FICHE_INAC = "hdf-inac-fiche.md"
FICHE_INESS = "hdf-iness-fiche.md"
PDL_FAQ = "pdl-investissement-numerique-faq.md"
IDF_TEXT = "idf-cheque-numerique-volet2.md"
CONTRACT = "contracts/simulate.md"
REG_1407 = "Règlement (UE) n° 1407/2013"
REG_2831 = "Règlement (UE) 2023/2831"
REG_651 = "Règlement (UE) n° 651/2014"

CATEGORIES: dict[str, str] = {
    "ecommerce_site": "Site de vente en ligne (nouveau ou évolution, référencement naturel inclus)",
    "webmarketing": "Outils de webmarketing (mesure publicitaire, collecte de données, relation client)",
    "crm": "Gestion de la relation client (GRC / CRM)",
    "erp": "Progiciel de gestion intégrée (PGI / ERP)",
    "business_software": "Progiciels « métiers »",
    "data": "Organisation autour des données, logiciel d'intelligence artificielle",
    "collaboration": "Logiciels collaboratifs et de travail à distance",
    "cloud": "Migration vers l'informatique en nuage (cloud)",
    "mobile_app": "Application mobile multicanale",
    "connected_equipment": "Matériel numérique ou connecté (caisse, brodeuse, machine, robot)",
    "additive_manufacturing": "Impression additive (imprimante ou scanner 3D)",
    "augmented_reality": "Équipement de réalité augmentée",
    "hardware": "Matériel informatique (ordinateur, tablette ou smartphone)",
    "showcase_site": "Site web « vitrine » simple",
    "consumer_software": "Logiciels grand public (bureautique)",
    "cybersecurity": "Prestations et investissements de cybersécurité",
    "unrelated_hardware": "Matériel non lié à un projet global de transition numérique",
    "commerce_solution": "Solution de visibilité et de vente en ligne des commerces "
    "(référencement, click-and-collect, drive, place de marché, fidélisation)",
    "solution_training": "Formation liée à l'acquisition de la solution",
    "communication": "Dépenses de communication",
    "project_assistance": "Assistance à maîtrise d'ouvrage",
    "collective_training": "Formation collective en ligne des commerces",
}

DEVICES: dict[str, str] = {
    "computer": "Ordinateur",
    "tablet": "Tablette",
    "smartphone": "Smartphone",
}

MODES: dict[str, str] = {
    "purchase": "Acquisition",
    "service": "Prestation",
    "subscription": "Abonnement",
    "leasing": "Crédit-bail ou location financière",
}

KINDS: dict[str, str] = {
    "company": "entreprise",
    "association": "association",
    "commune": "commune",
    "intercommunality": "groupement de communes",
}

BASES: dict[str, str] = {"HT": "hors taxes", "TTC": "toutes taxes comprises"}

HDF_DEPARTMENTS = ("02", "59", "60", "62", "80")
PDL_DEPARTMENTS = ("44", "49", "53", "72", "85")
IDF_DEPARTMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")

SCHEMES: dict[str, SchemeInfo] = {
    "INAC": SchemeInfo(
        code="INAC",
        name="Soutien aux investissements numériques des artisans-commerçants",
        region="HDF",
        applicant_kinds=("company", "association"),
        departments=HDF_DEPARTMENTS,
        description="Subvention de 40 % des investissements numériques HT (3 000 € à 30 000 €) "
        "des artisans-commerçants et entreprises de l'ESS des Hauts-de-France.",
        documents=(DELIB, FICHE_INAC),
    ),
    "INESS": SchemeInfo(
        code="INESS",
        name="Soutien à la transition numérique des entreprises de l'ESS",
        region="HDF",
        applicant_kinds=("company", "association"),
        departments=HDF_DEPARTMENTS,
        description="Subvention de 40 % des investissements numériques HT (3 000 € à 30 000 €) "
        "des entreprises de l'économie sociale et solidaire des Hauts-de-France.",
        documents=(DELIB, FICHE_INESS),
    ),
    "PDL-IN": SchemeInfo(
        code="PDL-IN",
        name="Pays de la Loire Investissement Numérique",
        region="PDL",
        applicant_kinds=("company", "association"),
        departments=PDL_DEPARTMENTS,
        description="Subvention de 50 % des coûts éligibles HT (5 000 € minimum), plafonnée à "
        "15 000 € par entreprise, pour les PME des Pays de la Loire.",
        documents=(PDL_FAQ,),
    ),
    "IDF-CN2": SchemeInfo(
        code="IDF-CN2",
        name="Chèque numérique volet 2 – communes et leurs groupements",
        region="IDF",
        applicant_kinds=("commune", "intercommunality"),
        departments=IDF_DEPARTMENTS,
        description="Chèque de 1 000 € à 10 000 € par tranche de dépenses pour les communes "
        "franciliennes et leurs groupements qui numérisent les commerces de leur territoire.",
        documents=(IDF_TEXT,),
    ),
}

REGION_NAMES = {"HDF": "Hauts-de-France", "PDL": "Pays de la Loire", "IDF": "Île-de-France"}
