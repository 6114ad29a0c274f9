from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.otp_manage, name="otp_manage"),
    path("2fa/verifier/", views.otp_verify, name="otp_verify"),
    path("2fa/lien/", views.otp_request_link, name="otp_request_link"),
    path("2fa/activer/<str:token>/", views.otp_enrol, name="otp_enrol"),
    path("2fa/remplacer/", views.otp_replace, name="otp_replace"),
    path("2fa/codes-de-secours/", views.otp_backup_codes, name="otp_backup_codes"),
    path("connexions/", views.login_history, name="login_history"),
]
