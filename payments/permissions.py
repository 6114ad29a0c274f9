"""Who may act on payments. Separation of duties is checked here and enforced in the services."""

from accounts.enums import Role
from organisations.conflicts import Action, conflict_of_interest, parties_of


def is_finance_of(user, dossier) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.role_assignments.filter(
        role=Role.FINANCE, region_id=dossier.scheme.region_id
    ).exists()


def can_validate(user, request) -> tuple[bool, str]:
    """Finance of the region, with no part in the dossier (organisations.conflicts)."""
    dossier = request.dossier
    if not is_finance_of(user, dossier):
        return False, "Seuls les agents financiers de la Région valident les paiements."
    return conflict_of_interest(user, Action.VALIDATE, parties_of(dossier, request))


def duty_conflict(
    user, action: Action, request, *, dossier=None, member_of: set[int] | None = None
) -> str:
    """The French reason `user` may not act on `request` (shown on the row), or ""."""
    parties = parties_of(dossier or request.dossier, request)
    return conflict_of_interest(user, action, parties, member_of=member_of)[1]
