"""One French word for e-mail on every page and message of the account flows (issue 21, point 8).

« Adresse électronique » for the address, « courriel » for the message: never allauth's « E-mail »
nor « Email ». What a person reads is checked: the text of the page, and the attributes read
aloud or shown (placeholder, aria-label, title, alt), plus the subjects and bodies of the
e-mails. Pages that tell the person to write if a message does not arrive give the address.
"""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"(?i)\be-?mails?\b")
SIGNUP = {
    "first_name": "Léa",
    "last_name": "Dubois",
    "email": "lea.dubois@exemple.fr",
    "password1": "Un-mot-de-passe-long-7",
    "password2": "Un-mot-de-passe-long-7",
}


class VisibleText(HTMLParser):
    SHOWN = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in self.SHOWN and value]
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    # The person's own address is data, not a word of the page.
    return re.sub(r"\S+@\S+", "", " ".join(parser.parts))


def assert_french(label: str, text: str) -> None:
    found = FORBIDDEN.findall(text)
    assert not found, f"{label}: {found} in {text[:400]!r}"


def test_account_pages_say_adresse_electronique_and_courriel(client, applicant, password):
    pages = {
        "login": client.get(reverse("account_login")),
        "login refused": client.post(
            reverse("account_login"), {"login": applicant.email, "password": "faux"}
        ),
        "login empty": client.post(reverse("account_login"), {}),
        "signup": client.get(reverse("account_signup")),
        "signup refused": client.post(reverse("account_signup"), {**SIGNUP, "email": "x"}),
        "reset": client.get(reverse("account_reset_password")),
        "reset refused": client.post(reverse("account_reset_password"), {"email": "x"}),
        "reset done": client.get(reverse("account_reset_password_done")),
        "reset bad key": client.get(
            reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "x-y"}),
            follow=True,
        ),
        "confirm bad key": client.get(reverse("account_confirm_email", args=["x"])),
    }
    client.post(reverse("account_signup"), SIGNUP)
    pages["verification sent"] = client.get(reverse("account_email_verification_sent"))
    client.post(reverse("account_logout"))
    client.force_login(applicant)
    pages["email management"] = client.get(reverse("account_email"))
    pages["password change"] = client.get(reverse("account_change_password"))
    pages["logout"] = client.get(reverse("account_logout"))
    pages["2fa"] = client.get(reverse("accounts:otp_manage"))
    pages["login history"] = client.get(reverse("accounts:login_history"))
    for label, response in pages.items():
        assert response.status_code < 500, label
        assert_french(label, visible(response.content.decode()))


def test_account_emails_say_courriel(
    client, applicant, password, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_OTP_REQUIRED = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), SIGNUP)
        client.post(reverse("account_reset_password"), {"email": applicant.email})
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": agent.email, "password": password})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:otp_request_link"))
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert_french(message.subject, message.subject)
        # Addresses and links are data, not words of the message.
        assert_french(message.subject, re.sub(r"\S+@\S+|https?://\S+", "", message.body))
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_pages_asking_to_write_if_nothing_arrives_give_the_address(client, settings):
    settings.SUPPORT_EMAIL = "aide@region.example"
    link = '<a href="mailto:aide@region.example">aide@region.example</a>'
    client.post(reverse("account_signup"), SIGNUP)
    for url in (
        reverse("account_email_verification_sent"),
        reverse("account_reset_password_done"),
    ):
        page = client.get(url).content.decode()
        assert link in page, url
        assert "Merci de nous contacter si vous ne le recevez pas" not in page
    client.post(reverse("account_logout"))
    assert link in client.get(reverse("account_reset_password")).content.decode()


def po_entries(path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (single forms, the only ones this catalog uses)."""
    entries, key, current = {}, None, {}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, _, text = line.partition(" ")
            current[key] = ast.literal_eval(text)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid"):
                entries[current["msgid"]] = current["msgstr"]
            key, current = None, {}
    return entries


def test_the_compiled_catalog_matches_its_source():
    """accounts/locale is compiled by hand (msgfmt): the .mo served must say what the .po says."""
    folder = Path(settings.BASE_DIR) / "accounts" / "locale" / "fr" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    source = po_entries(folder / "django.po")
    assert len(source) > 50
    assert {msgid: catalog.gettext(msgid) for msgid in source} == source
    assert set(catalog._catalog) - {""} == set(source)
