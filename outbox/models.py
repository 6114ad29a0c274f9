from django.conf import settings
from django.db import models


class OutboxMessage(models.Model):
    """A task to run, recorded in the same transaction as the change that asks for it.

    It is handed to the broker after the commit; if the broker is down the row stays pending and
    the relay (every minute, Celery beat) hands it over once the broker is back. Nothing is lost.
    """

    task = models.CharField("tâche", max_length=200)
    kwargs = models.JSONField("paramètres", default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("remise au broker le", null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)

    class Meta:
        verbose_name = "tâche en attente d'envoi"
        verbose_name_plural = "tâches en attente d'envoi"
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "id"])]

    def __str__(self) -> str:
        return f"{self.task} ({'envoyée' if self.sent_at else 'en attente'})"


class NotificationPreference(models.Model):
    """A staff member's choice for one kind of e-mail (outbox.notifications.STAFF_EVENTS).

    No row means the e-mail is sent: staff opt out, event by event, on their notifications page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField("évènement", max_length=40)
    enabled = models.BooleanField("recevoir un courriel", default=True)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} : {'oui' if self.enabled else 'non'}"
