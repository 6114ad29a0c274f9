from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from applications.enums import TERMINAL_STATES, DossierState, ExpenseBasis, ScanStatus
from schemes import core
from schemes.core.fmt import fr_eur

CATEGORY_CHOICES = list(core.CATEGORIES.items())
MODE_CHOICES = list(core.MODES.items())
DEVICE_CHOICES = list(core.DEVICES.items())


class DossierQuerySet(models.QuerySet):
    def for_member(self, user) -> "DossierQuerySet":
        """Dossiers of the organisations the user belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def open(self) -> "DossierQuerySet":
        return self.exclude(state__in=TERMINAL_STATES)


class Dossier(models.Model):
    """An application for aid: everything the later steps (instruction, payment) work on."""

    number = models.CharField("numéro", max_length=32, unique=True, blank=True)
    scheme = models.ForeignKey(
        "schemes.Scheme",
        verbose_name="dispositif",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    rule_version = models.ForeignKey(
        "schemes.RuleVersion",
        verbose_name="version des règles",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="created_dossiers",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_dossiers",
    )
    state = models.CharField(
        "état",
        max_length=32,
        choices=DossierState.choices,
        default=DossierState.DRAFT,
        db_index=True,
    )
    lock_version = models.PositiveIntegerField("version", default=0)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_saved_at = models.DateTimeField("dernier enregistrement", auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True, db_index=True)
    filed_on = models.DateField("date de dépôt", null=True, blank=True)

    title = models.CharField("intitulé du projet", max_length=200, blank=True)
    description = models.TextField("description du projet", blank=True)
    answers = models.JSONField("réponses aux critères", default=dict, blank=True)
    report = models.JSONField("rapport de réflexion", default=dict, blank=True)
    expense_basis = models.CharField(
        "montants des dépenses", max_length=3, choices=ExpenseBasis.choices, default=ExpenseBasis.HT
    )
    other_public_funding = models.DecimalField(
        "autres aides publiques pour ce projet",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    other_public_funding_detail = models.TextField("détail des autres aides publiques", blank=True)
    funding_declared = models.BooleanField("aides déclarées", default=False)

    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    account_holder = models.CharField("titulaire du compte", max_length=200, blank=True)

    acknowledged_on = models.DateField(
        "accusé de réception le",
        null=True,
        blank=True,
        help_text="Dossier déclaré complet : les dépenses sont éligibles à partir de cette date.",
    )
    awarded_amount = models.DecimalField(
        "aide attribuée", max_digits=12, decimal_places=2, null=True, blank=True
    )

    deletion_notice_at = models.DateTimeField(
        "avis de suppression du brouillon envoyé le", null=True, blank=True
    )

    sworn_statement_at = models.DateTimeField("déclaration sur l'honneur le", null=True, blank=True)
    result = models.JSONField("résultat du moteur à la soumission", null=True, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        ordering = ["-created_at"]
        indexes = [
            # The queue's default sort inside a tab (state, then oldest first, then the pk as the
            # tie-breaker): PostgreSQL walks it in order and stops at the page's last row.
            models.Index(
                fields=["state", "submitted_at", "id"], name="dossier_state_submitted_idx"
            ),
            # The queue's tab counters: an index-only scan over the agent's schemes.
            models.Index(fields=["scheme", "state", "id"], name="dossier_scheme_state_idx"),
            # The queue's amount filter and sort (instruction.queue.AMOUNT): keep both identical.
            models.Index(
                Coalesce(
                    "awarded_amount",
                    Cast(KT("result__award"), models.DecimalField(max_digits=12, decimal_places=2)),
                    output_field=models.DecimalField(max_digits=12, decimal_places=2),
                ),
                name="dossier_amount_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "scheme"],
                condition=~Q(state__in=TERMINAL_STATES),
                name="one_open_dossier_per_scheme",
                violation_error_message="Votre organisation a déjà un dossier en cours pour ce dispositif.",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"Dossier {self.pk}"

    def save(self, *args, **kwargs):
        # Any save of a draft (a step, an autosave) keeps it alive: a past deletion notice lapses.
        if self.state == DossierState.DRAFT and self.deletion_notice_at and self.pk:
            self.deletion_notice_at = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "deletion_notice_at"}
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.state == DossierState.DRAFT

    @property
    def accepts_documents(self) -> bool:
        """Documents can be added to a draft, and when the Region asks for complements."""
        return self.state in (DossierState.DRAFT, DossierState.COMPLEMENTS_REQUESTED)


class ExpenseLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="expenses")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    category = models.CharField("nature de la dépense", max_length=32, choices=CATEGORY_CHOICES)
    description = models.CharField("description", max_length=255, blank=True)
    supplier = models.CharField("fournisseur", max_length=200, blank=True)
    amount = models.DecimalField(
        "montant", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    mode = models.CharField("mode", max_length=16, choices=MODE_CHOICES, default="purchase")
    months = models.PositiveSmallIntegerField("durée de l'abonnement (mois)", null=True, blank=True)
    device = models.CharField("appareil", max_length=16, choices=DEVICE_CHOICES, blank=True)
    quote_date = models.DateField("date du devis signé", null=True, blank=True)

    class Meta:
        verbose_name = "dépense"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} — {fr_eur(Decimal(self.amount))}"


class DeMinimisAid(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="de_minimis_aids")
    granting_body = models.CharField("organisme attributaire", max_length=200)
    granted_on = models.DateField("date d'attribution")
    amount = models.DecimalField(
        "montant", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        verbose_name = "aide de minimis déclarée"
        verbose_name_plural = "aides de minimis déclarées"
        ordering = ["granted_on"]


PREVIEW_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def attachment_path(instance, filename: str) -> str:
    # The stored name is random (set by the upload service); the user's name is kept apart.
    return f"dossiers/{instance.dossier_id}/{filename}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document_code = models.CharField("pièce", max_length=64)
    original_name = models.CharField("nom du fichier", max_length=200)
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    mime_type = models.CharField("type détecté", max_length=100)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    scan_status = models.CharField(
        "analyse antivirus",
        max_length=16,
        choices=ScanStatus.choices,
        default=ScanStatus.NOT_SCANNED,
    )
    scan_detail = models.CharField("résultat de l'analyse", max_length=255, blank=True)
    scanned_at = models.DateTimeField("analysé le", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["document_code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def can_be_opened(self) -> bool:
        """Clean files; files never scanned only where no antivirus is required (see
        CLAMAV_REQUIRED); pending, failed or infected scans never."""
        if self.scan_status == ScanStatus.CLEAN:
            return True
        required = getattr(settings, "CLAMAV_REQUIRED", False)
        return self.scan_status == ScanStatus.NOT_SCANNED and not required

    @property
    def preview_kind(self) -> str:
        """ "pdf" or "image" when the browser can show the file itself (type detected at upload),
        once it may be opened; "" otherwise (instruction.views_files)."""
        if not self.can_be_opened:
            return ""
        if self.mime_type == "application/pdf":
            return "pdf"
        return "image" if self.mime_type in PREVIEW_IMAGES else ""

    @property
    def awaiting_scan(self) -> bool:
        """Not offered yet, not infected either: « analyse antivirus en cours »."""
        return not self.can_be_opened and self.scan_status != ScanStatus.INFECTED


class DossierTransitionLog(models.Model):
    """One row per state change of a dossier: who, when, from, to, why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField("transition", max_length=40)
    from_state = models.CharField("état avant", max_length=32)
    to_state = models.CharField("état après", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["at", "id"]


class DossierDocument(models.Model):
    """An official document generated for a dossier (receipt, acts...): stored once, never regenerated silently."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Récépissé de dépôt"
        ACKNOWLEDGMENT = "acknowledgment", "Accusé de réception"
        AWARD = "award", "Décision d'attribution"
        REJECTION = "rejection", "Lettre de refus"
        RECOVERY = "recovery", "Titre de recette"
        STATEMENT = "statement", "État récapitulatif des dépenses"
        DE_MINIMIS = "de_minimis", "Attestation de minimis"

    # Kinds that state the decision: superseded when a decided dossier is reopened.
    DECISION_KINDS = (Kind.AWARD, Kind.REJECTION, Kind.STATEMENT, Kind.DE_MINIMIS)

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type", max_length=32, choices=Kind.choices)
    reference = models.CharField("référence", max_length=64, unique=True)
    file = models.FileField("fichier", upload_to="documents/%Y/", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    version = models.PositiveSmallIntegerField(
        "version", default=1, help_text="1, puis 2, 3… pour un document qui en remplace un autre."
    )
    created_at = models.DateTimeField("généré le", auto_now_add=True)
    superseded_at = models.DateTimeField(
        "remplacé le",
        null=True,
        blank=True,
        help_text="Après réouverture du dossier, l'acte est remplacé par un nouveau.",
    )

    class Meta:
        verbose_name = "document officiel"
        verbose_name_plural = "documents officiels"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_document_per_kind",
            ),
            models.UniqueConstraint(
                fields=["dossier", "kind", "version"], name="one_document_per_kind_and_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


# Verdicts of the other stored files (payment documents, message attachments): see the module.
from applications.file_scans import StoredFileScan  # noqa: E402,F401


class CompanyCertificate(models.Model):
    """A certificate fetched from API Entreprise for a dossier's company (URSSAF vigilance, DGFIP
    fiscal): kept with its source, its dates and its bytes; a newer fetch adds a row, never
    overwrites one (applications/certificates.py)."""

    class Kind(models.TextChoices):
        URSSAF_VIGILANCE = "urssaf_vigilance", "Attestation de vigilance (URSSAF)"
        DGFIP_FISCAL = "dgfip_fiscal", "Attestation de régularité fiscale (DGFIP)"

    class Source(models.TextChoices):
        API_ENTREPRISE = "api_entreprise", "API Entreprise"
        FIXTURE = "fixture", "Jeu de démonstration (hors ligne)"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField("attestation", max_length=32, choices=Kind.choices)
    source = models.CharField("source", max_length=32, choices=Source.choices)
    siren = models.CharField("SIREN", max_length=9)
    issued_on = models.DateField("délivrée le")
    valid_until = models.DateField("valable jusqu'au")
    status = models.CharField("situation déclarée", max_length=120, blank=True)
    file = models.FileField("fichier", upload_to="certificates/%Y/", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    fetched_at = models.DateTimeField("récupérée le", auto_now_add=True)

    class Meta:
        verbose_name = "attestation récupérée"
        verbose_name_plural = "attestations récupérées"
        ordering = ["kind", "-fetched_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.issued_on:%d/%m/%Y}"

    def is_valid_on(self, day) -> bool:
        return self.issued_on <= day <= self.valid_until
