import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Léa",
    "last_name": "Dubois",
    "email": "lea.dubois@exemple.fr",
    "password1": "Un-mot-de-passe-long-7",
    "password2": "Un-mot-de-passe-long-7",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://[^\s]+/comptes/confirm-email/[^\s/]+/", message.body).group(0)


def test_signup_sends_a_french_confirmation_email_and_the_link_logs_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="lea.dubois@exemple.fr")
    assert (user.first_name, user.last_name) == ("Léa", "Dubois")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.dubois@exemple.fr"]
    assert message.subject.startswith("[Aides numériques]")
    assert "confirm" in message.body.lower()

    link = confirmation_link(message)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=user.email).verified
    response = client.get(reverse("portal:space"))
    assert response.status_code == 200
    assert "Bonjour Léa Dubois" in response.content.decode()


def test_unconfirmed_account_cannot_reach_its_space(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert "confirm-email" in response.url


def test_duplicate_email_gets_a_french_message_and_keeps_the_form(client):
    UserFactory(email="lea.dubois@exemple.fr")
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un autre utilisateur utilise déjà cette adresse électronique." in html
    assert 'value="Léa"' in html and 'value="Dubois"' in html
    assert "Un-mot-de-passe-long-7" not in html
    assert User.objects.filter(email="lea.dubois@exemple.fr").count() == 1


def test_weak_password_is_refused_in_french(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "password1": "court", "password2": "court"}
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_wrong_password_gets_a_french_message_and_keeps_the_email(client, applicant):
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": "faux-mot-de-passe"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "le mot de passe sont incorrects" in html
    assert f'value="{applicant.email}"' in html
    assert "faux-mot-de-passe" not in html


def test_login_with_email(client, applicant, password):
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:space")


def test_passwords_are_stored_with_argon2id_and_old_pbkdf2_hashes_upgraded_at_login(
    client, applicant, password, settings
):
    import portal.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the tests' own is a fast MD5
    applicant.password = make_password(password, hasher="pbkdf2_sha256")  # an older account
    applicant.save()
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    # OWASP's Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
    assert applicant.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert applicant.check_password(password)
    assert make_password("Un-autre-mot-de-passe").startswith("argon2$argon2id$")
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}
    )
    assert response.status_code == 302


def test_expired_confirmation_link_says_so_in_french(client, monkeypatch, settings):
    user = UserFactory(email="tardif@exemple.fr")
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()
    key = EmailConfirmationHMAC(address).key
    import django.core.signing

    real_time = django.core.signing.time.time
    days = settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS + 1
    monkeypatch.setattr(django.core.signing.time, "time", lambda: real_time() + days * 86400)
    response = client.get(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 200
    assert "a expiré ou n'est pas valide" in response.content.decode()
    response = client.post(reverse("account_confirm_email", args=[key]))
    address.refresh_from_db()
    assert not address.verified


def test_repeated_failed_logins_are_throttled_then_cool_off(client, applicant, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account_login"), {"login": applicant.email, "password": "mauvais"})
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}
    )
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    # After the cool-off period the account opens again: it is never locked for good.
    attempt = AccessAttempt.objects.get()
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME
    attempt.save()
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}
    )
    assert response.status_code == 302


def test_password_reset_sends_an_email(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": applicant.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/comptes/password/reset/key/" in mail.outbox[0].body
