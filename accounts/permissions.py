"""Who may do what, in one place. Each helper answers from stable role codes."""

from django.db.models import Q

from accounts.enums import STAFF_ROLES, Role


def regions_for_role(user, role: str) -> list[int]:
    """Ids of the regions in which the user holds `role` (all regions for an administrator)."""
    if not user.is_authenticated:
        return []
    from territories.models import Region

    if user.has_role(Role.ADMIN):
        return list(Region.objects.values_list("id", flat=True))
    return list(
        user.role_assignments.filter(role=role, region__isnull=False).values_list(
            "region_id", flat=True
        )
    )


def scheme_scope_q(user, role: str, *, region_field: str, scheme_field: str) -> Q:
    """A filter on objects of the regions (and schemes) in which the user holds `role`."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_role(Role.ADMIN):
        return Q()
    query = Q(pk__in=[])
    for assignment in user.role_assignments.filter(role=role, region__isnull=False):
        part = Q(**{region_field: assignment.region_id})
        if assignment.scheme_codes:
            part &= Q(**{f"{scheme_field}__in": assignment.scheme_codes})
        query |= part
    return query


def is_staff_member(user) -> bool:
    return user.is_authenticated and bool(user.roles() & STAFF_ROLES)
