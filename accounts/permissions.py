"""Who may do what, in one place. Each helper answers from stable role codes."""

from django.db.models import Q

from accounts.enums import STAFF_ROLES, Role


def regional_assignments(user, role: str) -> list:
    """The user's assignments to `role` in a region (read once per request: User.assignments)."""
    return [a for a in user.assignments() if a.role == role and a.region_id is not None]


def regions_for_role(user, role: str) -> list[int]:
    """Ids of the regions in which the user holds `role` (all regions for an administrator)."""
    if not user.is_authenticated:
        return []
    from territories.models import Region

    if user.has_role(Role.ADMIN):
        return list(Region.objects.values_list("id", flat=True))
    return list(dict.fromkeys(a.region_id for a in regional_assignments(user, role)))


def scheme_scope_q(user, role: str, *, region_field: str, scheme_field: str) -> Q:
    """A filter on objects of the regions (and schemes) in which the user holds `role`."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_role(Role.ADMIN):
        return Q()
    query = Q(pk__in=[])
    for assignment in regional_assignments(user, role):
        part = Q(**{region_field: assignment.region_id})
        if assignment.scheme_codes:
            part &= Q(**{f"{scheme_field}__in": assignment.scheme_codes})
        query |= part
    return query


def is_staff_member(user) -> bool:
    return user.is_authenticated and bool(user.roles() & STAFF_ROLES)
