"""Who may do what on a dossier (applicant side). Each helper returns (allowed, why)."""

from applications.models import Dossier
from organisations.models import Membership


def is_member(user, dossier: Dossier) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(organisation_id=dossier.organisation_id, user=user).exists()
    )


def can_edit(user, dossier: Dossier) -> tuple[bool, str]:
    if not is_member(user, dossier):
        return False, "Seuls les membres de l'organisation peuvent modifier ce dossier."
    if not dossier.is_editable:
        return False, "Ce dossier a été déposé : il ne peut plus être modifié."
    return True, ""


def can_add_documents(user, dossier: Dossier) -> tuple[bool, str]:
    if not is_member(user, dossier):
        return False, "Seuls les membres de l'organisation peuvent joindre des pièces à ce dossier."
    if not dossier.accepts_documents:
        return (
            False,
            "Ce dossier a été déposé : des pièces ne peuvent y être ajoutées que sur demande de compléments.",
        )
    return True, ""


def can_submit(user, dossier: Dossier) -> tuple[bool, str]:
    """Only a member submits; the state itself is checked by the transition (compare-and-set)."""
    if not is_member(user, dossier):
        return False, "Seuls les membres de l'organisation peuvent déposer ce dossier."
    return True, ""
