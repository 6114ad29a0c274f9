from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import LoginEvent


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    """Every login is recorded and shown to the person in "Mes connexions"."""
    LoginEvent.objects.create(
        user=user,
        ip_address=request.META.get("REMOTE_ADDR") if request else None,
        user_agent=(request.headers.get("User-Agent", "") if request else "")[:300],
    )
