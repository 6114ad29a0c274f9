from celery import shared_task

from outbox.notifications import notify
from outbox.tasks import send_notification


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8, acks_late=True)
def send_email(
    self, *, subject: str, body: str, to: list[str], html: str = "", from_email: str | None = None
) -> None:
    """Kept for the outbox rows recorded before the one notification path
    (outbox.notifications): they are sent as they were written."""
    send_notification.run(subject=subject, body=body, to=to, html=html, from_email=from_email)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8, acks_late=True)
def send_password_reset(self, *, email: str) -> int:
    """E-mail a password reset link to the accounts of `email`, if any; returns how many.

    Queued for every request of the reset form, known address or not: the lookup happens here,
    after the response, so the page and its timing say nothing about who has an account.
    """
    from allauth.account import app_settings as allauth_settings
    from allauth.account.internal.userkit import filter_users_by_email
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
    generator = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR()
    for user in users:
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": generator.make_token(user)},
        )
        notify(
            "password_reset",
            to=[email],
            context={
                "name": user.get_full_name() or user.email,
                "link": settings.SITE_URL + path,
            },
        )
    return len(users)
