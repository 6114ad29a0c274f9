"""Scheme-specific questions of the filing journey: eligibility answers and PDL-IN report."""

# Eligibility answers asked per scheme; names are the engine's applicant fields.
HDF_QUESTIONS = [
    "headcount",
    "turnover",
    "registered_rcs",
    "registered_rm",
    "esus",
    "siae",
    "aci",
    "digital_core",
    "market_activity_share",
    "tax_social_up_to_date",
    "in_difficulty",
    "project_certified",
]
QUESTIONS = {
    "INAC": HDF_QUESTIONS,
    "INESS": HDF_QUESTIONS,
    "PDL-IN": [
        "headcount",
        "turnover",
        "balance_sheet_total",
        "registered_rcs",
        "registered_rm",
        "micro_enterprise",
        "certified_accounts",
        "market_activity_share",
        "region_share",
        "tax_social_up_to_date",
        "in_difficulty",
    ],
    "IDF-CN2": [],
}

# PDL-IN "rapport de réflexion" (FAQ): the sections the applicant writes.
PDL_REPORT_SECTIONS = [
    ("context", "Contexte de l'entreprise"),
    ("project", "Le projet"),
    ("added_value", "Valeur ajoutée attendue"),
    ("risks", "Risques et mesures pour les maîtriser"),
    ("provider", "Choix du prestataire"),
    ("other", "Autres informations"),
]


def report_sections(scheme_code: str) -> list[tuple[str, str]]:
    return PDL_REPORT_SECTIONS if scheme_code == "PDL-IN" else []
