from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.services import audit_record
from organisations.enums import MemberRole
from organisations.models import Membership, Organisation


@transaction.atomic
def organisation_create(*, user, data: dict) -> Organisation:
    """Register an organisation; its creator becomes its first responsible member."""
    organisation = Organisation(**data)
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=user, role=MemberRole.OWNER)
    audit_record(
        actor=user,
        action="organisation_create",
        obj=organisation,
        data={"siret": organisation.siret},
    )
    return organisation


@transaction.atomic
def organisation_update(*, user, organisation: Organisation, data: dict) -> Organisation:
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise PermissionDenied("Seuls les membres de l'organisation peuvent la modifier.")
    # Compare with the stored row: a bound ModelForm may already have changed the instance.
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = {}
    for field, value in data.items():
        if getattr(stored, field) != value:
            changed[field] = [str(getattr(stored, field)), str(value)]
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    if changed:
        audit_record(actor=user, action="organisation_update", obj=organisation, data=changed)
    return organisation
