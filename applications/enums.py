from django.db import models


class DossierState(models.TextChoices):
    """The dossier's whole life; its transitions are declared in applications/workflow.py."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    IN_INSTRUCTION = "in_instruction", "En instruction"
    COMPLEMENTS_REQUESTED = "complements_requested", "Compléments demandés"
    ADMISSIBLE = "admissible", "Complet et recevable"
    PROPOSED = "proposed", "Proposé pour décision"
    ON_AGENDA = "on_agenda", "Inscrit en commission permanente"
    ACCEPTED = "accepted", "Aide attribuée"
    ADVANCE_PAID = "advance_paid", "Avance versée"
    REJECTED = "rejected", "Refusé"
    ABANDONED = "abandoned", "Classé sans suite"
    CLOSED = "closed", "Clôturé"


_S = DossierState

# The dossier's state groups, each named once: use them, never a list of states elsewhere.
# The aid is granted: its amount is committed on the budget envelope and reported (SCDL, de
# minimis, statistics), whether unpaid, partly paid or paid and closed.
AWARDED_STATES = (_S.ACCEPTED, _S.ADVANCE_PAID, _S.CLOSED)
# The beneficiary may ask for a payment or declare a provider change.
PAYABLE_STATES = (_S.ACCEPTED, _S.ADVANCE_PAID)
# Decided on the merits, with an act (award decision or refusal letter): the API's decisions.
DECIDED_STATES = (*AWARDED_STATES, _S.REJECTED)
# Nothing left to instruct (decided, or classé sans suite): the queue's « Décidés » tab; such a
# dossier is not reassigned.
INSTRUCTION_ENDED_STATES = (*DECIDED_STATES, _S.ABANDONED)
# Waiting for the decision: proposed, or on the commission permanente's agenda.
TO_DECIDE_STATES = (_S.PROPOSED, _S.ON_AGENDA)

# A dossier in one of these states is no longer "open": the organisation may file again for the
# scheme (the one-open-dossier constraint of applications.Dossier, hence plain strings).
TERMINAL_STATES = ("rejected", "abandoned", "closed")

# A payment request in one of these states is settled (payments.enums.RequestState, plain strings:
# the layers forbid applications → payments); any other is under way and forbids reopening.
PAYMENT_REQUEST_FINAL_STATES = ("paid", "refused")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", "Non analysé"
    PENDING = "pending", "Analyse en cours"
    CLEAN = "clean", "Sain"
    INFECTED = "infected", "Infecté (mis en quarantaine)"
    ERROR = "error", "Analyse impossible"


class ExpenseBasis(models.TextChoices):
    HT = "HT", "Hors taxes (HT)"
    TTC = "TTC", "Toutes taxes comprises (TTC)"
