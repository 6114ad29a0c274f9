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

# A genuine one-page PDF, with its cross-reference table (uploads are parsed).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n178\n%%EOF\n"
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


# --- Instruction demo: dossiers in every instruction state, an IDF-CN2 commission session ----------

EXTRA_ORGANISATIONS = [
    # (SIREN first 8 digits, name, kind, legal form, NAF, postal code, city, département, scheme, target state)
    (
        "85111111",
        "Boulangerie Nantaise",
        "company",
        "SARL",
        "10.71C",
        "44000",
        "Nantes",
        "44",
        "PDL-IN",
        "complements_requested",
    ),
    (
        "85222222",
        "Garage de la Sarthe",
        "company",
        "SAS",
        "45.20A",
        "72000",
        "Le Mans",
        "72",
        "PDL-IN",
        "admissible",
    ),
    (
        "85333333",
        "Imprimerie Mayennaise",
        "company",
        "SAS",
        "18.12Z",
        "53000",
        "Laval",
        "53",
        "PDL-IN",
        "proposed",
    ),
    (
        "85444444",
        "Fromagerie d'Arras",
        "company",
        "SARL",
        "47.29Z",
        "62000",
        "Arras",
        "62",
        "INAC",
        "rejected",
    ),
    (
        "85555555",
        "Librairie Amiénoise",
        "company",
        "SARL",
        "47.61Z",
        "80000",
        "Amiens",
        "80",
        "INAC",
        "abandoned",
    ),
    (
        "85666666",
        "Caviste de Compiègne",
        "company",
        "EURL",
        "47.25Z",
        "60200",
        "Compiègne",
        "60",
        "INAC",
        "submitted",
    ),
    (
        "21780001",
        "Commune de Saint-Fictif-en-Yvelines",
        "commune",
        "COMMUNE",
        "84.11Z",
        "78000",
        "Saint-Fictif",
        "78",
        "IDF-CN2",
        "accepted",
    ),
    (
        "85777777",
        "Opticien de Lens",
        "company",
        "SARL",
        "47.78A",
        "62300",
        "Lens",
        "62",
        "INAC",
        "accepted",
    ),
]
# What the demo dossiers of the seed fixture become once submitted.
SUBMITTED_TARGETS = {"INAC": "in_instruction", "PDL-IN": "accepted", "IDF-CN2": "on_agenda"}


def _siret(siren8: str) -> str:
    from stdnum import luhn

    siren = siren8 + luhn.calc_check_digit(siren8)
    return (
        siren + "00015"
        if luhn.is_valid(siren + "00015")
        else siren + "0001" + luhn.calc_check_digit(siren + "0001")
    )


def demo_organisation(row: tuple, *, address: str, created_on) -> tuple[Organisation, bool]:
    """Get or create a demo organisation from its row
    (siren8, name, kind, legal_form, naf, postal_code, city, department code)."""
    from territories.models import Department

    siren8, name, kind, legal_form, naf, postal_code, city, department = row
    return Organisation.objects.get_or_create(
        siret=_siret(siren8),
        defaults={
            "kind": kind,
            "name": name,
            "legal_form": legal_form,
            "naf": naf,
            "postal_code": postal_code,
            "city": city,
            "address": address,
            "department": Department.objects.get(code=department),
            "created_on": created_on,
        },
    )


def _agent(region_code: str):
    from accounts.models import User

    return User.objects.get(email=f"instructeur.{region_code.lower()}@demo.aides-numeriques.fr")


def advance(dossier, target: str, *, session=None) -> None:
    """Move a submitted demo dossier to `target` through the real instruction services."""
    from datetime import timedelta

    from instruction import commission, review
    from instruction import services as instruction

    if target == "submitted":
        return
    agent = _agent(dossier.scheme.region.code)
    instruction.dossier_take(user=agent, dossier=dossier)
    if target == "in_instruction":
        return
    if target == "complements_requested":
        instruction.complements_request(
            user=agent,
            dossier=dossier,
            items="Devis signé du fournisseur\nAttestation de régularité fiscale",
            due_on=timezone.localdate() + timedelta(days=20),
        )
        return
    if target in ("rejected",):
        instruction.dossier_reject(
            user=agent,
            dossier=dossier,
            motivation="L'activité de l'entreprise relève d'un code NAF exclu du dispositif.",
        )
        return
    if target == "abandoned":
        instruction.dossier_abandon(
            user=agent, dossier=dossier, reason="Demande retirée par l'entreprise."
        )
        return
    instruction.dossier_declare_admissible(user=agent, dossier=dossier)
    if target == "admissible":
        return
    award = Decimal(review.review_estimate(dossier)["award"])
    instruction.dossier_propose(
        user=agent,
        dossier=dossier,
        favourable=True,
        comment="Projet cohérent et dépenses justifiées.",
        award=award,
    )
    if target == "proposed":
        return
    if dossier.scheme.code == "IDF-CN2":
        item = commission.dossier_schedule(user=agent, dossier=dossier, session=session)
        if target == "accepted":
            # The demo plays the session out: the vote is recorded on the session's date.
            commission.vote_record(
                user=agent,
                item=item,
                vote="for",
                deliberation_number=f"{session.number}-001",
                today=session.date,
            )
        return
    instruction.dossier_accept(user=agent, dossier=dossier)


def create_instruction_demo() -> int:
    """Idempotent: only organisations without a dossier get one."""
    from datetime import timedelta

    from instruction.models import CommissionSession
    from organisations.enums import MemberRole
    from organisations.models import Membership
    from territories.models import Region

    region = Region.objects.get(code="IDF")
    session, _ = CommissionSession.objects.get_or_create(
        region=region,
        number="CP2026-12",
        defaults={"date": timezone.localdate() + timedelta(days=21)},
    )
    created = 0
    for siret, code, submit, *_ in DEMO_DOSSIERS:
        dossier = Dossier.objects.filter(
            organisation__siret=siret, scheme__code=code, state="submitted"
        ).first()
        if submit and dossier is not None:
            advance(dossier, SUBMITTED_TARGETS[code], session=session)
    for (
        siren8,
        name,
        kind,
        legal_form,
        naf,
        postal_code,
        city,
        department,
        code,
        target,
    ) in EXTRA_ORGANISATIONS:
        organisation, new = demo_organisation(
            (siren8, name, kind, legal_form, naf, postal_code, city, department),
            address="1 place du Marché",
            created_on=timezone.localdate().replace(year=2012),
        )
        if Dossier.objects.filter(organisation=organisation).exists():
            continue
        from accounts.models import User

        applicant = User.objects.get(
            email=f"demandeur.{Scheme.objects.get(code=code).region.code.lower()}@demo.aides-numeriques.fr"
        )
        Membership.objects.get_or_create(
            organisation=organisation, user=applicant, defaults={"role": MemberRole.OWNER}
        )
        dossier = _file(organisation, code, applicant)
        advance(dossier, target, session=session)
        created += 1
    return created


def _file(organisation, code: str, user):
    """File a complete demo dossier for `organisation` on `code` and submit it."""
    answers = {
        "headcount": 6,
        "turnover": "520000",
        "registered_rcs": True,
        "project_certified": True,
        "tax_social_up_to_date": True,
    }
    expenses = {
        "INAC": [
            ("ecommerce_site", "7500", "Agence Web des Hauts"),
            ("crm", "1800", "Logiciels Clients"),
        ],
        "PDL-IN": [
            ("erp", "12000", "ERP Atlantique"),
            ("ecommerce_site", "6000", "Agence Ligérienne"),
        ],
        "IDF-CN2": [
            ("commerce_solution", "8400", "Ma place de marché locale"),
            ("collective_training", "1800", "OpenClassrooms"),
        ],
    }[code]
    scheme = Scheme.objects.prefetch_related("call_periods").get(code=code)
    dossier = services.dossier_create(
        user=user, organisation=organisation, scheme=scheme, today=timezone.localdate()
    )
    services.dossier_update(
        user=user,
        dossier=dossier,
        data={
            "title": "Transformation numérique",
            "description": "Projet de démonstration.",
            "answers": {"confirmed": True, **({} if code == "IDF-CN2" else answers)},
            "report": PDL_REPORT if code == "PDL-IN" else {},
            "expense_basis": "TTC" if code == "IDF-CN2" else "HT",
        },
    )
    services.dossier_set_expenses(
        user=user,
        dossier=dossier,
        lines=[
            {"category": c, "amount": Decimal(a), "supplier": s, "device": ""}
            for c, a, s in expenses
        ],
    )
    services.dossier_set_funding(
        user=user, dossier=dossier, other_public_funding=Decimal(0), detail="", aids=[]
    )
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
    return services.dossier_submit(user=user, dossier=dossier, sworn=True)


# --- Payments demo: a request at every stage, a paid batch and an open one ------------------------


def _user(prefix: str, region_code: str):
    from accounts.models import User

    return User.objects.get(email=f"{prefix}.{region_code.lower()}@demo.aides-numeriques.fr")


def _invoices(dossier, share: Decimal = Decimal("1")) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "supplier": line.supplier or "Fournisseur",
            "number": f"F-{dossier.pk}-{i + 1}",
            "issued_on": today,
            "paid_on": today,
            "amount": (line.amount * share).quantize(Decimal("0.01")),
            "expense_line": line,
            "file": SimpleUploadedFile(
                f"facture-{i + 1}.pdf", DEMO_PDF, content_type="application/pdf"
            ),
        }
        for i, line in enumerate(dossier.expenses.all())
    ]


def _request(dossier, kind: str):
    from payments import services as payments

    user = dossier.organisation.memberships.first().user
    extra = {}
    if kind == "advance":
        extra["quote_file"] = SimpleUploadedFile(
            "devis-signe.pdf", DEMO_PDF, content_type="application/pdf"
        )
    else:
        extra.update(
            invoices=_invoices(dossier),
            statement_file=SimpleUploadedFile(
                "etat-recapitulatif-signe.pdf", DEMO_PDF, content_type="application/pdf"
            ),
            completion_file=SimpleUploadedFile(
                "attestation-fin-depenses.pdf", DEMO_PDF, content_type="application/pdf"
            ),
        )
    return payments.request_create(
        user=user,
        dossier=dossier,
        kind=kind,
        iban=dossier.iban,
        bic=dossier.bic,
        holder=dossier.account_holder,
        **extra,
    )


def create_payment_demo() -> int:
    """Idempotent: only accepted dossiers without payment requests get some."""
    from payments import batches
    from payments import services as payments
    from payments.models import PaymentRequest
    from territories.models import Region

    if PaymentRequest.objects.exists():
        return 0
    created = 0
    # PDL-IN above 4 000 €: advance requested, certified, validated, exported and paid; then the balance is asked.
    menuiserie = Dossier.objects.get(organisation__siret="83456789300021", state="accepted")
    advance = _request(menuiserie, "advance")
    payments.request_certify(user=_user("instructeur", "PDL"), request=advance)
    payment = payments.payment_validate(user=_user("finance", "PDL"), request=advance)
    batch = batches.batch_create(
        user=_user("finance", "PDL"), region=Region.objects.get(code="PDL"), payments=[payment]
    )
    batches.batch_export(user=_user("finance", "PDL"), batch=batch)
    batches.batch_mark_paid(user=_user("finance", "PDL"), batch=batch, paid_on=timezone.localdate())
    menuiserie.refresh_from_db()
    _request(menuiserie, "balance")
    created += 2
    # IDF-CN2: a single payment certified, waiting for finance validation.
    for dossier in Dossier.objects.filter(scheme__code="IDF-CN2", state="accepted"):
        payments.request_certify(
            user=_user("instructeur", "IDF"), request=_request(dossier, "single")
        )
        created += 1
    # INAC: a single payment validated by finance, waiting in an open batch.
    for dossier in Dossier.objects.filter(scheme__code="INAC", state="accepted"):
        request = _request(dossier, "single")
        payments.request_certify(user=_user("instructeur", "HDF"), request=request)
        validated = payments.payment_validate(user=_user("finance", "HDF"), request=request)
        batches.batch_create(
            user=_user("finance", "HDF"),
            region=Region.objects.get(code="HDF"),
            payments=[validated],
        )
        created += 1
    return created
