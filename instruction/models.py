"""Instruction of dossiers by the Region's agents: review, complements, notes, messages,
decisions and the IDF-CN2 commission permanente."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from instruction.enums import CheckStatus, RetentionStatus, Vote


class Review(models.Model):
    """The agent's file on a dossier: who instructs it, its deadlines, the proposal."""

    dossier = models.OneToOneField(
        "applications.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="review"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="instructeur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    taken_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    first_contact_due_on = models.DateField("premier contact avant le", null=True, blank=True)
    first_contact_on = models.DateField("premier contact le", null=True, blank=True)
    region_share = models.DecimalField(
        "part d'activité retenue dans la région",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Remplace la part déclarée par le demandeur (PDL-IN, question 6 de la FAQ).",
    )
    proposed_award = models.DecimalField(
        "aide proposée", max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposal_favourable = models.BooleanField("avis favorable", null=True, blank=True)
    proposal_comment = models.TextField("motivation de la proposition", blank=True)
    decision_motivation = models.TextField("motivation de la décision", blank=True)
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    realisation_deadline = models.DateField("fin de réalisation", null=True, blank=True)
    proofs_deadline = models.DateField("justificatifs à envoyer avant le", null=True, blank=True)
    overdue_since = models.DateField("en retard depuis", null=True, blank=True, db_index=True)
    overdue_reason = models.CharField("retard", max_length=200, blank=True)

    class Meta:
        verbose_name = "instruction"
        verbose_name_plural = "instructions"
        indexes = [models.Index(fields=["agent", "dossier"])]

    def __str__(self) -> str:
        return f"Instruction {self.dossier}"


class CriterionCheck(models.Model):
    """One eligibility criterion as the engine evaluated it, confirmed or overridden by the agent."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="criterion_checks"
    )
    code = models.CharField("critère", max_length=64)
    label = models.CharField("libellé", max_length=300)
    source = models.CharField("source", max_length=500, blank=True)
    engine_passed = models.BooleanField("résultat du moteur", null=True)
    status = models.CharField(
        "avis de l'instructeur",
        max_length=16,
        choices=CheckStatus.choices,
        default=CheckStatus.PENDING,
    )
    comment = models.TextField("commentaire", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "critère vérifié"
        verbose_name_plural = "critères vérifiés"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="one_check_per_criterion")
        ]


class ExpenseRetention(models.Model):
    """How much of an expense line the agent retains, and why."""

    line = models.OneToOneField(
        "applications.ExpenseLine", on_delete=models.CASCADE, related_name="retention"
    )
    status = models.CharField("retenue", max_length=16, choices=RetentionStatus.choices)
    amount = models.DecimalField(
        "montant retenu",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    reason = models.TextField("motif", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "dépense retenue"
        verbose_name_plural = "dépenses retenues"


class Note(models.Model):
    """A private note: visible to agents only."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("note")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "note interne"
        verbose_name_plural = "notes internes"
        ordering = ["created_at"]


class Message(models.Model):
    """The thread between the applicant's organisation and the Region about a dossier."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_region = models.BooleanField("envoyé par la Région")
    body = models.TextField("message")
    attachment = models.FileField(
        "pièce jointe", upload_to="messages/%Y/", blank=True, max_length=255
    )
    attachment_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "message"
        ordering = ["created_at"]


class ComplementRequest(models.Model):
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="complement_requests"
    )
    items = models.TextField("éléments demandés", help_text="Un élément par ligne.")
    due_on = models.DateField("réponse attendue avant le")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField("réponse", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "demande de compléments"
        verbose_name_plural = "demandes de compléments"
        ordering = ["-requested_at"]

    def item_list(self) -> list[str]:
        return [line.strip(" -•") for line in self.items.splitlines() if line.strip(" -•")]


class CommissionSession(models.Model):
    """A session of the commission permanente that votes IDF-CN2 awards."""

    region = models.ForeignKey(
        "territories.Region", on_delete=models.PROTECT, related_name="commission_sessions"
    )
    number = models.CharField("numéro", max_length=32)
    date = models.DateField("date de la séance")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "séance de commission permanente"
        verbose_name_plural = "séances de commission permanente"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="unique_session_number")
        ]

    def __str__(self) -> str:
        return f"CP {self.number} du {self.date:%d/%m/%Y}"


class AgendaItem(models.Model):
    session = models.ForeignKey(CommissionSession, on_delete=models.PROTECT, related_name="items")
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="agenda_items"
    )
    vote = models.CharField("vote", max_length=10, choices=Vote.choices, default=Vote.PENDING)
    deliberation_number = models.CharField("numéro de délibération", max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "dossier inscrit"
        verbose_name_plural = "dossiers inscrits"
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "dossier"], name="unique_agenda_item")
        ]


class Reminder(models.Model):
    """A reminder sent once: the daily task never sends the same one twice."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("rappel", max_length=40)
    due_on = models.DateField("échéance")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "due_on"], name="one_reminder_per_deadline"
            )
        ]


# The queue each agent shapes (labels, saved filters, columns) and its batch operations.
from instruction.models_batch import (  # noqa: E402,F401
    BatchAction,
    BatchItem,
    BatchJob,
    ItemOutcome,
    JobStatus,
)
from instruction.models_queue import (  # noqa: E402,F401
    DossierLabel,
    LabelColour,
    QueueLabel,
    QueuePreference,
    SavedFilter,
)


class BulkMessage(models.Model):
    """A message an agent writes to many applicants at once, chosen by the state of their dossier.

    Sent by a Celery job (instruction.bulk_messages.bulk_message_send): one message in each
    dossier's thread, e-mailed to its members through the outbox's throttled task.
    """

    token = models.UUIDField("jeton du formulaire", unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audience = models.CharField("destinataires", max_length=40)
    body = models.TextField("message")
    created_at = models.DateTimeField("écrit le", auto_now_add=True)
    total = models.PositiveIntegerField("dossiers visés", null=True, blank=True)
    sent = models.PositiveIntegerField("dossiers traités", default=0)
    refused = models.PositiveIntegerField(
        "dossiers écartés", default=0, help_text="Conflit d’intérêts ou hors des attributions."
    )
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "message groupé"
        verbose_name_plural = "messages groupés"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Message groupé du {self.created_at:%d/%m/%Y}"

    @property
    def audience_label(self) -> str:
        from instruction.bulk_messages import AUDIENCES

        audience = AUDIENCES.get(self.audience)
        return audience.label if audience else self.audience


class BulkMessageRecipient(models.Model):
    """One dossier reached by a bulk message (at most once: a retried job skips it)."""

    bulk = models.ForeignKey(BulkMessage, on_delete=models.CASCADE, related_name="recipients")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "dossier destinataire"
        constraints = [
            models.UniqueConstraint(
                fields=["bulk", "dossier"], name="bulk_message_once_per_dossier"
            )
        ]


class AgentDigest(models.Model):
    """The daily digest an agent received (one per day: a retried task sends nothing twice)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("jour")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "récapitulatif quotidien"
        verbose_name_plural = "récapitulatifs quotidiens"
        constraints = [
            models.UniqueConstraint(fields=["agent", "day"], name="one_digest_per_agent_and_day")
        ]
