"""What the payment services share: who may act, and the e-mails to the beneficiary."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from applications.models import Dossier
from instruction.permissions import can_instruct
from outbox.notifications import notify


def _member(user, dossier: Dossier) -> None:
    if not dossier.organisation.memberships.filter(user=user).exists():
        raise PermissionDenied(
            "Seuls les membres de l'organisation bénéficiaire peuvent demander le paiement."
        )


def _agent(user, dossier: Dossier) -> None:
    allowed, why = can_instruct(user, dossier)
    if not allowed:
        raise PermissionDenied(why)


def _notify(
    template: str,
    recipients: list[str],
    dossier: Dossier,
    *,
    to_agent: bool = False,
    event: str | None = None,
    **context,
) -> None:
    """E-mail about a dossier (templates/emails/<template>), sent after the commit."""
    page = "instruction:dossier" if to_agent else "applications:detail"
    notify(
        template,
        to=recipients,
        context={
            "dossier": dossier,
            "url": settings.SITE_URL + reverse(page, args=[dossier.pk]),
            **context,
        },
        region=dossier.scheme.region,
        event=event,
    )


def _members(dossier: Dossier) -> list[str]:
    return list(dossier.organisation.memberships.values_list("user__email", flat=True))
