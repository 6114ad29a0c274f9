from django.db import models


class CheckStatus(models.TextChoices):
    PENDING = "pending", "À vérifier"
    CONFIRMED = "confirmed", "Confirmé"
    OVERRIDDEN = "overridden", "Corrigé par l'instructeur"


class RetentionStatus(models.TextChoices):
    FULL = "full", "Retenue en totalité"
    PARTIAL = "partial", "Retenue en partie"
    NONE = "none", "Non retenue"


class Vote(models.TextChoices):
    PENDING = "pending", "En attente du vote"
    FOR = "for", "Avis favorable"
    AGAINST = "against", "Avis défavorable"
