from django.db import models


class DossierState(models.TextChoices):
    """The dossier's whole life; each app registers the transitions it owns (workflow.register)."""

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


# A dossier in one of these states is no longer "open": the organisation may file again for the
# scheme. They are reached through the instruction and payment transitions.
TERMINAL_STATES = ("rejected", "abandoned", "closed")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", "Non analysé"
    PENDING = "pending", "Analyse en cours"
    CLEAN = "clean", "Sain"
    INFECTED = "infected", "Infecté (mis en quarantaine)"
    ERROR = "error", "Analyse impossible"


class ExpenseBasis(models.TextChoices):
    HT = "HT", "Hors taxes (HT)"
    TTC = "TTC", "Toutes taxes comprises (TTC)"
