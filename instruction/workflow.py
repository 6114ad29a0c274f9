"""Instruction transitions, registered in the dossier's transition table."""

from applications.enums import DossierState as S
from applications.workflow import register

DECIDED = [S.ACCEPTED, S.REJECTED, S.ABANDONED]
OPEN_FOR_INSTRUCTION = [
    S.SUBMITTED,
    S.IN_INSTRUCTION,
    S.COMPLEMENTS_REQUESTED,
    S.ADMISSIBLE,
    S.PROPOSED,
    S.ON_AGENDA,
]

register("take", [S.SUBMITTED], S.IN_INSTRUCTION, "Prise en charge par un instructeur")
register(
    "request_complements",
    [S.IN_INSTRUCTION, S.ADMISSIBLE],
    S.COMPLEMENTS_REQUESTED,
    "Demande de compléments",
)
register(
    "answer_complements",
    [S.COMPLEMENTS_REQUESTED],
    S.IN_INSTRUCTION,
    "Réponse du demandeur aux compléments",
)
register(
    "declare_admissible",
    [S.IN_INSTRUCTION],
    S.ADMISSIBLE,
    "Dossier déclaré complet et recevable (accusé de réception)",
)
register("propose", [S.ADMISSIBLE], S.PROPOSED, "Proposition de décision")
register("withdraw_proposal", [S.PROPOSED], S.ADMISSIBLE, "Proposition retirée")
register("accept", [S.PROPOSED], S.ACCEPTED, "Aide attribuée")
register("reject", [S.IN_INSTRUCTION, S.ADMISSIBLE, S.PROPOSED], S.REJECTED, "Demande refusée")
register(
    "abandon",
    [S.SUBMITTED, S.IN_INSTRUCTION, S.COMPLEMENTS_REQUESTED, S.ADMISSIBLE, S.PROPOSED],
    S.ABANDONED,
    "Classé sans suite",
)
register(
    "schedule", [S.PROPOSED], S.ON_AGENDA, "Inscrit à l'ordre du jour de la commission permanente"
)
register(
    "unschedule", [S.ON_AGENDA], S.PROPOSED, "Retiré de l'ordre du jour de la commission permanente"
)
register("vote_for", [S.ON_AGENDA], S.ACCEPTED, "Aide votée par la commission permanente")
register("vote_against", [S.ON_AGENDA], S.REJECTED, "Aide refusée par la commission permanente")
register("reopen", DECIDED, S.IN_INSTRUCTION, "Réouverture de l'instruction")
