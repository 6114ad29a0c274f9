from django.conf import settings
from django.db import models

from organisations.enums import MemberRole, OrganisationKind
from organisations.validators import validate_rna, validate_siret


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user) -> "OrganisationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Organisation(models.Model):
    """A company, association, commune or grouping of communes that applies for aid."""

    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("raison sociale ou nom", max_length=255)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        unique=True,
        validators=[validate_siret],
        help_text="SIRET de l'établissement qui porte le projet (14 chiffres).",
    )
    siren = models.CharField("SIREN", max_length=9, db_index=True, editable=False)
    rna = models.CharField(
        "numéro RNA",
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text="Associations : numéro au répertoire national des associations (W suivi de 9 "
        "chiffres), sur le récépissé de déclaration en préfecture.",
    )
    legal_form = models.CharField(
        "forme juridique",
        max_length=80,
        blank=True,
        help_text="Par exemple SARL, SAS, association, commune.",
    )
    legal_form_code = models.CharField("code de nature juridique (INSEE)", max_length=4, blank=True)
    naf = models.CharField("code APE/NAF", max_length=6, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    department = models.ForeignKey(
        "territories.Department",
        verbose_name="département",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    created_on = models.DateField("date de création", null=True, blank=True)
    headcount_band = models.CharField("tranche d'effectif salarié", max_length=80, blank=True)
    headcount = models.PositiveIntegerField("effectif salarié (ETP)", null=True, blank=True)
    is_ess = models.BooleanField("entreprise de l'économie sociale et solidaire", default=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.siren = (self.siret or "")[:9]
        super().save(*args, **kwargs)

    @property
    def region(self):
        return self.department.region if self.department_id else None


class Membership(models.Model):
    """A user belongs to an organisation; a user may belong to several."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        "rôle", max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "membre"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class Invitation(models.Model):
    """A member invites someone by e-mail; the link works once, for that e-mail's account."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField("adresse électronique invitée")
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="invité par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
