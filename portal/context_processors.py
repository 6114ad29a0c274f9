from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Aides numériques", "SITE_URL": settings.SITE_URL}
