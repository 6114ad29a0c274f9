"""The filing journey: one page per step, in this order."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    url_name: str


STEPS = [
    Step("organisation", "Organisation", "applications:step_organisation"),
    Step("eligibilite", "Critères d'éligibilité", "applications:step_eligibility"),
    Step("projet", "Projet et dépenses", "applications:step_project"),
    Step("financements", "Aides publiques", "applications:step_funding"),
    Step("pieces", "Pièces justificatives", "applications:step_documents"),
    Step("banque", "Coordonnées bancaires", "applications:step_bank"),
    Step("recapitulatif", "Récapitulatif et dépôt", "applications:step_summary"),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def next_step(slug: str) -> Step | None:
    index = [s.slug for s in STEPS].index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None
