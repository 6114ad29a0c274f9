from django.contrib import admin
from django.urls import include, path

from instruction import urls as instruction_urls
from portal import health, views, views_notifications, views_personal_data, views_verify
from schemes import api as schemes_api

portal_patterns = [
    path("", views.home, name="home"),
    path("espace/", views.space, name="space"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
    path("espace/mes-donnees/", views_personal_data.my_data, name="my_data"),
    path(
        "espace/notifications/",
        views_notifications.notification_preferences,
        name="notifications",
    ),
    path("espace/fermer-mon-compte/", views_personal_data.close_account, name="close_account"),
    path("verifier-un-document/", views_verify.verify_document, name="verify_document"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("healthz", views.healthz, name="healthz"),
    # Liveness and readiness, in JSON, without login (portal/health.py).
    path("sante/", health.liveness, name="health_live"),
    path("sante/pret/", health.readiness, name="health_ready"),
    path("comptes/", include("accounts.urls")),
    path("comptes/", include("allauth.urls")),
    path("organisations/", include("organisations.urls")),
    path("dossiers/", include("applications.urls")),
    path("dossiers/", include((instruction_urls.applicant_urlpatterns, "instruction_applicant"))),
    path("instruction/", include("instruction.urls")),
    path("paiements/", include("payments.urls")),
    path("gestion/", include("governance.urls")),
    path("", include("reporting.urls")),
    path("dispositifs/", include("schemes.urls")),
    path("api/v1/simulate", schemes_api.simulate_api, name="api_simulate"),
    path("api/v1/settle", schemes_api.settle_api, name="api_settle"),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.errors.bad_request"
handler404 = "portal.errors.not_found"
handler403 = "portal.errors.forbidden"
handler500 = "portal.errors.server_error"

admin.site.site_header = "Aides numériques — administration"
admin.site.site_title = "Aides numériques"
admin.site.index_title = "Administration du portail"
