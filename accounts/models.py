from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models

from accounts.enums import REGION_SCOPED_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Logs in with an e-mail address; roles come from RoleAssignment rows."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def assignments(self) -> list["RoleAssignment"]:
        """The user's role assignments with their regions, read once per user object (that is,
        once per request): the role checks, scopes and menus of a page all read them."""
        cached = getattr(self, "_assignments_cache", None)
        if cached is None:
            cached = list(self.role_assignments.select_related("region"))
            self._assignments_cache = cached
        return cached

    def roles(self) -> set[str]:
        """The user's role codes; every account is at least an applicant."""
        roles = {Role.APPLICANT.value} | {a.role for a in self.assignments()}
        if self.is_superuser:
            roles.add(Role.ADMIN.value)
        return roles

    def has_role(self, role: str) -> bool:
        return role in self.roles()


class RoleAssignment(models.Model):
    """A staff role given to a user, scoped to a region and optionally to some schemes."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    scheme_codes = models.JSONField(
        "dispositifs",
        default=list,
        blank=True,
        help_text="Codes des dispositifs (INAC, INESS, PDL-IN, IDF-CN2). Vide : tous ceux de la région.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "attribution de rôle"
        verbose_name_plural = "attributions de rôles"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"], name="unique_role_per_region"
            )
        ]

    def __str__(self) -> str:
        scope = f" ({self.region})" if self.region_id else ""
        return f"{self.user} : {self.get_role_display()}{scope}"

    def clean(self) -> None:
        if self.role == Role.APPLICANT:
            raise ValidationError({"role": "Le rôle de demandeur est implicite pour tout compte."})
        if self.role in REGION_SCOPED_ROLES and not self.region_id:
            raise ValidationError({"region": "Ce rôle doit être rattaché à une région."})
        if self.role == Role.ADMIN and self.region_id:
            raise ValidationError(
                {"region": "Le rôle d'administrateur n'est pas lié à une région."}
            )


class LoginEvent(models.Model):
    """A successful login, shown to the person ("Mes connexions") so they can spot an intruder."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_events")
    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)

    class Meta:
        verbose_name = "connexion"
        ordering = ["-at"]


class TwoFactorEnrolment(models.Model):
    """A one-time link to enrol a first authenticator app, sent by e-mail or given by an
    administrator. Only a hash of its secret is stored; it expires, works once and is bound to
    the first browser session that opens it."""

    user = models.ForeignKey(
        User,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="otp_enrolments",
    )
    nonce_hash = models.CharField("empreinte du lien", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    created_by = models.ForeignKey(
        User,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField("ouvert le", null=True, blank=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "lien d'activation de la double authentification"
        verbose_name_plural = "liens d'activation de la double authentification"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y %H:%M})"
