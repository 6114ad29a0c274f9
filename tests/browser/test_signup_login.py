"""A visitor creates an account, confirms the e-mail address, logs out and logs in again."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "camille.durand@example.org"
PASSWORD = "Transition-numerique-2025"


def test_signup_confirm_logout_login(live_server, page, mailbox, reference_data):
    nav = page.get_by_role("navigation", name="Navigation principale")
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "Aides numériques" in page.title()
    assert_accessible(page)

    page.goto(live_server.url + "/comptes/signup/")
    assert_accessible(page)
    page.fill("input[name=first_name]", "Camille")
    page.fill("input[name=last_name]", "Durand")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    with page.expect_navigation():
        page.locator("form input[name=email]").press("Enter")
    assert "/comptes/signup/" not in page.url, page.content()

    mail = mailbox.wait_for(EMAIL)
    match = re.search(r"/comptes/confirm-email/[^/\s]+/", mail.body)
    assert match, mail.body
    page.goto(live_server.url + match.group(0))
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    expect(nav.get_by_role("link", name="Mon espace")).to_be_visible()
    nav.get_by_role("link", name="Mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mon espace")

    with page.expect_navigation():
        nav.get_by_role("button", name=re.compile("Se déconnecter")).click()
    expect(nav.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(nav.get_by_role("link", name="Mon espace")).to_have_count(0)

    page.goto(live_server.url + "/comptes/login/")
    assert_accessible(page)
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    expect(nav.get_by_role("link", name="Mon espace")).to_be_visible()
    assert page.url.rstrip("/").endswith("/espace"), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mon espace")
