from django.db import models

# Invoices are retained like expense lines: fully, partly or not at all.
from instruction.enums import RetentionStatus as RetainStatus  # noqa: F401


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", "Avance"
    BALANCE = "balance", "Solde"
    SINGLE = "single", "Versement unique"


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", "Demande reçue"
    CERTIFIED = "certified", "Service fait certifié, paiement proposé"
    SENT_BACK = "sent_back", "Renvoyée à l'instructeur"
    VALIDATED = "validated", "Validée par le service financier"
    PAID = "paid", "Payée"
    REFUSED = "refused", "Refusée"


class BatchState(models.TextChoices):
    OPEN = "open", "En préparation"
    EXPORTED = "exported", "Exporté (figé)"
    PAID = "paid", "Payé"


class ChangeState(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
