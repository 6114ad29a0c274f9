"""Dossier factories: `DossierFactory(scheme_code="PDL-IN")`, `DossierFactory(complete=True)`.

The common situations are traits, each reached through the real services (transition table,
log and audit rows, checks), never by writing the state: `DossierFactory(submitted=True)`,
`taken=True` (an agent of the region instructs it), `admissible=True`, `proposed=True`
(favourable, the engine's award), `awarded=True` (accepted), `rejected=True`. The agent who
instructs is `dossier.agent`. Submission needs the calls open: use the `open_calls` fixture
(tests/instruction/conftest.py). `awarded` is for the schemes decided by the agent (not IDF-CN2,
voted in commission).
"""

from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from applications.models import Attachment, Dossier, ExpenseLine
from organisations.enums import OrganisationKind
from schemes.models import Scheme
from territories.models import Department
from tests.factories import MembershipFactory, OrganisationFactory

# A genuine one-page PDF (with its cross-reference table): uploads are parsed with pikepdf.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<<>>>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n178\n%%EOF\n"
)

# A typical organisation per scheme (kind, legal form, NAF, département).
PROFILES = {
    "INAC": (OrganisationKind.COMPANY, "SARL", "47.71Z", "59"),
    "INESS": (OrganisationKind.ASSOCIATION, "ASSOCIATION", "88.99B", "80"),
    "PDL-IN": (OrganisationKind.COMPANY, "SAS", "16.23Z", "44"),
    "IDF-CN2": (OrganisationKind.COMMUNE, "COMMUNE", "84.11Z", "77"),
}
ANSWERS = {
    "INAC": {
        "confirmed": True,
        "headcount": 4,
        "turnover": "380000",
        "registered_rcs": True,
        "project_certified": True,
        "tax_social_up_to_date": True,
    },
    "INESS": {
        "confirmed": True,
        "headcount": 12,
        "turnover": "600000",
        "esus": True,
        "market_activity_share": "0.6",
        "tax_social_up_to_date": True,
    },
    "PDL-IN": {
        "confirmed": True,
        "headcount": 25,
        "turnover": "3200000",
        "registered_rcs": True,
        "tax_social_up_to_date": True,
        "market_activity_share": "1",
        "region_share": "1",
        "certified_accounts": True,
    },
    "IDF-CN2": {},
}
EXPENSES = {
    "INAC": [("ecommerce_site", "6000"), ("crm", "2400")],
    "INESS": [("erp", "9000"), ("collaboration", "2500")],
    "PDL-IN": [("erp", "14000"), ("connected_equipment", "6000")],
    "IDF-CN2": [("commerce_solution", "9600"), ("solution_training", "2400")],
}


def organisation_for(scheme_code: str, **kwargs):
    kind, legal_form, naf, department = PROFILES[scheme_code]
    return OrganisationFactory(
        kind=kind,
        legal_form=legal_form,
        naf=naf,
        department=Department.objects.get(code=department),
        **kwargs,
    )


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        exclude = ["scheme_code"]
        skip_postgeneration_save = True

    scheme_code = "INAC"
    scheme = factory.LazyAttribute(lambda o: Scheme.objects.get(code=o.scheme_code))
    organisation = factory.LazyAttribute(lambda o: organisation_for(o.scheme_code))
    number = factory.Sequence(lambda n: f"TEST-2026-{n:06d}")
    title = "Vente en ligne et gestion clients"
    description = (
        "Mise en place d'une boutique en ligne et d'un outil de gestion de la relation client."
    )

    @factory.post_generation
    def member(obj, create, extracted, **kwargs):
        if create:
            MembershipFactory(
                organisation=obj.organisation, user=extracted
            ) if extracted else MembershipFactory(organisation=obj.organisation)

    class Params:
        submitted = factory.Trait(complete=True, journey__to="submitted")
        taken = factory.Trait(complete=True, journey__to="taken")
        admissible = factory.Trait(complete=True, journey__to="admissible")
        proposed = factory.Trait(complete=True, journey__to="proposed")
        awarded = factory.Trait(complete=True, journey__to="awarded")
        rejected = factory.Trait(complete=True, journey__to="rejected")
        complete = factory.Trait(
            answers=factory.LazyAttribute(lambda o: ANSWERS[o.scheme_code]),
            iban="FR7630006000011234567890189",
            bic="AGRIFRPPXXX",
            account_holder="Titulaire",
            funding_declared=True,
            report=factory.LazyAttribute(
                lambda o: (
                    {
                        k: "Texte"
                        for k in ("context", "project", "added_value", "risks", "provider", "other")
                    }
                    if o.scheme_code == "PDL-IN"
                    else {}
                )
            ),
            expense_basis=factory.LazyAttribute(
                lambda o: "TTC" if o.scheme_code == "IDF-CN2" else "HT"
            ),
        )

    @factory.post_generation
    def with_content(obj, create, extracted, **kwargs):
        """With complete=True (or with_content=True): expense lines and every required document."""
        if not create or not (extracted or obj.funding_declared):
            return
        for position, (category, amount) in enumerate(EXPENSES[obj.scheme.code]):
            ExpenseLine.objects.create(
                dossier=obj, position=position, category=category, amount=Decimal(amount)
            )
        from applications.attachments import required_documents_for

        for document in required_documents_for(obj):
            attachment = Attachment(
                dossier=obj,
                document_code=document["code"],
                original_name=f"{document['code']}.pdf",
                size=len(PDF_BYTES),
                mime_type="application/pdf",
                sha256="0" * 64,
            )
            attachment.file.save(f"{document['code']}.pdf", ContentFile(PDF_BYTES), save=False)
            attachment.save()

    @factory.post_generation
    def journey(obj, create, extracted, to=None, **kwargs):
        """The situation traits (after the content): the dossier walks its journey to `to`."""
        if create and to:
            walk(obj, to)


def walk(dossier: Dossier, to: str) -> Dossier:
    """Takes a complete draft through the real services up to `to` (see the module's doc)."""
    from applications.services import dossier_submit
    from instruction import services
    from tests.factories import RoleAssignmentFactory

    member = dossier.organisation.memberships.first().user
    current = dossier_submit(user=member, dossier=dossier, sworn=True)
    agent = None
    if to != "submitted":
        region = dossier.scheme.region.code
        agent = RoleAssignmentFactory(role="agent", region_code=region).user
        current = services.dossier_take(user=agent, dossier=current)
    if to in ("admissible", "proposed", "awarded", "rejected"):
        current = services.dossier_declare_admissible(user=agent, dossier=current)
    if to in ("proposed", "awarded"):
        # The award is the one the service computes (the rules engine on what was retained).
        current = services.dossier_propose(
            user=agent, dossier=current, favourable=True, comment="Projet solide."
        )
    if to == "awarded":
        current = services.dossier_accept(user=agent, dossier=current)
    if to == "rejected":
        services.dossier_reject(user=agent, dossier=current, motivation="Projet hors du champ.")
    dossier.refresh_from_db()
    dossier.agent = agent
    return dossier
