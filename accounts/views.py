from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from accounts import two_factor
from accounts.models import LoginEvent


def _next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/espace/"


@login_required
def otp_setup(request):
    """Set up an authenticator app: QR code, secret, first code; then show the backup codes once."""
    device = two_factor.pending_device(request.user)
    if request.method == "POST":
        codes = two_factor.confirm_device(
            user=request.user, device=device, token=request.POST.get("token", "")
        )
        if codes is None:
            messages.error(
                request,
                "Ce code n'est pas valide : vérifiez l'heure de votre téléphone et saisissez le code affiché.",
            )
        else:
            otp_login(request, device)
            return render(
                request, "accounts/otp_backup_codes.html", {"codes": codes, "next": _next(request)}
            )
    context = {
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_for_display(device),
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request):
    if request.method == "POST":
        device = two_factor.verify(request.user, request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        messages.error(
            request,
            "Ce code n'est pas valide. Saisissez le code de votre application ou un code de secours.",
        )
    return render(request, "accounts/otp_verify.html", {"next": _next(request)})


@login_required
def login_history(request):
    events = LoginEvent.objects.filter(user=request.user)[:30]
    return render(request, "accounts/login_history.html", {"events": events})
