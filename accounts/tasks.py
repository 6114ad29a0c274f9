from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8, acks_late=True)
def send_email(
    self, *, subject: str, body: str, to: list[str], html: str = "", from_email: str | None = None
) -> None:
    """Send one rendered e-mail; retried with backoff when the mail server is unreachable."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


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
        link = settings.SITE_URL + path
        body = (
            f"Bonjour {user.get_full_name() or user.email},\n\n"
            "Vous avez demandé à réinitialiser le mot de passe de votre compte du portail Aides "
            f"numériques. Pour choisir un nouveau mot de passe, ouvrez ce lien :\n{link}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce courriel : votre mot de "
            "passe reste inchangé.\n"
        )
        message = EmailMultiAlternatives(
            subject="[Aides numériques] Réinitialisation de votre mot de passe",
            body=body,
            to=[email],
        )
        message.send()
    return len(users)
