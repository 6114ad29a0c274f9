"""What a dossier still lacks before it can be submitted, with the step to fix each item."""

from dataclasses import dataclass

from django.urls import reverse

from applications.models import Dossier
from applications.questions import report_sections, scheme_questions
from applications.steps import STEP_BY_SLUG
from organisations.enums import OrganisationKind


@dataclass(frozen=True)
class Missing:
    step: str
    message: str

    @property
    def step_title(self) -> str:
        return STEP_BY_SLUG[self.step].title

    def url(self, dossier: Dossier) -> str:
        return reverse(STEP_BY_SLUG[self.step].url_name, args=[dossier.pk])


def missing_items(dossier: Dossier) -> list[Missing]:
    from applications.attachments import required_documents_for

    items: list[Missing] = []
    organisation = dossier.organisation
    if not organisation.department_id:
        items.append(Missing("organisation", "Indiquez le département de l'établissement."))
    if organisation.kind == OrganisationKind.COMPANY and not organisation.naf:
        items.append(Missing("organisation", "Indiquez le code APE/NAF de l'entreprise."))
    if (
        organisation.kind in (OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION)
        and not organisation.created_on
    ):
        items.append(Missing("organisation", "Indiquez la date de création ou d'immatriculation."))
    if scheme_questions(dossier.scheme) and not dossier.answers.get("confirmed"):
        items.append(Missing("eligibilite", "Répondez aux questions d'éligibilité."))
    if not dossier.title or not dossier.description:
        items.append(Missing("projet", "Donnez un intitulé et une description au projet."))
    for key, label in report_sections(dossier.scheme):
        if not (dossier.report or {}).get(key, "").strip():
            items.append(
                Missing("projet", f"Rédigez la partie « {label} » du rapport de réflexion.")
            )
    if not dossier.expenses.exists():
        items.append(Missing("projet", "Ajoutez au moins une dépense."))
    if not dossier.funding_declared:
        items.append(
            Missing(
                "financements",
                "Déclarez les autres aides publiques et les aides de minimis reçues.",
            )
        )
    from applications.certificates import COVERED_DOCUMENT, certificates_cover

    provided = {a.document_code for a in dossier.attachments.all() if a.scan_status != "infected"}
    for document in required_documents_for(dossier):
        if document["code"] == COVERED_DOCUMENT and document["code"] not in provided:
            if certificates_cover(dossier):
                continue
        if document["code"] not in provided:
            items.append(Missing("pieces", f"Joignez la pièce « {document['label']} »."))
    if not (dossier.iban and dossier.bic and dossier.account_holder):
        items.append(
            Missing("banque", "Indiquez les coordonnées bancaires (IBAN, BIC, titulaire).")
        )
    return items


def missing_for_display(dossier: Dossier) -> list[dict]:
    return [
        {"step_title": item.step_title, "message": item.message, "url": item.url(dossier)}
        for item in missing_items(dossier)
    ]
