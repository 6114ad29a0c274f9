"""Request hardening: values no person can type are refused before any view reads them.

- A control character in the path or in a query parameter, a NUL byte in a form field, is a 400
  with a French message: PostgreSQL refuses NUL in text, and no address carries the others.
- A value the database cannot store (out of range, too long: `DataError`) becomes a 400 with a
  French message instead of a server error; the transaction it broke has been rolled back.

And the Content-Security-Policy, with the Django admin's one addition under /admin/ only.
"""

import logging
import re

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DataError
from django.http import JsonResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

# Every C0 control character and DEL in the path; in query values, tab and newlines are allowed;
# in form fields only NUL is refused (text pasted from a PDF may carry a form feed: keep it).
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_CONTROL = re.compile(r"\x00")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The public simulation API has its own error contract: {"error": str, "field": str | None}.
CONTRACT_PATHS = ("/api/v1/simulate", "/api/v1/settle")

CONTROL_MESSAGE = (
    "La demande contient un caractère invisible non autorisé (caractère de contrôle) : "
    "retirez-le de l'adresse ou du champ et réessayez."
)
DATA_MESSAGE = (
    "Une valeur envoyée ne peut pas être enregistrée (trop longue, hors limites ou mal formée) : "
    "vérifiez les informations et réessayez."
)


def bad_request(request, message: str):
    """A 400 in the form the caller reads: JSON for the API, the portal's page otherwise."""
    path = request.path_info
    if path.startswith(CONTRACT_PATHS):
        return JsonResponse({"error": message, "field": None}, status=400)
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    from django.shortcuts import render

    return render(request, "errors/400.html", {"message": message}, status=400)


def has_control(query, pattern) -> bool:
    return any(
        pattern.search(key) or any(pattern.search(value) for value in values)
        for key, values in query.lists()
    )


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if PATH_CONTROL.search(request.path_info) or has_control(request.GET, QUERY_CONTROL):
            return bad_request(request, CONTROL_MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After CsrfViewMiddleware, which has parsed the form (upload handlers included). A
        # multipart body not parsed yet (a view exempt from CSRF) is left to the view: parsing it
        # here would consume the stream the view may read.
        parsed = hasattr(request, "_post") or request.content_type == FORM_TYPES[0]
        if request.method == "POST" and request.content_type in FORM_TYPES and parsed:
            if has_control(request.POST, FORM_CONTROL):
                return bad_request(request, CONTROL_MESSAGE)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            logger.warning("Value refused by the database on %s: %s", request.path, exception)
            return bad_request(request, DATA_MESSAGE)
        return None


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's addition under the admin's prefix only.

    The Django admin and django-simple-history's pages carry a few `style="…"` attributes (and
    admin widgets set some from JavaScript): under `/admin/`, `settings.ADMIN_CSP_UPDATE` adds
    `style-src-attr 'unsafe-inline'` — style attributes only, which load nothing; `<style>`
    elements, scripts and every other directive keep the portal's strict policy, and every
    other page keeps the policy unchanged.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(admin_prefix()):
            parts.update = {**(parts.update or {}), **settings.ADMIN_CSP_UPDATE}
        return parts


def admin_prefix() -> str:
    return reverse("admin:index")
