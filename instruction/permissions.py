"""Who may instruct what: agents of the dossier's region (and schemes, when scoped)."""

from django.db.models import Q

from accounts.enums import Role
from accounts.permissions import regional_assignments, scheme_scope_q


def agent_scope_q(user, *, prefix: str = "") -> Q:
    """Dossiers an agent may see: those of their region(s) and scheme(s). Empty for others."""
    return scheme_scope_q(
        user,
        Role.AGENT,
        region_field=f"{prefix}scheme__region_id",
        scheme_field=f"{prefix}scheme__code",
    )


def can_instruct(user, dossier) -> tuple[bool, str]:
    if not user.is_authenticated or not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        return False, "Seuls les instructeurs de la Région peuvent instruire les dossiers."
    if user.has_role(Role.ADMIN):
        return True, ""
    for assignment in regional_assignments(user, Role.AGENT):
        if assignment.region_id != dossier.scheme.region_id:
            continue
        if not assignment.scheme_codes or dossier.scheme.code in assignment.scheme_codes:
            return True, ""
    return False, "Ce dossier ne relève pas de votre périmètre d'instruction."
