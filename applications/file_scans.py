"""Antivirus verdicts of stored files that are not dossier attachments.

Payment documents (RIB, quotes, statements, invoices), message attachments and new quotes are
uploaded by applicants too. They are scanned like attachments (applications/scanning.py) and, where
CLAMAV_REQUIRED, served only once found clean; their verdict is kept here, by storage name, so the
models that hold them need no field of their own.
"""

from django.db import models

from applications.enums import ScanStatus


class StoredFileScan(models.Model):
    name = models.CharField("fichier", max_length=255, unique=True)
    status = models.CharField(
        "analyse antivirus", max_length=16, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    detail = models.CharField("résultat de l'analyse", max_length=255, blank=True)
    scanned_at = models.DateTimeField("analysé le", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)

    class Meta:
        app_label = "applications"
        verbose_name = "analyse antivirus d'un fichier"
        verbose_name_plural = "analyses antivirus des fichiers"

    def __str__(self) -> str:
        return f"{self.name} : {self.get_status_display()}"
