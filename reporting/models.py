import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A CSV or XLSX export written by a Celery worker; its file is kept for a limited time
    (EXPORT_RETENTION_HOURS) and handed only to the person who asked for it, while they still
    hold the role the export needs (reporting/exports.py)."""

    class Kind(models.TextChoices):
        QUEUE = "queue", "File d'instruction"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"
        EXPIRED = "expired", "Expiré"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField("export", max_length=20, choices=Kind.choices)
    fmt = models.CharField("format", max_length=10, choices=Format.choices)
    params = models.JSONField("filtres", default=dict)
    status = models.CharField(
        "état", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    total = models.PositiveIntegerField("lignes à écrire", default=0)
    done = models.PositiveIntegerField("lignes écrites", default=0)
    file = models.FileField("fichier", upload_to="exports/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField("nom du fichier", max_length=200, blank=True)
    error = models.CharField("erreur", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_fmt_display()}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
