from django.db import models


class DossierState(models.TextChoices):
    """Applicant-side states; the instruction and payment issues add theirs."""

    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"


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
