"""Demo dossiers for seed_demo: a submitted and a draft dossier per scheme, filed through the
same services as the pages (so the demo shows receipts, estimates and timelines)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.attachments import attachment_add, required_documents_for
from applications.models import Dossier
from organisations.models import Organisation
from schemes.models import Scheme

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (SIRET, scheme, submit?, answers, expenses, basis)
DEMO_DOSSIERS = [
    (
        "81234567600017",
        "INAC",
        True,
        {
            "headcount": 4,
            "turnover": "380000",
            "registered_rcs": True,
            "project_certified": True,
            "tax_social_up_to_date": True,
        },
        [
            ("ecommerce_site", "6000", "Agence Web du Nord"),
            ("hardware", "1200", "Informatique Lilloise"),
            ("crm", "2400", "Logiciels Clients"),
        ],
        "HT",
    ),
    (
        "82345678500018",
        "INESS",
        False,
        {
            "headcount": 12,
            "turnover": "600000",
            "esus": True,
            "market_activity_share": "0.6",
            "tax_social_up_to_date": True,
        },
        [("erp", "9000", "Gestion Solidaire"), ("collaboration", "2500", "Coop Numérique")],
        "HT",
    ),
    (
        "83456789300021",
        "PDL-IN",
        True,
        {
            "headcount": 25,
            "turnover": "3200000",
            "registered_rcs": True,
            "tax_social_up_to_date": True,
            "certified_accounts": True,
        },
        [
            ("erp", "14000", "ERP Atlantique"),
            ("connected_equipment", "6000", "Machines de l'Ouest"),
        ],
        "HT",
    ),
    (
        "84567890300012",
        "PDL-IN",
        False,
        {
            "headcount": 3,
            "turnover": "450000",
            "registered_rcs": True,
            "tax_social_up_to_date": True,
        },
        [("ecommerce_site", "7000", "Agence Angevine")],
        "HT",
    ),
    (
        "21750001600019",
        "IDF-CN2",
        True,
        {},
        [
            ("commerce_solution", "9600", "Ma ville mon shopping"),
            ("solution_training", "2400", "CCI Paris-IDF"),
        ],
        "TTC",
    ),
    (
        "20004185300017",
        "IDF-CN2",
        False,
        {},
        [("collective_training", "3000", "OpenClassrooms")],
        "TTC",
    ),
]
PDL_REPORT = {
    "context": "Menuiserie de 25 salariés, commandes gérées sur papier.",
    "project": "Un progiciel de gestion intégré relié aux machines de l'atelier.",
    "added_value": "Délais de devis divisés par deux, suivi des stocks en temps réel.",
    "risks": "Reprise des données : accompagnement du prestataire pendant trois mois.",
    "provider": "Trois devis comparés ; choix sur la proximité et les références.",
    "other": "Formation de quatre salariés prévue.",
}


def create_demo_dossiers(*, stdout=None) -> int:
    created = 0
    today = timezone.localdate()
    for siret, code, submit, answers, expenses, basis in DEMO_DOSSIERS:
        organisation = Organisation.objects.get(siret=siret)
        scheme = Scheme.objects.prefetch_related("call_periods").get(code=code)
        if Dossier.objects.filter(organisation=organisation, scheme=scheme).exists():
            continue
        user = organisation.memberships.first().user
        dossier = services.dossier_create(
            user=user, organisation=organisation, scheme=scheme, today=today
        )
        services.dossier_update(
            user=user,
            dossier=dossier,
            data={
                "title": "Transformation numérique",
                "description": "Projet de démonstration : "
                + ", ".join(e[0] for e in expenses)
                + ".",
                "answers": {"confirmed": True, **answers},
                "report": PDL_REPORT if code == "PDL-IN" else {},
                "expense_basis": basis,
            },
        )
        services.dossier_set_expenses(
            user=user,
            dossier=dossier,
            lines=[
                {
                    "category": c,
                    "amount": Decimal(a),
                    "supplier": s,
                    "device": "computer" if c == "hardware" else "",
                }
                for c, a, s in expenses
            ],
        )
        services.dossier_set_funding(
            user=user, dossier=dossier, other_public_funding=Decimal(0), detail="", aids=[]
        )
        if submit:
            for document in required_documents_for(dossier):
                upload = SimpleUploadedFile(
                    f"{document['code']}.pdf", DEMO_PDF, content_type="application/pdf"
                )
                attachment_add(
                    user=user, dossier=dossier, document_code=document["code"], uploaded_file=upload
                )
            services.dossier_set_bank_details(
                user=user,
                dossier=dossier,
                iban="FR7630006000011234567890189",
                bic="AGRIFRPPXXX",
                holder=organisation.name,
            )
            services.dossier_submit(user=user, dossier=dossier, sworn=True)
        created += 1
    return created
