"""Staff security: two-factor authentication required, and logout after inactivity."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import is_staff_member

# Paths a staff member may reach before the second factor: the 2FA pages, logout, assets.
OPEN_PREFIXES = ("/comptes/2fa/", "/comptes/logout/", "/static/", "/healthz")
# The activity stamp is rewritten at most once a minute: a session write on every page would
# cost an UPDATE per request, for an idle timeout counted in tens of minutes.
ACTIVITY_RESOLUTION = 60


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_member(user):
            now = int(time.time())
            last = request.session.get("last_activity")
            if last is not None and now - last > settings.STAFF_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    "Votre session a expiré après une période d'inactivité : reconnectez-vous.",
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if last is None or now - last >= ACTIVITY_RESOLUTION:
                request.session["last_activity"] = now
            if (
                settings.STAFF_OTP_REQUIRED
                and not user.is_verified()
                and not request.path.startswith(OPEN_PREFIXES)
            ):
                from django_otp import devices_for_user

                has_device = any(True for _ in devices_for_user(user, confirmed=True))
                target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
                return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)
