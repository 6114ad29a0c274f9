"""Payments of awarded aids: requests with invoices, service fait, finance validation, batches."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from common.workflow import TransitionLog
from payments.enums import BatchState, ChangeState, PaymentKind, RequestState, RetainStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


class PaymentRequest(models.Model):
    """What the beneficiary asks for (advance, balance or single payment) and its checking."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="payment_requests"
    )
    kind = models.CharField("type", max_length=10, choices=PaymentKind.choices)
    state = models.CharField(
        "état",
        max_length=12,
        choices=RequestState.choices,
        default=RequestState.SUBMITTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    account_holder = models.CharField("titulaire", max_length=200)
    iban_changed = models.BooleanField("changement de coordonnées bancaires", default=False)
    rib = models.FileField("nouveau RIB", upload_to="paiements/%Y/", blank=True, max_length=255)
    quote = models.FileField(
        "devis ou bon de commande signé", upload_to="paiements/%Y/", blank=True, max_length=255
    )
    statement_confirmed = models.BooleanField(
        "état récapitulatif daté, signé et tamponné", default=False
    )
    completion_confirmed = models.BooleanField("attestation de fin de dépenses", default=False)
    # The signed documents themselves (PDL FAQ Q31: balance and single payment).
    statement_file = models.FileField(
        "état récapitulatif des dépenses signé",
        upload_to="paiements/%Y/",
        blank=True,
        max_length=255,
    )
    statement_file_name = models.CharField(max_length=200, blank=True)
    completion_file = models.FileField(
        "attestation de fin des dépenses signée",
        upload_to="paiements/%Y/",
        blank=True,
        max_length=255,
    )
    completion_file_name = models.CharField(max_length=200, blank=True)
    # Service fait, by the agent, computed by the rules engine's settle.
    justified_base = models.DecimalField(
        "dépenses justifiées retenues", null=True, blank=True, **MONEY
    )
    final_award = models.DecimalField("aide finale", null=True, blank=True, **MONEY)
    amount = models.DecimalField("montant à payer", null=True, blank=True, **MONEY)
    to_recover = models.DecimalField("montant à reverser", null=True, blank=True, **MONEY)
    settle_result = models.JSONField("calcul du moteur", null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField("service fait le", null=True, blank=True)
    sent_back_reason = models.TextField("motif du renvoi", blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "demande de paiement"
        verbose_name_plural = "demandes de paiement"
        ordering = ["-requested_at"]
        constraints = [
            # One live request of each kind per dossier: a double click never makes two.
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=~models.Q(state="refused"),
                name="one_live_request_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.dossier}"


class Invoice(models.Model):
    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="invoices")
    expense_line = models.ForeignKey(
        "applications.ExpenseLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    supplier = models.CharField("fournisseur", max_length=200)
    number = models.CharField("numéro de facture", max_length=60)
    issued_on = models.DateField("date de la facture")
    amount = models.DecimalField(
        "montant", validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    paid_on = models.DateField("payée le")
    file = models.FileField("facture", upload_to="factures/%Y/", max_length=255)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField("SHA-256 du fichier", max_length=64, blank=True)
    retained_status = models.CharField(
        "retenue", max_length=10, choices=RetainStatus.choices, blank=True
    )
    retained_amount = models.DecimalField("montant retenu", null=True, blank=True, **MONEY)
    retained_reason = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        verbose_name = "facture"
        ordering = ["issued_on", "id"]


class PaymentBatch(models.Model):
    """Validated payments grouped for the region's financial software; frozen once exported."""

    region = models.ForeignKey(
        "territories.Region", on_delete=models.PROTECT, related_name="payment_batches"
    )
    label = models.CharField("libellé", max_length=100)
    state = models.CharField(
        "état", max_length=10, choices=BatchState.choices, default=BatchState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField("exporté le", null=True, blank=True)
    csv_sha256 = models.CharField("SHA-256 du CSV", max_length=64, blank=True)
    xlsx_sha256 = models.CharField("SHA-256 du XLSX", max_length=64, blank=True)
    csv_file = models.FileField(upload_to="lots/%Y/", blank=True, max_length=255)
    xlsx_file = models.FileField(upload_to="lots/%Y/", blank=True, max_length=255)
    paid_on = models.DateField("payé le", null=True, blank=True)

    class Meta:
        verbose_name = "lot de paiements"
        verbose_name_plural = "lots de paiements"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label


class Payment(models.Model):
    """A payment validated by finance: one per request, enforced by the database."""

    request = models.OneToOneField(PaymentRequest, on_delete=models.PROTECT, related_name="payment")
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField("type", max_length=10, choices=PaymentKind.choices)
    amount = models.DecimalField(
        "montant", validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    envelope = models.ForeignKey(
        "schemes.BudgetEnvelope", null=True, on_delete=models.PROTECT, related_name="payments"
    )
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    account_holder = models.CharField("titulaire", max_length=200)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(auto_now_add=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField("payé le", null=True, blank=True)

    class Meta:
        verbose_name = "paiement"
        ordering = ["-validated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"], name="one_payment_per_dossier_and_kind"
            )
        ]


class RecoveryOrder(models.Model):
    """Titre de recette: the beneficiary pays back what an advance overpaid."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="recovery_orders"
    )
    request = models.OneToOneField(
        PaymentRequest, on_delete=models.PROTECT, related_name="recovery_order"
    )
    amount = models.DecimalField("montant", **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    received_on = models.DateField("reversement reçu le", null=True, blank=True)

    class Meta:
        verbose_name = "titre de recette"
        verbose_name_plural = "titres de recette"


class ProviderChange(models.Model):
    """After the award, the beneficiary changes provider with a new quote; the project stays the same."""

    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.CASCADE, related_name="provider_changes"
    )
    expense_line = models.ForeignKey(
        "applications.ExpenseLine", on_delete=models.CASCADE, related_name="provider_changes"
    )
    new_supplier = models.CharField("nouveau fournisseur", max_length=200)
    new_amount = models.DecimalField(
        "montant du nouveau devis", validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    quote = models.FileField("nouveau devis", upload_to="devis/%Y/", max_length=255)
    reason = models.TextField("motif du changement")
    state = models.CharField(
        "état", max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement de prestataire"
        verbose_name_plural = "changements de prestataire"
        ordering = ["-declared_at"]


class PaymentRequestTransitionLog(TransitionLog):
    """One row per state change of a payment request: who, when, from, to, why."""

    request = models.ForeignKey(
        PaymentRequest, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une demande de paiement"
        verbose_name_plural = "changements d'état des demandes de paiement"


class PaymentBatchTransitionLog(TransitionLog):
    """One row per state change of a payment batch."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'un lot de paiements"
        verbose_name_plural = "changements d'état des lots de paiements"


class ProviderChangeTransitionLog(TransitionLog):
    """One row per decision on a provider change."""

    change = models.ForeignKey(ProviderChange, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'un changement de prestataire"
        verbose_name_plural = "changements d'état des changements de prestataire"


# The finance software's numbers (imputation, tiers, EJ, mandates): see the module.
from payments.models_finance import (  # noqa: E402,F401
    BudgetImputation,
    FinanceNumbers,
    PaymentMandate,
)
