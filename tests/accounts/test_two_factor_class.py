"""A password alone reaches no staff page and never reads nor changes a second factor.

The whole URL conf is walked (every pattern: instruction, payments, reporting, the API, the
Django admin, allauth, the 2FA flow itself), with the real objects of the security tests' world
(tests/security/conftest.py) as arguments. Each staff member logs in with the password only
(no second factor in the session) and GETs then POSTs every URL. The only answers allowed are a
redirect to the code page, or 401/403/404/405; the few pages a password-only session may open
(the code page, the request for an enrolment link, the link itself, logout) must show no secret,
no backup code, and leave every device, key and backup code as it was.
"""

import re
from base64 import b32encode

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import TwoFactorEnrolment
from tests.security.conftest import _module_media, world  # noqa: F401 (fixtures)
from tests.security.test_authorization_matrix import MATRIX, urls_of

pytestmark = pytest.mark.django_db

VERIFY = "/comptes/2fa/verifier/"
# The pages a password-only session may open, each checked for what it shows and changes.
OPEN_NAMES = {
    "accounts:otp_verify",
    "accounts:otp_request_link",
    "accounts:otp_enrol",
    "account_logout",
    "healthz",
    "health_live",
    "health_ready",
}
STAFF = ("agent_hdf", "finance_hdf", "manager_hdf", "admin", "agent_pdl")
WITHOUT_DEVICE = "agent_pdl"  # a staff member who has not enrolled yet
REFUSED = {401, 403, 404, 405}
SAMPLE = {"app_label": "accounts", "content_type_id": "1", "object_id": "1"}


def patterns(entries=None, namespace="", prefix=""):
    """(name, route, pattern) of every URL pattern of the URL conf, recursively."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        if isinstance(entry, URLResolver):
            inner = ":".join(p for p in (namespace, entry.namespace) if p)
            yield from patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join(p for p in (namespace, entry.name or "") if p)
            yield name, prefix + str(entry.pattern), entry


def sample_url(name: str, route: str, pattern: URLPattern) -> str:
    """A URL of a pattern outside the authorization matrix (admin, allauth), with sample args."""
    keys = set(getattr(pattern.pattern, "converters", {})) | set(pattern.pattern.regex.groupindex)
    positional = pattern.pattern.regex.groups - len(pattern.pattern.regex.groupindex)
    for candidate in ({k: SAMPLE.get(k, "1") for k in keys}, {k: "x" for k in keys}):
        try:
            if positional:
                return reverse(name, args=["1"] * positional)
            return reverse(name, kwargs=candidate)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample URL for {name} ({route})")


def every_url(world) -> list[tuple[str, str]]:  # noqa: F811
    urls = []
    for name, route, pattern in patterns():
        if not pattern.name:  # e.g. the admin's redirects: the route itself, filled in
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE.get(m[1], "1"), route)
            urls.append((name or route, re.sub(r"[\^$]|\(\?P<\w+>.*?\)", "", url)))
        elif name in MATRIX:
            urls += [(name, url) for _, _, url in urls_of(name, MATRIX[name], world)]
        else:
            urls.append((name, sample_url(name, route, pattern)))
    return urls


def second_factors():
    """Everything that makes a second factor: devices, keys, backup codes, enrolment links."""
    return (
        sorted(TOTPDevice.objects.values_list("pk", "user_id", "key", "confirmed")),
        sorted(StaticToken.objects.values_list("device__user_id", "token")),
        sorted(TwoFactorEnrolment.objects.values_list("pk", "opened_at", "used_at", "revoked_at")),
    )


def secrets_of(users) -> list[str]:
    """What must never be shown: app secrets (as displayed) and backup codes."""
    shown = []
    for device in TOTPDevice.objects.filter(user__in=users):
        text = b32encode(device.bin_key).decode().rstrip("=")
        shown += [text[:8], two_factor.secret_for_display(device)[:9]]
    shown += list(
        StaticToken.objects.filter(device__user__in=users).values_list("token", flat=True)
    )
    return shown


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def staff(world, settings):  # noqa: F811
    """Each staff member with an app and backup codes (but one), and a password-only session."""
    settings.STAFF_OTP_REQUIRED = True
    users = {role: world.users[role] for role in STAFF}
    links = {}
    for role, user in users.items():
        # A link issued before the app was set up: once the app exists, it must show nothing.
        links[role] = "/" + two_factor.enrolment_issue(user=user, send=False).split("/", 3)[3]
        if role != WITHOUT_DEVICE:
            TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
            two_factor._new_backup_codes(user)
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)  # the password step only: no device in the session
    return users, clients, links


def check(role, name, method, url, response, open_page, watched) -> list[str]:
    code = response.status_code
    where = f"{method} {url} ({name}) as {role}"
    if code >= 500:
        return [f"{where}: server error {code}"]
    body = body_of(response)
    problems = []
    if open_page:
        if code in (301, 302, 303, 307, 308) and "/2fa/activer/" in response["Location"]:
            problems.append(f"{where}: redirected into an enrolment link")
    elif code in (301, 302, 303, 307, 308):
        if response["Location"].split("?")[0] != VERIFY:
            problems.append(f"{where}: redirected to {response['Location']}, not the code page")
    elif code not in REFUSED:
        problems.append(f"{where}: answered {code} instead of the code page or a refusal")
    for marker in ("<svg", "Clé à saisir", "codes de secours</h1>", *watched):
        if marker in body:
            problems.append(f"{where}: shows {marker!r}")
    return problems


def test_a_password_alone_reaches_no_page_and_no_second_factor(world, staff):  # noqa: F811
    users, clients, links = staff
    urls = every_url(world)
    names = {name for name, _ in urls}
    assert {"instruction:queue", "payments:finance_queue", "admin:index"} <= names
    assert {n for n in names if n.startswith("accounts:")} >= {
        "accounts:otp_manage",
        "accounts:otp_replace",
        "accounts:otp_backup_codes",
    }
    assert OPEN_NAMES <= names
    # The owners' own (stale) enrolment links are walked too, by everyone.
    urls += [("accounts:otp_enrol", link) for link in links.values()]
    watched = secrets_of(users.values())
    before = second_factors()
    problems = []
    for role, client in clients.items():
        for name, url in urls:
            open_page = name in OPEN_NAMES
            if open_page and role == WITHOUT_DEVICE and url == links[role]:
                continue  # the owner's valid link: the mailbox is the proof (tested apart)
            response = client.get(url)
            problems += check(role, name, "GET", url, response, open_page, watched)
            if name == "account_logout":
                continue  # logging out changes no second factor, and ends the walk
            for data in ({}, {"token": "12345678", "current_token": "123456", "next": "/"}):
                response = client.post(url, data)
                problems += check(role, name, "POST", url, response, open_page, watched)
    after = second_factors()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    # Nothing changed: same devices, keys, backup codes; the stale links stayed unopened.
    assert after[0] == before[0] and after[1] == before[1]
    opened = [row for row in after[2] if row[1] is not None or row[2] is not None]
    assert not opened, opened


def test_the_code_page_of_a_password_only_session_shows_no_secret(world, staff):  # noqa: F811
    users, clients, _ = staff
    page = body_of(clients["agent_hdf"].get(VERIFY))
    assert "Saisissez maintenant le code" in page
    assert not [s for s in secrets_of(users.values()) if s in page]
    assert not re.search(r"\b\d{8}\b", page)  # no backup code either
    page = body_of(clients[WITHOUT_DEVICE].get(VERIFY))
    assert "Recevoir un lien d'activation par courriel" in page and "<svg" not in page
