from django.conf import settings

from accounts.enums import Role


def portal(request):
    user = getattr(request, "user", None)
    is_agent = bool(
        user and user.is_authenticated and (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN))
    )
    return {"PORTAL_NAME": "Aides numériques", "SITE_URL": settings.SITE_URL, "is_agent": is_agent}
