import io
import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import LoginEvent, TwoFactorEnrolment
from audit.models import AuditEvent
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def login(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """A staff member who already set up their app (as seed_demo does for the demo accounts)."""
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return device, two_factor._new_backup_codes(user)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/comptes/2fa/activer/[^\s]+/)", message.body).group(1)


def texts(response) -> str:
    return response.content.decode()


def test_staff_without_a_device_enrols_through_a_one_time_link_sent_by_email(
    client, otp_required, password, django_capture_on_commit_callbacks
):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    login(client, agent, password)
    response = client.get(reverse("instruction:queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_verify"))
    page = texts(client.get(response.url))
    assert "<svg" not in page and "Clé à saisir" not in page
    assert "Recevoir un lien d'activation par courriel" in page
    assert not TOTPDevice.objects.filter(user=agent).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_request_link"))
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert mail.outbox[0].subject == "[Aides numériques] Activez la double authentification"
    link = link_in(mail.outbox[0])

    opened = client.get(link)
    page = texts(opened)
    assert "<svg" in page and "Clé à saisir manuellement" in page
    assert "no-store" in opened["Cache-Control"]  # a secret is never kept by a cache
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    wrong = client.post(link, {"token": wrong_code(device)})
    assert "Ce code n&#x27;est pas valide" in texts(wrong)
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a wrong code
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"token": current_code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("instruction:queue")).status_code == 200
    assert AuditEvent.objects.filter(action="otp_device_enrolled", object_id=str(agent.pk)).exists()
    assert [m.subject for m in mail.outbox] == [
        "[Aides numériques] Double authentification activée"
    ]

    # The link worked once: opened again (even by its owner), it shows nothing.
    again = client.get(link)
    assert again.status_code == 404 and "<svg" not in texts(again)
    assert "Ce lien d&#x27;activation n&#x27;est pas valide" in texts(again)


def test_an_enrolment_link_opened_in_another_browser_shows_nothing(client, otp_required, password):
    agent = RoleAssignmentFactory(role="finance", region_code="PDL").user
    link = two_factor.enrolment_issue(user=agent, send=False).split("://", 1)[1]
    link = "/" + link.split("/", 1)[1]
    login(client, agent, password)
    assert "<svg" in texts(client.get(link))
    from django.test import Client

    other = Client()
    login(other, agent, password)
    response = other.get(link)
    assert response.status_code == 404 and "<svg" not in texts(response)
    assert "déjà été ouvert dans un autre navigateur" in texts(response)


def test_expired_revoked_or_foreign_enrolment_links_show_nothing(client, otp_required, password):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    colleague = RoleAssignmentFactory(role="agent", region_code="HDF").user
    login(client, agent, password)

    def path(url):
        return "/" + url.split("://", 1)[1].split("/", 1)[1]

    foreign = path(two_factor.enrolment_issue(user=colleague, send=False))
    expired = path(two_factor.enrolment_issue(user=agent, send=False))
    TwoFactorEnrolment.objects.filter(user=agent).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    revoked = path(two_factor.enrolment_issue(user=agent, send=False))
    current = path(two_factor.enrolment_issue(user=agent, send=False))  # revokes the previous
    tampered = current[:-3] + ("A/" if current[-2] != "A" else "B/")
    for link in (foreign, expired, revoked, tampered, "/comptes/2fa/activer/x/"):
        response = client.get(link)
        assert response.status_code == 404, link
        assert "<svg" not in texts(response) and "Clé à saisir" not in texts(response)
    assert not TOTPDevice.objects.filter(user__in=[agent, colleague]).exists()
    assert "<svg" in texts(client.get(current))


def test_no_enrolment_link_for_someone_who_already_has_a_device(client, otp_required, password):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    device, _ = enrol(agent)
    login(client, agent, password)
    response = client.post(reverse("accounts:otp_request_link"), follow=True)
    assert "Aucun lien d&#x27;activation ne peut être envoyé" in texts(response)
    assert not TwoFactorEnrolment.objects.filter(user=agent).exists()
    with pytest.raises(two_factor.EnrolmentRefused):
        two_factor.enrolment_issue(user=agent, send=False)
    assert list(TOTPDevice.objects.filter(user=agent).values_list("pk", "key")) == [
        (device.pk, device.key)
    ]


def test_the_password_step_says_the_code_is_expected_and_success_comes_after_the_code(
    client, otp_required, password
):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    device, _ = enrol(agent)
    response = client.post(
        reverse("account_login"), {"login": agent.email, "password": password}, follow=True
    )
    page = texts(response)
    assert response.request["PATH_INFO"] == reverse("accounts:otp_verify")
    assert (
        "Mot de passe vérifié : saisissez le code de votre application d&#x27;authentification."
        in page
    )
    assert "réussie" not in page
    response = client.post(
        reverse("accounts:otp_verify"),
        {"token": current_code(device), "next": "/espace/"},
        follow=True,
    )
    assert "Connexion réussie." in texts(response)


def test_applicants_are_told_their_login_succeeded(client, otp_required, applicant, password):
    response = client.post(
        reverse("account_login"), {"login": applicant.email, "password": password}, follow=True
    )
    assert "réussie" in texts(response) and "Mot de passe vérifié" not in texts(response)


def test_a_new_session_asks_for_the_code_and_backup_codes_work_once(client, otp_required, password):
    agent = RoleAssignmentFactory(role="finance", region_code="PDL").user
    _, codes = enrol(agent)
    login(client, agent, password)
    response = client.get(reverse("portal:space"))
    assert response.url.startswith(reverse("accounts:otp_verify"))
    assert (
        client.post(reverse("accounts:otp_verify"), {"token": codes[0], "next": "/espace/"}).url
        == "/espace/"
    )
    client.post(reverse("account_logout"))
    login(client, agent, password)
    reused = client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert reused.status_code == 200 and "Ce code n&#x27;est pas valide" in texts(reused)


def test_replacing_the_app_needs_a_verified_session_and_the_current_code(
    client, otp_required, password, django_capture_on_commit_callbacks
):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    old, _ = enrol(agent)
    login(client, agent, password)
    # Password only: the management pages are behind the code page, whatever is posted.
    for url in (reverse("accounts:otp_manage"), reverse("accounts:otp_replace")):
        assert client.get(url).url.startswith(reverse("accounts:otp_verify"))
        assert client.post(url, {"current_token": "x"}).url.startswith(
            reverse("accounts:otp_verify")
        )
    client.post(reverse("accounts:otp_verify"), {"token": current_code(old)})
    old.refresh_from_db()
    old.throttle_reset()
    # Verified, but the replacement page still asks for the current code first.
    response = client.get(reverse("accounts:otp_replace"))
    assert response.status_code == 302 and "<svg" not in texts(response)
    refused = client.post(
        reverse("accounts:otp_replace"), {"current_token": wrong_code(old)}, follow=True
    )
    assert "Ce code n&#x27;est pas valide" in texts(refused) and "<svg" not in texts(refused)
    old.refresh_from_db()
    old.throttle_reset()
    # The TOTP code was used at login: a backup code opens the replacement.
    codes = two_factor._new_backup_codes(agent)
    page = client.post(reverse("accounts:otp_replace"), {"current_token": codes[0]}, follow=True)
    assert "<svg" in texts(
        page
    ) and "Remplacer l&#x27;application d&#x27;authentification" in texts(page)
    new = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # still the only one
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:otp_replace"), {"token": current_code(new)})
    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=agent).values_list("pk", flat=True)) == [new.pk]
    assert AuditEvent.objects.filter(action="otp_device_replaced", object_id=str(agent.pk)).exists()
    assert mail.outbox[-1].subject == "[Aides numériques] Application d'authentification remplacée"
    assert mail.outbox[-1].to == [agent.email]


def test_new_backup_codes_need_the_current_code_and_are_audited_and_emailed(
    client, otp_required, password, django_capture_on_commit_callbacks
):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    device, codes = enrol(agent)
    login(client, agent, password)
    client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    before = set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
    refused = client.post(reverse("accounts:otp_backup_codes"), {"token": ""}, follow=True)
    assert "Ce code n&#x27;est pas valide" in texts(refused)
    assert (
        set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
        == before
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:otp_backup_codes"), {"token": current_code(device)}
        )
    fresh = response.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & before
    assert AuditEvent.objects.filter(action="otp_backup_codes_regenerated").count() == 1
    assert mail.outbox[-1].subject == "[Aides numériques] Nouveaux codes de secours"


def test_an_administrator_resets_a_lost_device_and_the_person_gets_a_link(
    client, otp_required, password, django_capture_on_commit_callbacks
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_device, _ = enrol(admin)
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    enrol(agent)
    login(client, admin, password)
    client.post(reverse("accounts:otp_verify"), {"token": current_code(admin_device)})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [agent.pk]},
            follow=True,
        )
    assert "Double authentification réinitialisée pour 1 compte" in texts(response)
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not StaticToken.objects.filter(device__user=agent).exists()
    removed = AuditEvent.objects.get(action="otp_device_removed")
    assert removed.actor == admin and removed.object_id == str(agent.pk)
    subjects = [m.subject for m in mail.outbox if m.to == [agent.email]]
    assert subjects == [
        "[Aides numériques] Double authentification réinitialisée",
        "[Aides numériques] Activez la double authentification",
    ]


def test_the_reset_action_is_for_administrators_only(client, password):
    manager = RoleAssignmentFactory(role="scheme_manager", region_code="HDF").user
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(*Permission.objects.filter(codename__endswith="_user"))
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    device, _ = enrol(agent)
    client.force_login(manager)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [agent.pk]},
    )
    assert TOTPDevice.objects.filter(pk=device.pk, key=device.key).exists()
    assert not AuditEvent.objects.filter(action="otp_device_removed").exists()


def test_an_administrator_prints_an_enrolment_link(client, otp_required, password):
    admin = UserFactory(is_staff=True, is_superuser=True)
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    out = io.StringIO()
    call_command("otp_enrolment_link", agent.email, "--par", admin.email, "--afficher", stdout=out)
    link = "/" + out.getvalue().strip().split("://", 1)[1].split("/", 1)[1]
    assert link.startswith("/comptes/2fa/activer/")
    issued = AuditEvent.objects.get(action="otp_enrolment_link_issued")
    assert issued.actor == admin
    login(client, agent, password)
    assert "<svg" in texts(client.get(link))
    with pytest.raises(CommandError, match="n'est pas un administrateur"):
        call_command("otp_enrolment_link", agent.email, "--par", agent.email, stdout=out)


def test_the_admin_is_behind_the_second_factor(client, otp_required, password):
    manager = RoleAssignmentFactory(role="scheme_manager", region_code="IDF").user
    login(client, manager, password)
    response = client.get("/admin/")
    assert response.status_code == 302 and reverse("accounts:otp_verify") in response.url


def test_anyone_who_can_open_the_admin_is_behind_the_second_factor(client, otp_required, password):
    staff = UserFactory(is_staff=True)  # no portal role, but the admin would let them in
    login(client, staff, password)
    response = client.get("/admin/")
    assert response.status_code == 302 and reverse("accounts:otp_verify") in response.url


def test_applicants_are_not_asked_for_a_second_factor(client, otp_required, applicant, password):
    login(client, applicant, password)
    assert client.get(reverse("portal:space")).status_code == 200


def test_staff_sessions_expire_after_inactivity(client, settings, password):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    login(client, agent, password)
    assert client.get(reverse("portal:space")).status_code == 200
    session = client.session
    session["last_activity"] = int(time.time()) - settings.STAFF_IDLE_SECONDS - 5
    session.save()
    response = client.get(reverse("portal:space"), follow=True)
    assert "Votre session a expiré après une période d&#x27;inactivité" in texts(response)
    assert not response.context["user"].is_authenticated


def test_staff_active_within_the_idle_window_stay_logged_in(client, settings, password):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    login(client, agent, password)
    session = client.session
    almost = int(time.time()) - settings.STAFF_IDLE_SECONDS + 10
    session["last_activity"] = almost
    session.save()
    assert client.get(reverse("portal:space")).status_code == 200
    assert client.session["last_activity"] >= int(time.time()) - 5  # the activity is recorded


def test_logins_are_recorded_and_shown(client, applicant, password):
    login(client, applicant, password)
    assert LoginEvent.objects.filter(user=applicant).count() == 1
    page = texts(client.get(reverse("accounts:login_history")))
    assert "Mes connexions" in page and "127.0.0.1" in page


def test_demo_staff_can_pass_the_second_factor_with_the_demo_command(client, otp_required):
    from accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_otp", "instructeur.pdl@demo.aides-numeriques.fr", stdout=out)
    code = out.getvalue().strip()
    agent = User.objects.get(email="instructeur.pdl@demo.aides-numeriques.fr")
    client.post(reverse("account_login"), {"login": agent.email, "password": "Demo-Aides-2026"})
    assert (
        client.post(reverse("accounts:otp_verify"), {"token": code, "next": "/instruction/"}).url
        == "/instruction/"
    )
    assert client.get(reverse("instruction:queue")).status_code == 200


def test_the_admin_shows_no_one_s_secret_and_changes_no_device(client, otp_required, password):
    admin = UserFactory(is_staff=True, is_superuser=True)
    device, _ = enrol(admin)
    agent_device, _ = enrol(RoleAssignmentFactory(role="agent", region_code="HDF").user)
    login(client, admin, password)
    client.post(reverse("accounts:otp_verify"), {"token": current_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{agent_device.pk}/change/",
        "/admin/otp_static/staticdevice/",
    ):
        assert client.get(url).status_code == 404, url
