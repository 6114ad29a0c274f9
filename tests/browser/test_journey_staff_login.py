"""Journey of a staff member's login with the second factor, in Chromium (STAFF_OTP_REQUIRED as in
production): password, then the code page, which must not say « Connexion réussie » before the
code is entered (issue 13 point 13); a wrong code is refused in French; the right code opens the
staff pages. Every page passes visit_check.
"""

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.journey import (
    finish,
    goto,
    nav_link,
    press_enter,
    visible_text,
    visit_check,
    watch_console,
)
from tests.factories import PASSWORD, RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_staff_member_logs_in_with_the_code_of_their_application(
    live_server, page, reference_data, settings
):
    settings.STAFF_OTP_REQUIRED = True
    base = live_server.url
    finance = RoleAssignmentFactory(role="finance", region_code="PDL").user
    device = TOTPDevice.objects.create(user=finance, name="Téléphone", key=KEY, confirmed=True)
    watch_console(page)

    goto(page, f"{base}/comptes/login/")
    page.locator("input[name=login]").fill(finance.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    press_enter(page, page.get_by_label("Mot de passe"))
    assert "/2fa/" in page.url, page.url
    assert not re.search(r"Connexion\b[^.]*réussie", visible_text(page)), (
        "the code page says « Connexion réussie » before the code is entered (issue 13 point 13)"
    )
    code = page.get_by_label(re.compile("Code de votre application"))
    code.fill("000000")
    press_enter(page, code)
    assert "Ce code n'est pas valide" in visible_text(page, "main"), visible_text(page, "main")

    # The person reads the refusal and types the code again (django-otp refuses any attempt in
    # the second after a wrong code: a person never types that fast).
    page.wait_for_timeout(1500)
    code = page.get_by_label(re.compile("Code de votre application"))
    code.fill(current_code(device))
    press_enter(page, code)
    assert "/2fa/" not in page.url, f"the right code is refused: {visible_text(page, 'main')}"
    nav_link(page, "Finance")
    assert "Paiements à valider" in visible_text(page, "h1")
    visit_check(page)
    finish(page)
