import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LoginEvent
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def otp_required(settings):
    settings.STAFF_OTP_REQUIRED = True


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def test_staff_must_set_up_two_factor_before_anything_else(client, otp_required, password):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    login(client, agent, password)
    response = client.get(reverse("instruction:queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp_setup"))
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "<svg" in page and "Clé à saisir manuellement" in page
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    wrong = client.post(
        reverse("accounts:otp_setup"),
        {"token": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert "Ce code n&#x27;est pas valide" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a wrong code
    response = client.post(reverse("accounts:otp_setup"), {"token": current_code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    assert client.get(reverse("instruction:queue")).status_code == 200


def test_a_new_session_asks_for_the_code_and_backup_codes_work_once(client, otp_required, password):
    agent = RoleAssignmentFactory(role="finance", region_code="PDL").user
    login(client, agent, password)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=agent)
    codes = client.post(reverse("accounts:otp_setup"), {"token": current_code(device)}).context[
        "codes"
    ]
    client.post(reverse("account_logout"))
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
    assert reused.status_code == 200 and "Ce code n&#x27;est pas valide" in reused.content.decode()


def test_the_admin_is_behind_the_second_factor(client, otp_required, password):
    manager = RoleAssignmentFactory(role="scheme_manager", region_code="IDF").user
    login(client, manager, password)
    response = client.get("/admin/")
    assert response.status_code == 302 and reverse("accounts:otp_setup") in response.url


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
    assert "Votre session a expiré après une période d&#x27;inactivité" in response.content.decode()
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
    page = client.get(reverse("accounts:login_history")).content.decode()
    assert "Mes connexions" in page and "127.0.0.1" in page


def test_demo_staff_can_pass_the_second_factor_with_the_demo_command(client, otp_required):
    import io

    from django.core.management import call_command

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
