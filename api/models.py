"""API tokens, the log of API calls, webhooks per scheme and their deliveries."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from api.targets import validate_target_url

TOKEN_PREFIX = "an_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A partner's key: one region, some schemes (none = all of the region), read-only or not.

    Only the SHA-256 of the secret is stored; the secret is shown once, at creation. Each token
    acts through its own technical user, so that permissions, audit and separation of duties
    work as for a person.
    """

    name = models.CharField("nom", max_length=100, help_text="Outil ou partenaire qui l'utilise.")
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    scheme_codes = models.JSONField(
        "dispositifs",
        default=list,
        blank=True,
        help_text='Codes des dispositifs, par exemple ["PDL-IN"]. Vide : tous ceux de la région.',
    )
    read_only = models.BooleanField("lecture seule", default=True)
    expires_on = models.DateField("expire le", help_text="Dernier jour de validité.")
    key_hash = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    key_prefix = models.CharField("début du jeton", max_length=12, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur technique",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="api_token",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def clean(self) -> None:
        if not isinstance(self.scheme_codes, list) or not all(
            isinstance(code, str) for code in self.scheme_codes
        ):
            raise ValidationError({"scheme_codes": "Indiquez une liste de codes de dispositifs."})
        if self.scheme_codes and self.region_id:
            from schemes.models import Scheme

            known = set(
                Scheme.objects.filter(region_id=self.region_id).values_list("code", flat=True)
            )
            unknown = sorted(set(self.scheme_codes) - known)
            if unknown:
                raise ValidationError(
                    {
                        "scheme_codes": "Dispositifs inconnus dans cette région : "
                        + ", ".join(unknown)
                    }
                )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    def scope_q(self, *, prefix: str = "") -> Q:
        """Objects of the token's region and schemes (`prefix` leads to the dossier)."""
        query = Q(**{f"{prefix}scheme__region_id": self.region_id})
        if self.scheme_codes:
            query &= Q(**{f"{prefix}scheme__code__in": self.scheme_codes})
        return query


class ApiCall(models.Model):
    """One API call: who, what, the answer's status and how long it took."""

    token = models.ForeignKey(
        ApiToken,
        verbose_name="jeton",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calls",
    )
    at = models.DateTimeField("le", auto_now_add=True, db_index=True)
    method = models.CharField("méthode", max_length=10)
    path = models.CharField("chemin", max_length=500)
    status = models.PositiveSmallIntegerField("statut")
    duration_ms = models.PositiveIntegerField("durée (ms)")

    class Meta:
        verbose_name = "appel à l'API"
        verbose_name_plural = "appels à l'API"
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "at"], name="api_call_token_at_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """A partner's URL told of every state change of the dossiers of a scheme."""

    scheme = models.ForeignKey(
        "schemes.Scheme",
        verbose_name="dispositif",
        on_delete=models.PROTECT,
        related_name="webhooks",
    )
    target_url = models.URLField("adresse de destination", max_length=500)
    secret = models.CharField(
        "secret de signature",
        max_length=128,
        default=new_webhook_secret,
        help_text="Clé HMAC-SHA256 de l'en-tête X-Aides-Signature, à transmettre au partenaire.",
    )
    active = models.BooleanField("actif", default=True)
    allow_private = models.BooleanField(
        "autoriser une adresse interne",
        default=False,
        help_text="Adresse privée, de bouclage ou en http : réservé aux administrateurs.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "webhook"
        ordering = ["scheme", "id"]

    def __str__(self) -> str:
        return f"{self.scheme.code} → {self.target_url}"

    def clean(self) -> None:
        try:
            validate_target_url(self.target_url, allow_private=self.allow_private)
        except ValidationError as exc:
            raise ValidationError({"target_url": exc.messages}) from exc


class WebhookDelivery(models.Model):
    """One event sent to one webhook, with each attempt recorded."""

    webhook = models.ForeignKey(
        Webhook, verbose_name="webhook", on_delete=models.CASCADE, related_name="deliveries"
    )
    dossier = models.ForeignKey(
        "applications.Dossier",
        verbose_name="dossier",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    event = models.CharField("événement", max_length=40, default="dossier.state_changed")
    transition = models.CharField("transition", max_length=40)
    from_state = models.CharField("état avant", max_length=32)
    to_state = models.CharField("état après", max_length=32)
    payload = models.JSONField("contenu")
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    attempt_log = models.JSONField("historique des tentatives", default=list, blank=True)
    last_status = models.PositiveSmallIntegerField("dernier statut HTTP", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    delivered_at = models.DateTimeField("livré le", null=True, blank=True)
    failed_at = models.DateTimeField("abandonné le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "envoi de webhook"
        verbose_name_plural = "envois de webhooks"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.from_state} → {self.to_state} ({self.webhook})"
