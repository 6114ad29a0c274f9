"""What the payment services share: who may act, and the e-mails to the beneficiary."""

from django.core.exceptions import PermissionDenied

from accounts.tasks import send_email
from applications.models import Dossier
from instruction.permissions import can_instruct
from outbox.services import enqueue


def _member(user, dossier: Dossier) -> None:
    if not dossier.organisation.memberships.filter(user=user).exists():
        raise PermissionDenied(
            "Seuls les membres de l'organisation bénéficiaire peuvent demander le paiement."
        )


def _agent(user, dossier: Dossier) -> None:
    allowed, why = can_instruct(user, dossier)
    if not allowed:
        raise PermissionDenied(why)


def _notify(recipients: list[str], subject: str, body: str) -> None:
    recipients = [r for r in recipients if r]
    if recipients:
        kwargs = {"subject": f"[Aides numériques] {subject}", "body": body, "to": recipients}
        enqueue(send_email, **kwargs)


def _members(dossier: Dossier) -> list[str]:
    return list(dossier.organisation.memberships.values_list("user__email", flat=True))
