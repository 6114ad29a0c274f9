from django.conf import settings

from accounts.enums import Role
from accounts.permissions import is_staff_member


def portal(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_admin = signed_in and user.has_role(Role.ADMIN)
    return {
        "PORTAL_NAME": "Aides numériques",
        "SITE_URL": settings.SITE_URL,
        "is_agent": signed_in and (user.has_role(Role.AGENT) or is_admin),
        "is_finance": signed_in and (user.has_role(Role.FINANCE) or is_admin),
        "is_staff_member": signed_in and is_staff_member(user),
    }
