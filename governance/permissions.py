"""Who may govern which scheme's rules: scheme managers of its region (and of its codes, when
their assignment names some), administrators everywhere. Answers (allowed, why in French)."""

from django.http import Http404

from accounts.enums import Role
from accounts.permissions import scheme_scope_q
from schemes.enums import RuleStatus
from schemes.models import RuleVersion, Scheme


def managed_schemes(user):
    """The schemes whose rules `user` governs (none for anyone but managers and administrators)."""
    if not user.is_authenticated or not (
        user.has_role(Role.SCHEME_MANAGER) or user.has_role(Role.ADMIN)
    ):
        return Scheme.objects.none()
    scope = scheme_scope_q(user, Role.SCHEME_MANAGER, region_field="region", scheme_field="code")
    return Scheme.objects.filter(scope).select_related("region")


def get_scheme_for_manager(user, code: str) -> Scheme:
    """The scheme, or 404 when it lies outside the user's scope (never a hint it exists)."""
    scheme = managed_schemes(user).filter(code__iexact=code).first()
    if scheme is None:
        raise Http404("Dispositif introuvable.")
    return scheme


def get_version_for_manager(user, scheme: Scheme, pk: int) -> RuleVersion:
    version = RuleVersion.objects.filter(scheme=scheme, pk=pk).select_related("scheme").first()
    if version is None:
        raise Http404("Version introuvable.")
    return version


def can_edit(user, version: RuleVersion) -> tuple[bool, str]:
    if version.status != RuleStatus.DRAFT:
        return (
            False,
            "Seul un brouillon se modifie ; une version publiée se corrige par une nouvelle version.",
        )
    if version.created_by_id != user.pk:
        return False, "Seul l'auteur du brouillon peut le modifier."
    return True, ""


def can_submit(user, version: RuleVersion) -> tuple[bool, str]:
    if version.status != RuleStatus.DRAFT:
        return False, "Seul un brouillon peut être soumis à publication."
    if version.created_by_id != user.pk:
        return False, "Seul l'auteur du brouillon peut le soumettre."
    return True, ""


def can_publish(user, version: RuleVersion) -> tuple[bool, str]:
    """Four eyes: another manager of the scheme's region, or an administrator, never the author."""
    if version.status != RuleStatus.SUBMITTED:
        return False, "Seule une version soumise à publication peut être publiée."
    if version.created_by_id == user.pk:
        return (
            False,
            "Vous êtes l'auteur de cette version : un autre gestionnaire de la région "
            "(ou un administrateur) doit la publier.",
        )
    if not managed_schemes(user).filter(pk=version.scheme_id).exists():
        return False, "Cette version n'appartient pas à votre périmètre."
    return True, ""


def can_withdraw(user, version: RuleVersion, today) -> tuple[bool, str]:
    if version.status != RuleStatus.PUBLISHED:
        return False, "Seule une version publiée et programmée peut être retirée."
    if version.valid_from <= today:
        return False, "Cette version est déjà entrée en vigueur : elle ne peut plus être retirée."
    if version.created_by_id is None:
        return False, "Les versions tirées des textes ne se retirent pas."
    return True, ""
