from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import two_factor
from accounts.models import LoginEvent

LOGIN_DONE = "Connexion réussie."
BAD_CURRENT_CODE = (
    "Ce code n'est pas valide. Saisissez le code actuel de votre application ou un code de secours."
)


def _next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/espace/"


def _verified_or_redirect(request):
    """None when the session passed its second factor, else the redirect to the code page."""
    if request.user.is_verified():
        return None
    return redirect(f"{reverse('accounts:otp_verify')}?next={request.path}")


@login_required
def otp_verify(request):
    """The code page, after the password. A person without a device learns how to get one."""
    has_device = two_factor.has_device(request.user)
    if request.method == "POST" and has_device:
        device = two_factor.verify(request.user, request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            messages.success(request, LOGIN_DONE)
            return redirect(_next(request))
        messages.error(
            request,
            "Ce code n'est pas valide. Saisissez le code de votre application ou un code de secours.",
        )
    context = {
        "next": _next(request),
        "has_device": has_device,
        "can_request_link": two_factor.needs_second_factor(request.user),
    }
    return render(request, "accounts/otp_verify.html", context)


@login_required
@require_POST
def otp_request_link(request):
    """E-mail a one-time enrolment link to a staff member who has no device yet."""
    user = request.user
    if not two_factor.needs_second_factor(user) or two_factor.has_device(user):
        messages.error(
            request,
            "Aucun lien d'activation ne peut être envoyé : la double authentification est déjà "
            "activée sur ce compte, ou elle ne le concerne pas.",
        )
        return redirect("accounts:otp_verify")
    if two_factor.link_recently_issued(user):
        messages.info(
            request,
            "Un lien vient déjà de vous être envoyé : consultez votre messagerie (et ses "
            "indésirables) avant d'en demander un autre.",
        )
    else:
        two_factor.enrolment_issue(user=user)
        messages.success(
            request,
            f"Un lien d'activation vient d'être envoyé par courriel à {user.email}. Il est valable "
            f"{settings.OTP_ENROLMENT_HOURS} heures et ne sert qu'une fois.",
        )
    return redirect("accounts:otp_verify")


@never_cache
@login_required
def otp_enrol(request, token: str):
    """First device, through the one-time link: QR code, secret, first code; then backup codes."""
    try:
        enrolment = two_factor.enrolment_for_token(user=request.user, token=token)
        device = two_factor.enrolment_open(request=request, enrolment=enrolment)
        if request.method == "POST":
            confirmed = two_factor.enrolment_confirm(
                user=request.user, enrolment=enrolment, token=request.POST.get("token", "")
            )
            if confirmed is not None:
                device, codes = confirmed
                otp_login(request, device)
                messages.success(request, LOGIN_DONE)
                return render(
                    request,
                    "accounts/otp_backup_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
            messages.error(
                request,
                "Ce code n'est pas valide : vérifiez l'heure de votre téléphone et saisissez le "
                "code affiché.",
            )
    except two_factor.EnrolmentRefused as refusal:
        return render(
            request, "accounts/otp_link_refused.html", {"reason": str(refusal)}, status=404
        )
    context = {
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_for_display(device),
        "next": _next(request),
        "title": "Activer la double authentification",
        "action": "Activer",
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_manage(request):
    """The person's second factor: replace the app, new backup codes (verified sessions only)."""
    if not two_factor.has_device(request.user):
        return render(
            request,
            "accounts/otp_manage.html",
            {"has_device": False, "concerned": two_factor.needs_second_factor(request.user)},
        )
    if response := _verified_or_redirect(request):
        return response
    context = {
        "has_device": True,
        "backup_left": two_factor.backup_codes_left(request.user),
    }
    return render(request, "accounts/otp_manage.html", context)


@never_cache
@login_required
def otp_replace(request):
    """Replace the authenticator app: current code first, then the new app's first code."""
    if not two_factor.has_device(request.user):
        return redirect("accounts:otp_manage")
    if response := _verified_or_redirect(request):
        return response
    if request.method == "POST" and "current_token" in request.POST:
        if not two_factor.reauthenticate(request=request, token=request.POST["current_token"]):
            messages.error(request, BAD_CURRENT_CODE)
            return redirect("accounts:otp_manage")
        return redirect("accounts:otp_replace")
    if not two_factor.recently_reauthenticated(request):
        messages.info(request, "Saisissez d'abord le code actuel de votre application.")
        return redirect("accounts:otp_manage")
    if request.method == "POST":
        replaced = two_factor.device_replace(request=request, token=request.POST.get("token", ""))
        if replaced is not None:
            device, codes = replaced
            otp_login(request, device)
            return render(
                request,
                "accounts/otp_backup_codes.html",
                {"codes": codes, "next": reverse("accounts:otp_manage")},
            )
        messages.error(
            request,
            "Ce code n'est pas valide : vérifiez l'heure de votre téléphone et saisissez le code "
            "affiché par la nouvelle application.",
        )
    device = two_factor.replacement_device(request)
    context = {
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_for_display(device),
        "next": reverse("accounts:otp_manage"),
        "title": "Remplacer l'application d'authentification",
        "action": "Remplacer",
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
@require_POST
def otp_backup_codes(request):
    """Ten new backup codes, shown once, after the current code is typed again."""
    if not two_factor.has_device(request.user):
        return redirect("accounts:otp_manage")
    if response := _verified_or_redirect(request):
        return response
    codes = two_factor.backup_codes_regenerate(request=request, token=request.POST.get("token", ""))
    if codes is None:
        messages.error(request, BAD_CURRENT_CODE)
        return redirect("accounts:otp_manage")
    return render(
        request,
        "accounts/otp_backup_codes.html",
        {"codes": codes, "next": reverse("accounts:otp_manage")},
    )


@login_required
def login_history(request):
    events = LoginEvent.objects.filter(user=request.user)[:30]
    return render(request, "accounts/login_history.html", {"events": events})
