"""Invitations of other users by e-mail to join an organisation."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from organisations.enums import MemberRole
from organisations.models import Invitation, Membership, Organisation
from outbox.notifications import notify

INVITATION_DAYS = 14


def _require_member(user, organisation: Organisation) -> None:
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise PermissionDenied("Seuls les membres de l'organisation gèrent ses invitations.")


@transaction.atomic
def invitation_create(*, user, organisation: Organisation, email: str) -> Invitation:
    _require_member(user, organisation)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError("Cette personne est déjà membre de l'organisation.")
    if organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError("Une invitation est déjà en attente pour cette adresse.")
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, token=secrets.token_urlsafe(32), invited_by=user
    )
    notify(
        "invitation",
        to=[email],
        context={
            "organisation": organisation,
            "inviter": user.get_full_name() or user.email,
            "email": email,
            "days": INVITATION_DAYS,
            "link": settings.SITE_URL
            + reverse("organisations:invitation", args=[invitation.token]),
        },
    )
    audit_record(actor=user, action="invitation_create", obj=organisation, data={"email": email})
    return invitation


@transaction.atomic
def invitation_revoke(*, user, invitation: Invitation) -> None:
    _require_member(user, invitation.organisation)
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if updated:
        audit_record(
            actor=user,
            action="invitation_revoke",
            obj=invitation.organisation,
            data={"email": invitation.email},
        )


@transaction.atomic
def invitation_accept(*, user, token: str) -> Membership:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token=token)
        .select_related("organisation")
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise ValidationError("Cette invitation n'est plus valable : demandez-en une nouvelle.")
    if timezone.now() - invitation.created_at > timezone.timedelta(days=INVITATION_DAYS):
        raise ValidationError("Cette invitation a expiré : demandez-en une nouvelle.")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"Cette invitation a été envoyée à {invitation.email} : connectez-vous avec ce compte pour l'accepter."
        )
    membership, _ = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": MemberRole.MEMBER}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user,
        action="invitation_accept",
        obj=invitation.organisation,
        data={"email": invitation.email},
    )
    return membership
