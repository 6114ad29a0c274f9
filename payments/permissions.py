"""Who may act on payments. Separation of duties is checked here and enforced in the services."""

from accounts.enums import Role


def is_finance_of(user, dossier) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.role_assignments.filter(
        role=Role.FINANCE, region_id=dossier.scheme.region_id
    ).exists()


def can_validate(user, request) -> tuple[bool, str]:
    """Finance of the region; never the agent who instructed the dossier or certified service fait."""
    dossier = request.dossier
    if not is_finance_of(user, dossier):
        return False, "Seuls les agents financiers de la Région valident les paiements."
    review = getattr(dossier, "review", None)
    if review is not None and review.agent_id == user.pk:
        return (
            False,
            "Vous avez instruit ce dossier : un autre agent financier doit valider son paiement.",
        )
    if request.certified_by_id == user.pk:
        return (
            False,
            "Vous avez certifié le service fait : un autre agent financier doit valider ce paiement.",
        )
    if request.requested_by_id == user.pk:
        return False, "Vous ne pouvez pas valider un paiement que vous avez vous-même demandé."
    return True, ""
