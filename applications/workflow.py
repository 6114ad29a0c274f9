"""The dossier's transition table and the one function that applies a transition.

Each transition is declared once as (name, from_states, to_state). `apply_transition` does a
compare-and-set on the state (zero rows updated means someone else got there first), writes a
DossierTransitionLog row and an audit row. Permission checks stay in the service functions.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Dossier, DossierTransitionLog
from audit.services import audit_record


class TransitionError(Exception):
    """A transition that cannot happen now; `message` is French, shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str


TRANSITIONS: dict[str, Transition] = {}


def register(name: str, sources, target: str, label: str) -> Transition:
    TRANSITIONS[name] = Transition(name, tuple(sources), target, label)
    return TRANSITIONS[name]


register("submit", [DossierState.DRAFT], DossierState.SUBMITTED, "Dépôt du dossier")


def apply_transition(
    *, dossier: Dossier, name: str, actor, comment: str = "", fields: dict | None = None
) -> Dossier:
    """Move `dossier` along `name` atomically; extra `fields` are written in the same UPDATE."""
    transition = TRANSITIONS[name]
    with transaction.atomic():
        # Lock the row, then compare-and-set: a second click or a second tab finds the new state.
        from_state = (
            Dossier.objects.select_for_update()
            .filter(pk=dossier.pk)
            .values_list("state", flat=True)
            .first()
        )
        updated = Dossier.objects.filter(pk=dossier.pk, state__in=transition.sources).update(
            state=transition.target,
            lock_version=F("lock_version") + 1,
            last_saved_at=timezone.now(),
            **(fields or {}),
        )
        if updated == 0:
            if from_state is None:
                raise TransitionError("Dossier introuvable.")
            label = (
                DossierState(from_state).label if from_state in DossierState.values else from_state
            )
            raise TransitionError(f"Action impossible : le dossier est à l'état « {label} ».")
        DossierTransitionLog.objects.create(
            dossier=dossier,
            transition=name,
            from_state=from_state,
            to_state=transition.target,
            actor=actor,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action=f"dossier_{name}",
            obj=dossier,
            from_state=from_state,
            to_state=transition.target,
            comment=comment,
        )
    dossier.refresh_from_db()
    return dossier
