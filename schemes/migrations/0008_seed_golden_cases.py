"""Golden cases of each scheme, seeded with the worked examples of the texts (issue 18)."""

from django.db import migrations

CASES = [
    {
        "scheme": "PDL-IN",
        "name": "FAQ 10 : projet de 20 000 € HT, aide de 10 000 €",
        "document": "pdl-investissement-numerique-faq.md",
        "passage": "question 10 : « Le taux d'aide est de 50% des coûts éligibles »",
        "situation": {
            "scheme": "PDL-IN",
            "filed_on": "2023-05-02",
            "applicant": {
                "kind": "company",
                "legal_form": "SAS",
                "naf": "25.62B",
                "department": "44",
                "created_on": "2015-01-01",
                "headcount": 12,
                "turnover": "1500000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "erp", "amount": "20000"}]},
        },
        "expected": {"eligible": True, "award": "10000.00", "base": "20000.00"},
    },
    {
        "scheme": "PDL-IN",
        "name": "FAQ 10 : projet de 50 000 € HT, aide plafonnée à 15 000 €",
        "document": "pdl-investissement-numerique-faq.md",
        "passage": "question 10 : « L'aide étant plafonnée à 15 000€ »",
        "situation": {
            "scheme": "PDL-IN",
            "filed_on": "2023-05-02",
            "applicant": {
                "kind": "company",
                "legal_form": "SAS",
                "naf": "25.62B",
                "department": "44",
                "created_on": "2015-01-01",
                "headcount": 12,
                "turnover": "1500000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "erp", "amount": "50000"}]},
        },
        "expected": {"eligible": True, "award": "15000.00", "base": "50000.00"},
    },
    {
        "scheme": "PDL-IN",
        "name": "FAQ 14 : deuxième projet, aide limitée au reliquat de 5 000 €",
        "document": "pdl-investissement-numerique-faq.md",
        "passage": "question 14 : « une nouvelle aide à hauteur de 5 000€ maximum »",
        "situation": {
            "scheme": "PDL-IN",
            "filed_on": "2023-09-01",
            "applicant": {
                "kind": "company",
                "legal_form": "SAS",
                "naf": "25.62B",
                "department": "44",
                "created_on": "2015-01-01",
                "headcount": 12,
                "turnover": "1500000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "crm", "amount": "20000"}]},
            "history": {
                "applications": [
                    {
                        "scheme": "PDL-IN",
                        "filed_on": "2022-12-01",
                        "acknowledged_on": "2023-01-10",
                        "awarded": "10000",
                    }
                ]
            },
        },
        "expected": {"eligible": True, "award": "5000.00", "base": "20000.00"},
    },
    {
        "scheme": "PDL-IN",
        "name": "FAQ 15 : nouvelle demande après deux ans révolus",
        "document": "pdl-investissement-numerique-faq.md",
        "passage": "question 15 : « après 2 ans révolus » « à compter de la date de cet accusé »",
        "situation": {
            "scheme": "PDL-IN",
            "filed_on": "2021-03-15",
            "applicant": {
                "kind": "company",
                "legal_form": "SAS",
                "naf": "25.62B",
                "department": "44",
                "created_on": "2015-01-01",
                "headcount": 12,
                "turnover": "1500000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "erp", "amount": "10000"}]},
            "history": {
                "applications": [
                    {
                        "scheme": "PDL-IN",
                        "filed_on": "2019-02-20",
                        "acknowledged_on": "2019-03-15",
                        "awarded": "15000",
                    }
                ]
            },
        },
        "expected": {"eligible": True, "award": "5000.00"},
    },
    {
        "scheme": "PDL-IN",
        "name": "FAQ 37 : 20 000 € HT justifiés sur 30 000 € prévus, 10 000 € versés",
        "document": "pdl-investissement-numerique-faq.md",
        "passage": "question 37 : « la subvention pourra être proratisée si le montant de dépenses "
        "prévues n'a pas été atteint »",
        "situation": {
            "scheme": "PDL-IN",
            "filed_on": "2023-05-02",
            "award": "15000",
            "planned_base": "30000",
            "actual_base": "20000",
            "advance_paid": "4500",
        },
        "expected": {"final_award": "10000.00", "balance": "5500.00", "to_recover": "0.00"},
    },
    {
        "scheme": "IDF-CN2",
        "name": "Barème : 13 500 € de dépenses, chèque de 6 000 €",
        "document": "idf-cheque-numerique-volet2.md",
        "passage": "tableau « MONTANT DES DEPENSES ELIGIBLES » : « A partir de 12 000 € » (chèque de 6 "
        "000 €)",
        "situation": {
            "scheme": "IDF-CN2",
            "filed_on": "2021-06-15",
            "applicant": {
                "kind": "commune",
                "legal_form": "COMMUNE",
                "naf": "84.11Z",
                "department": "93",
                "created_on": "1790-01-01",
            },
            "project": {"expenses": [{"category": "commerce_solution", "amount": "13500"}]},
        },
        "expected": {"eligible": True, "award": "6000.00", "base": "13500.00"},
    },
    {
        "scheme": "IDF-CN2",
        "name": "Barème : moins de 2 000 € de dépenses, pas de chèque",
        "document": "idf-cheque-numerique-volet2.md",
        "passage": "tableau : « A partir de 2 000 € »",
        "situation": {
            "scheme": "IDF-CN2",
            "filed_on": "2021-06-15",
            "applicant": {
                "kind": "commune",
                "legal_form": "COMMUNE",
                "naf": "84.11Z",
                "department": "93",
                "created_on": "1790-01-01",
            },
            "project": {"expenses": [{"category": "commerce_solution", "amount": "1999"}]},
        },
        "expected": {"eligible": False, "award": "0.00"},
    },
    {
        "scheme": "INAC",
        "name": "Projet de 8 000 € HT, aide de 40 %",
        "document": "hdf-deliberation-2021-01652-annexe.txt",
        "passage": "1) Volet destiné aux artisans-commerçants, « Montant et intensité des aides » : « "
        "Taux d'intervention de 40 % »",
        "situation": {
            "scheme": "INAC",
            "filed_on": "2022-05-10",
            "applicant": {
                "kind": "company",
                "legal_form": "SARL",
                "naf": "47.71Z",
                "department": "59",
                "created_on": "2015-03-01",
                "headcount": 4,
                "turnover": "380000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {
                "expenses": [
                    {"category": "ecommerce_site", "amount": "6000"},
                    {"category": "hardware", "device": "computer", "amount": "1200"},
                    {"category": "crm", "mode": "subscription", "months": 24, "amount": "2400"},
                ]
            },
        },
        "expected": {"eligible": True, "base": "8000.00", "award": "3200.00"},
    },
    {
        "scheme": "INAC",
        "name": "Projet de 45 000 € HT, aide plafonnée à 12 000 €",
        "document": "hdf-deliberation-2021-01652-annexe.txt",
        "passage": "1) Volet destiné aux artisans-commerçants, « Montant et intensité des aides » : « "
        "une aide régionale comprise entre 1 200 € et 12 000 € »",
        "situation": {
            "scheme": "INAC",
            "filed_on": "2022-05-10",
            "applicant": {
                "kind": "company",
                "legal_form": "SARL",
                "naf": "47.71Z",
                "department": "59",
                "created_on": "2015-03-01",
                "headcount": 4,
                "turnover": "380000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "erp", "amount": "45000"}]},
        },
        "expected": {"eligible": True, "award": "12000.00", "base": "45000.00"},
    },
    {
        "scheme": "INAC",
        "name": "Projet sous le minimum de 3 000 €",
        "document": "hdf-deliberation-2021-01652-annexe.txt",
        "passage": "1) Volet destiné aux artisans-commerçants, « Montant et intensité des aides » : « "
        "minimum d'investissement fixé à 3 000 € »",
        "situation": {
            "scheme": "INAC",
            "filed_on": "2022-05-10",
            "applicant": {
                "kind": "company",
                "legal_form": "SARL",
                "naf": "47.71Z",
                "department": "59",
                "created_on": "2015-03-01",
                "headcount": 4,
                "turnover": "380000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {"expenses": [{"category": "ecommerce_site", "amount": "2500"}]},
        },
        "expected": {"eligible": False, "award": "0.00"},
    },
    {
        "scheme": "INESS",
        "name": "Projet de 10 000 € HT, aide de 40 %",
        "document": "hdf-deliberation-2021-01652-annexe.txt",
        "passage": "2) Volet destiné aux entreprises de l'ESS (INESS), « Montant, intensité et cumul des "
        "aides » : « Taux d'intervention de 40 % »",
        "situation": {
            "scheme": "INESS",
            "filed_on": "2022-03-01",
            "applicant": {
                "kind": "company",
                "legal_form": "SCOP",
                "naf": "10.71C",
                "department": "62",
                "created_on": "2015-03-01",
                "headcount": 8,
                "turnover": "600000",
                "registered_rcs": True,
                "registered_rm": False,
            },
            "project": {
                "expenses": [
                    {"category": "erp", "amount": "10000"},
                    {"category": "showcase_site", "amount": "3000"},
                ]
            },
        },
        "expected": {"eligible": True, "base": "10000.00", "award": "4000.00"},
    },
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("schemes", "Scheme")
    GoldenCase = apps.get_model("schemes", "GoldenCase")
    schemes = {s.code: s for s in Scheme.objects.all()}
    for case in CASES:
        scheme = schemes.get(case["scheme"])
        if scheme is None:
            continue
        GoldenCase.objects.get_or_create(
            scheme=scheme,
            name=case["name"],
            defaults={
                "document": case["document"],
                "passage": case["passage"],
                "situation": case["situation"],
                "expected": case["expected"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("schemes", "0007_rule_version_status_golden_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
