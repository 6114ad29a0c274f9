"""Batch operations from the queue's selection: one job, one result per dossier."""

from django.conf import settings
from django.db import models


class BatchAction(models.TextChoices):
    PROPOSE = "propose", "Proposer une décision"
    ACCEPT = "accept", "Attribuer l'aide"
    REJECT = "reject", "Refuser"
    COMPLEMENTS = "complements", "Demander des compléments"
    MESSAGE = "message", "Envoyer un message au demandeur"
    LABEL = "label", "Poser une étiquette"


class JobStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"


class ItemOutcome(models.TextChoices):
    PENDING = "pending", "À traiter"
    DONE = "done", "Fait"
    SKIPPED = "skipped", "Non traité (état du dossier)"
    FAILED = "failed", "Refusé"


class BatchJob(models.Model):
    action = models.CharField("opération", max_length=16, choices=BatchAction.choices)
    params = models.JSONField("paramètres", default=dict)
    token = models.CharField(max_length=64, unique=True)  # one job per confirmed form
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="batch_jobs"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    status = models.CharField(
        "avancement", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    total = models.PositiveIntegerField("dossiers", default=0)
    processed = models.PositiveIntegerField("traités", default=0)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "traitement par lot"
        verbose_name_plural = "traitements par lot"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Lot n° {self.pk} — {self.get_action_display()}"


class BatchItem(models.Model):
    job = models.ForeignKey(BatchJob, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="batch_items"
    )
    position = models.PositiveIntegerField()
    outcome = models.CharField(
        "résultat", max_length=10, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    message = models.CharField("détail", max_length=500, blank=True)
    award = models.DecimalField("aide", max_digits=12, decimal_places=2, null=True, blank=True)
    act_reference = models.CharField("acte", max_length=64, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "dossier d'un lot"
        verbose_name_plural = "dossiers d'un lot"
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "dossier"], name="one_item_per_dossier_and_job")
        ]
