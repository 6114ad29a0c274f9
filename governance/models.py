from django.conf import settings
from django.db import models


class ImpactRun(models.Model):
    """One re-simulation of a draft's effect on dossiers, run by Celery; the page follows its
    progress (`done` out of `total`) and shows `result` once finished."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminée"
        FAILED = "failed", "Échec"

    version = models.ForeignKey(
        "schemes.RuleVersion",
        verbose_name="version",
        on_delete=models.CASCADE,
        related_name="impact_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    on_day = models.DateField("date de référence")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("dossiers à simuler", default=0)
    done = models.PositiveIntegerField("dossiers simulés", default=0)
    result = models.JSONField("résultat", null=True, blank=True)
    error = models.TextField("erreur", blank=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)

    class Meta:
        verbose_name = "simulation d'impact"
        verbose_name_plural = "simulations d'impact"
        ordering = ["-requested_at", "-id"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
