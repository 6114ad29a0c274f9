from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from schemes import core
from schemes.core.schema import validate_version
from schemes.enums import RULE_TRANSITIONS, RuleStatus

# Fields of a rule version that are its content: frozen once the version is published.
FROZEN_FIELDS = ("scheme_id", "ident", "label", "valid_from", "valid_to", "parameters", "is_demo")


class PublishedVersionImmutable(ValidationError):
    """A published rule version cannot change: a correction is a new version."""


class SchemeQuerySet(models.QuerySet):
    def open_on(self, day: date) -> "SchemeQuerySet":
        """Schemes with a call period open on `day`."""
        return self.filter(
            models.Q(call_periods__closes_on__isnull=True)
            | models.Q(call_periods__closes_on__gte=day),
            call_periods__opens_on__lte=day,
        ).distinct()


class Scheme(models.Model):
    """A regional aid scheme. `code` is stable: INAC, INESS, PDL-IN, IDF-CN2."""

    code = models.CharField("code", max_length=16, unique=True)
    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région",
        on_delete=models.PROTECT,
        related_name="schemes",
    )
    summary = models.CharField("résumé", max_length=300, blank=True)
    description = models.TextField("description", blank=True)
    applicant_kinds = models.JSONField(
        "types de demandeurs",
        default=list,
        help_text="company, association, commune, intercommunality",
    )
    # Content of the scheme's pages and forms, kept as data so that a new scheme needs the core's
    # parameters and one data migration, no module naming it (issue 17, point 5).
    questions = models.JSONField(
        "questions d'éligibilité du dépôt",
        default=list,
        blank=True,
        help_text="Données du demandeur demandées à l'étape « Éligibilité », dans l'ordre "
        "(noms du moteur de règles : headcount, turnover…). Vide : aucune question.",
    )
    report_sections = models.JSONField(
        "rubriques du rapport de réflexion",
        default=list,
        blank=True,
        help_text='Paires [clé, intitulé], par exemple [["context", "Contexte de '
        "l'entreprise\"]]. Vide : pas de rapport.",
    )
    audience_summary = models.TextField(
        "public visé",
        blank=True,
        help_text="Remplace le résumé là où une personne choisit entre deux dispositifs proches.",
    )
    audience_choose = models.TextField(
        "lequel choisir",
        blank=True,
        help_text="À qui s'adresse ce dispositif plutôt qu'un autre de la région.",
    )
    choice = models.JSONField(
        "choix entre dispositifs non cumulables",
        default=dict,
        blank=True,
        help_text="Sur le dispositif à recommander quand deux aides exclusives sont ouvertes : "
        "over (code de l'autre), note, note_source et non_cumul_source ({document, passage}).",
    )
    worked_example = models.JSONField(
        "exemple chiffré",
        default=dict,
        blank=True,
        help_text="Situation type (applicant, project) calculée par le moteur sur la page du "
        "dispositif.",
    )
    offers = models.JSONField(
        "offres référencées",
        default=dict,
        blank=True,
        help_text="Listes publiées par la région (solutions, trainings) : paires [offre, "
        "prestataire].",
    )
    history = HistoricalRecords()

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif"
        ordering = ["region__name", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def slug(self) -> str:
        return self.code.lower()

    @property
    def report_pairs(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label in self.report_sections or []]


class CallPeriod(models.Model):
    """A period during which dossiers may be filed, set by a scheme manager."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="call_periods"
    )
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField(
        "clôture", null=True, blank=True, help_text="Vide : sans date de fin."
    )
    label = models.CharField("libellé", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "période de dépôt"
        verbose_name_plural = "périodes de dépôt"
        ordering = ["scheme", "opens_on"]

    def __str__(self) -> str:
        if self.closes_on:
            return f"{self.scheme.code} : du {self.opens_on:%d/%m/%Y} au {self.closes_on:%d/%m/%Y}"
        return f"{self.scheme.code} : à partir du {self.opens_on:%d/%m/%Y}"

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class RuleVersion(models.Model):
    """A dated version of a scheme's rules; its parameters each carry their citation."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="dispositif", on_delete=models.PROTECT, related_name="rule_versions"
    )
    ident = models.CharField("identifiant", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=200)
    valid_from = models.DateField("en vigueur à partir du")
    valid_to = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    parameters = models.JSONField("paramètres", default=dict)
    is_demo = models.BooleanField(
        "extension de démonstration",
        default=False,
        help_text="Version ajoutée pour essayer le portail, sans base juridique.",
    )
    status = models.CharField(
        "statut",
        max_length=16,
        choices=RuleStatus.choices,
        default=RuleStatus.PUBLISHED,
        db_index=True,
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name="copie de",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change_reasons = models.JSONField(
        "raisons des changements", default=dict, blank=True, help_text="Par paramètre modifié."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", null=True, blank=True, auto_now_add=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="publiée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "version des règles"
        verbose_name_plural = "versions des règles"
        ordering = ["scheme", "valid_from"]

    def __str__(self) -> str:
        return self.ident

    def save(self, *args, **kwargs):
        if self.pk:
            stored = RuleVersion.objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
            if stored and stored["status"] != RuleStatus.DRAFT:
                changed = [f for f in FROZEN_FIELDS if stored[f] != getattr(self, f)]
                # Once published, a version only moves to withdrawn (before it starts).
                moved = stored["status"] in (RuleStatus.PUBLISHED, RuleStatus.WITHDRAWN) and (
                    self.status != stored["status"] and self.status != RuleStatus.WITHDRAWN
                )
                if changed or moved:
                    raise PublishedVersionImmutable(
                        "Une version soumise ou publiée ne peut plus être modifiée : "
                        "créez une nouvelle version pour la corriger."
                    )
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == RuleStatus.PUBLISHED

    def state_on(self, day: date) -> str:
        """Where the version stands on `day`, in French: in force, scheduled, past, draft..."""
        if self.status != RuleStatus.PUBLISHED:
            return self.get_status_display()
        if self.valid_from > day:
            return "Programmée"
        if self.valid_to is not None and self.valid_to < day:
            return "Terminée"
        return "Publiée, applicable"

    def clean(self) -> None:
        if self.scheme_id is None or self.valid_from is None:
            return  # the form reports the missing (or refused) scheme or date on its field
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "La fin de validité précède son début."})
        try:
            version = self.as_core()
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ValidationError({"parameters": f"Paramètres illisibles : {exc}"}) from exc
        errors = validate_version(version)
        if errors:
            raise ValidationError({"parameters": [f"{error.message}" for error in errors[:20]]})

    def as_core(self) -> core.RuleVersion:
        return core.RuleVersion.from_json(
            {
                "scheme": self.scheme.code,
                "ident": self.ident,
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to else None,
                "label": self.label,
                "parameters": self.parameters,
            }
        )


class BudgetEnvelope(models.Model):
    """The yearly budget envelope (autorisation d'engagement) voted for a scheme.

    Only the voted amount is stored: what is committed and paid is computed from the decisions
    and payments themselves, so no counter can drift.
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name="dispositif", on_delete=models.PROTECT, related_name="envelopes"
    )
    year = models.PositiveSmallIntegerField("exercice")
    voted_amount = models.DecimalField("montant voté (AE)", max_digits=14, decimal_places=2)
    reference = models.CharField("référence de la délibération", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "enveloppe budgétaire"
        verbose_name_plural = "enveloppes budgétaires"
        ordering = ["scheme", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="one_envelope_per_scheme_year")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} {self.year}"


class RuleVersionTransitionLog(models.Model):
    """One row per move of a rule version (submitted, published, withdrawn): who, when, why."""

    version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="transitions", verbose_name="version"
    )
    transition = models.CharField("transition", max_length=20)
    from_state = models.CharField("état avant", max_length=16)
    to_state = models.CharField("état après", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "transition d'une version des règles"
        verbose_name_plural = "transitions des versions des règles"
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        return {name: label for name, _, _, label in RULE_TRANSITIONS}.get(
            self.transition, self.transition
        )


class GoldenCase(models.Model):
    """A situation with its expected result, run on every draft of the scheme's rules.

    `situation` is the engine's input (contracts/simulate.md, or settle's for a payment case);
    `expected` holds only the fields checked (eligible, award, final_award...)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="golden_cases"
    )
    name = models.CharField("intitulé", max_length=200)
    document = models.CharField("texte", max_length=200, blank=True)
    passage = models.CharField("passage", max_length=500, blank=True)
    situation = models.JSONField("situation")
    expected = models.JSONField("résultat attendu")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "cas de référence"
        verbose_name_plural = "cas de référence"
        ordering = ["scheme", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_settle(self) -> bool:
        return "award" in self.situation and "applicant" not in self.situation


class GoldenCaseAmendment(models.Model):
    """A golden case's expectation changed for a draft, with the manager's reason (recorded);
    folded into the case when the draft is published."""

    case = models.ForeignKey(
        GoldenCase, on_delete=models.CASCADE, related_name="amendments", verbose_name="cas"
    )
    version = models.ForeignKey(
        RuleVersion, on_delete=models.CASCADE, related_name="amendments", verbose_name="version"
    )
    before = models.JSONField("attendu avant")
    expected = models.JSONField("nouvel attendu")
    reason = models.TextField("raison")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "attendu modifié"
        verbose_name_plural = "attendus modifiés"
        ordering = ["at", "id"]
