"""The content of each scheme's pages and forms, once written in Python modules keyed by scheme
code (applications/questions.py, schemes/audience.py, schemes/simulator.py, schemes/views.py), now
`Scheme` fields (issue 16's leftover, issue 17 point 5). A new scheme adds its own such migration."""

from django.db import migrations

# Texts for visitors from the schemes' documents: the HDF délibération n° 2021.01652 (INAC volet 1,
# INESS volet 2, not cumulable), the PDL-IN FAQ (rapport de réflexion), the IDF chèque numérique
# volet 2 (the offers selected by the Region's AMI, as listed in idf-cheque-numerique-volet2.md).
CONTENT = {
    "INAC": {
        "questions": [
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
        ],
        "audience_summary": "Subvention de 40 % des investissements numériques HT (3 000 € "
        "à 30 000 €) des artisans et commerçants des Hauts-de-France "
        "inscrits au registre du commerce (RCS) ou au répertoire des "
        "métiers (RM).",
        "audience_choose": "Vous êtes une structure de l'économie sociale et solidaire "
        "(association employeuse, SCOP, société agréée ESUS, SIAE, "
        "groupement d'employeurs) ? Choisissez plutôt INESS, le volet "
        "qui vous est destiné : les deux aides ne se cumulent pas.",
        "worked_example": {
            "applicant": {
                "kind": "company",
                "legal_form": "SARL",
                "naf": "47.71Z",
                "headcount": 4,
                "turnover": "380000",
                "registered_rcs": True,
            },
            "project": {
                "expenses": [
                    {"category": "ecommerce_site", "amount": "6000"},
                    {"category": "hardware", "device": "computer", "amount": "1200"},
                    {"category": "crm", "mode": "subscription", "months": 24, "amount": "2400"},
                ]
            },
        },
    },
    "INESS": {
        "questions": [
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
        ],
        "audience_summary": "Subvention de 40 % des investissements numériques HT (3 000 € "
        "à 30 000 €) des structures de l'économie sociale et solidaire "
        "des Hauts-de-France : associations employeuses ayant une "
        "activité économique, SCOP, sociétés agréées ESUS, SIAE, "
        "groupements d'employeurs.",
        "audience_choose": "Vous êtes artisan ou commerçant sans statut ESS ? Choisissez "
        "INAC. Les deux aides ne se cumulent pas : une structure de "
        "l'ESS choisit INESS.",
        "worked_example": {
            "applicant": {
                "kind": "association",
                "legal_form": "ASSOCIATION",
                "naf": "88.99B",
                "headcount": 12,
                "turnover": "600000",
                "esus": True,
                "market_activity_share": "0.6",
            },
            "project": {
                "expenses": [
                    {"category": "erp", "amount": "9000"},
                    {"category": "collaboration", "amount": "2500"},
                    {"category": "hardware", "device": "tablet", "amount": "650"},
                ]
            },
        },
        "choice": {
            "over": "INAC",
            "note": "Les deux sont ouverts parce que votre structure relève de "
            "l'économie sociale et solidaire (ESS). INESS est le volet "
            "destiné aux entreprises de l'ESS : c'est celui qui vous "
            "correspond. INAC est le volet des artisans-commerçants, qui "
            "admet aussi les entreprises de l'ESS.",
            "note_source": {
                "document": "hdf-deliberation-2021-01652-annexe.txt",
                "passage": "« 2) Volet destiné aux entreprises de "
                "l'économie sociale et solidaire –INESS »",
            },
            "non_cumul_source": {
                "document": "hdf-deliberation-2021-01652-annexe.txt",
                "passage": "volets 1 et 2 : « Ce dispositif n'est "
                "pas cumulable avec d'autres aides "
                "financières individuelles régionales à "
                "la transition numérique des "
                "entreprises »",
            },
            "compare": "Les règles de dépenses diffèrent (par exemple, INAC ne "
            "retient les abonnements que sur 12 mois) : comparez les "
            "détails ci-dessous avant de choisir.",
        },
    },
    "PDL-IN": {
        "questions": [
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
        "report_sections": [
            ["context", "Contexte de l'entreprise"],
            ["project", "Le projet"],
            ["added_value", "Valeur ajoutée attendue"],
            ["risks", "Risques et mesures pour les maîtriser"],
            ["provider", "Choix du prestataire"],
            ["other", "Autres informations"],
        ],
        "worked_example": {
            "applicant": {
                "kind": "company",
                "legal_form": "SAS",
                "naf": "16.23Z",
                "headcount": 25,
                "turnover": "3200000",
                "created_on": "2016-09-01",
                "registered_rcs": True,
            },
            "project": {
                "expenses": [
                    {"category": "erp", "amount": "14000"},
                    {"category": "connected_equipment", "amount": "6000"},
                ]
            },
        },
    },
    "IDF-CN2": {
        "questions": [],
        "worked_example": {
            "applicant": {"kind": "commune", "legal_form": "COMMUNE"},
            "project": {
                "expense_basis": "TTC",
                "expenses": [
                    {
                        "category": "commerce_solution",
                        "mode": "subscription",
                        "months": 12,
                        "amount": "9600",
                    },
                    {"category": "solution_training", "amount": "2400"},
                    {"category": "communication", "amount": "1500"},
                ],
            },
        },
        "offers": {
            "solutions": [
                ["Mes commerces à domicile", "CCI Paris-IDF"],
                ["Co 'mercéa", "Co'mercéa"],
                ["AchetezA", "AchetezA"],
                ["Ma place de marché locale", "EOLAS"],
                ["Ma ville mon shopping", "E-SY Com"],
                ["Wishibam for city", "Wishibam"],
                ["Digitalizr", "Sikiwis"],
                ["Surprise Connect", "Horus"],
            ],
            "trainings": [
                ["Parcours commerces connectés", "CCI Paris- IDF"],
                ["Auto-école du digital", "EOLAS"],
                ["Opencommerce IDF", "OpenClassrooms"],
                ["Se former au numérique & digitaliser son offre de service locale", "Schoolab"],
                ["Les bases du marketing digital pour les restaurants", "Malou Food"],
            ],
        },
    },
}


def fill(apps, schema_editor):
    Scheme = apps.get_model("schemes", "Scheme")
    for code, content in CONTENT.items():
        Scheme.objects.filter(code=code).update(**content)


def empty(apps, schema_editor):
    Scheme = apps.get_model("schemes", "Scheme")
    Scheme.objects.filter(code__in=list(CONTENT)).update(
        questions=[],
        report_sections=[],
        audience_summary="",
        audience_choose="",
        choice={},
        worked_example={},
        offers={},
    )


class Migration(migrations.Migration):
    dependencies = [("schemes", "0004_scheme_content")]
    operations = [migrations.RunPython(fill, empty)]
