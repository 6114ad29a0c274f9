from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/configurer/", views.otp_setup, name="otp_setup"),
    path("2fa/verifier/", views.otp_verify, name="otp_verify"),
    path("connexions/", views.login_history, name="login_history"),
]
