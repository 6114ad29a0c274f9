"""Staff security: two-factor authentication required, and logout after inactivity."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.two_factor import needs_second_factor

# Paths a staff member may reach with a password alone: the code page, the request for an
# enrolment link and the one-time link itself (each refuses what a password alone may not do),
# logout, assets. Every other path, including the rest of /comptes/2fa/ (replacing the app, new
# backup codes), needs the second factor. tests/accounts/test_two_factor_class.py walks the URL conf.
OPEN_PREFIXES = (
    "/comptes/2fa/verifier/",
    "/comptes/2fa/lien/",
    "/comptes/2fa/activer/",
    "/comptes/logout/",
    "/static/",
    "/healthz",
    "/sante/",
)
# The activity stamp is rewritten at most once a minute: a session write on every page would
# cost an UPDATE per request, for an idle timeout counted in tens of minutes.
ACTIVITY_RESOLUTION = 60


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and needs_second_factor(user):
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
                return redirect(f"{reverse('accounts:otp_verify')}?next={quote(request.path)}")
        return self.get_response(request)
