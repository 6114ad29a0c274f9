"""The dossier's transition table, declared once for its whole life (filing, instruction,
commission, payment), and `apply_transition`, its entry point.

The mechanism (row lock, compare-and-set, log row, audit row) is `common.workflow.Workflow`.
Permission checks are the services' (`check=` hook or before the call).
"""

from django.db.models import F
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import Dossier, DossierTransitionLog
from audit.services import audit_record
from common.workflow import Transition, TransitionError, Workflow

__all__ = ["DOSSIER_WORKFLOW", "TRANSITIONS", "Transition", "TransitionError", "apply_transition"]

DOSSIER_WORKFLOW = Workflow(
    model=Dossier,
    log_model=DossierTransitionLog,
    log_field="dossier",
    audit=audit_record,
    audit_prefix="dossier",
    subject="le dossier",
    bump=lambda: {"lock_version": F("lock_version") + 1, "last_saved_at": timezone.now()},
    transitions=[
        # Filing (applications)
        Transition("submit", [S.DRAFT], S.SUBMITTED, "Dépôt du dossier"),
        # Instruction (instruction.services)
        Transition("take", [S.SUBMITTED], S.IN_INSTRUCTION, "Prise en charge par un instructeur"),
        Transition(
            "request_complements",
            [S.IN_INSTRUCTION, S.ADMISSIBLE],
            S.COMPLEMENTS_REQUESTED,
            "Demande de compléments",
        ),
        Transition(
            "answer_complements",
            [S.COMPLEMENTS_REQUESTED],
            S.IN_INSTRUCTION,
            "Réponse du demandeur aux compléments",
        ),
        Transition(
            "declare_admissible",
            [S.IN_INSTRUCTION],
            S.ADMISSIBLE,
            "Dossier déclaré complet et recevable (accusé de réception)",
        ),
        Transition("propose", [S.ADMISSIBLE], S.PROPOSED, "Proposition de décision"),
        Transition("withdraw_proposal", [S.PROPOSED], S.ADMISSIBLE, "Proposition retirée"),
        Transition("accept", [S.PROPOSED], S.ACCEPTED, "Aide attribuée"),
        Transition(
            "reject", [S.IN_INSTRUCTION, S.ADMISSIBLE, S.PROPOSED], S.REJECTED, "Demande refusée"
        ),
        Transition(
            "abandon",
            [S.SUBMITTED, S.IN_INSTRUCTION, S.COMPLEMENTS_REQUESTED, S.ADMISSIBLE, S.PROPOSED],
            S.ABANDONED,
            "Classé sans suite",
        ),
        # Not once money is paid (advance paid, closed).
        Transition(
            "reopen",
            [S.ACCEPTED, S.REJECTED, S.ABANDONED],
            S.IN_INSTRUCTION,
            "Réouverture de l'instruction",
        ),
        # Commission permanente (instruction.commission)
        Transition(
            "schedule",
            [S.PROPOSED],
            S.ON_AGENDA,
            "Inscrit à l'ordre du jour de la commission permanente",
        ),
        Transition(
            "unschedule",
            [S.ON_AGENDA],
            S.PROPOSED,
            "Retiré de l'ordre du jour de la commission permanente",
        ),
        Transition(
            "vote_for", [S.ON_AGENDA], S.ACCEPTED, "Aide votée par la commission permanente"
        ),
        Transition(
            "vote_against", [S.ON_AGENDA], S.REJECTED, "Aide refusée par la commission permanente"
        ),
        # Payment (payments.services)
        Transition("pay_advance", [S.ACCEPTED], S.ADVANCE_PAID, "Avance versée"),
        Transition(
            "close",
            [S.ACCEPTED, S.ADVANCE_PAID],
            S.CLOSED,
            "Dossier clôturé (aide versée ou reversée)",
        ),
    ],
)

# The table by name (labels of the history pages, the API's choices).
TRANSITIONS = DOSSIER_WORKFLOW.transitions


def apply_transition(
    *,
    dossier: Dossier,
    name: str,
    actor,
    comment: str = "",
    fields: dict | None = None,
    check=None,
) -> Dossier:
    """Move `dossier` along `name` atomically; extra `fields` are written in the same UPDATE."""
    return DOSSIER_WORKFLOW.apply(
        dossier, name, actor=actor, comment=comment, fields=fields, check=check
    )
