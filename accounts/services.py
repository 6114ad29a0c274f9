"""Writes of the accounts app: roles given to a person, and the admin access they bring."""

from accounts.enums import Role
from accounts.models import RoleAssignment, User

# Scheme managers and administrators work in the Django admin: their accounts need `is_staff`.
STAFF_ROLES = frozenset({Role.SCHEME_MANAGER, Role.ADMIN})


def staff_access_grant(*, user: User) -> bool:
    """Give the account `is_staff` when one of its roles works in the admin (never taken away
    here: a superuser decides that). Returns whether the account changed."""
    if user.is_staff or not user.role_assignments.filter(role__in=STAFF_ROLES).exists():
        return False
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return True


def role_assign(*, user: User, role: str, region=None, scheme_codes=None) -> RoleAssignment:
    """The person's role (in a region, for some schemes), created once, with its admin access."""
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, defaults={"scheme_codes": scheme_codes or []}
    )
    staff_access_grant(user=user)
    return assignment
