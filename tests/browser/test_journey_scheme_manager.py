"""Journey of a scheme manager, in Chromium (issue 13, « Tests of a new kind »; issue 21 point 9):
from their space to the rule versions (today the Django admin's pages; later /gestion/), a
period typed wrongly is refused in French with what was typed kept, the corrected version is
saved and shows in its history, and the public scheme page flags the demo rules (issue 13
point 12) with every value in French (point 11).

Every page passes visit_check; the browser's console must show no Content-Security-Policy
refusal on the admin pages (their inline styles and date widgets work under the policy).
"""

import re

import pytest

from portal.management.commands.seed_demo import Command as SeedDemo
from schemes.models import RuleVersion, Scheme
from tests.browser.journey import (
    click,
    finish,
    form_errors,
    header_text,
    login,
    nav_link,
    visible_text,
    visit_check,
    watch_console,
)
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_VERSION = "INAC/demo-2023-01-01"


def test_scheme_manager_corrects_a_rule_version_period(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    base = live_server.url
    manager = UserFactory(is_staff=True)
    RoleAssignmentFactory(user=manager, role="scheme_manager", region_code="HDF")
    watch_console(page)

    login(page, base, manager.email)
    section = page.get_by_role("region", name="Gestion des dispositifs")
    click(page, section.get_by_role("link", name="l'administration"))
    click(page, page.get_by_role("link", name="Versions des règles").first)
    listing = visible_text(page, "#result_list")
    assert DEMO_VERSION in listing and "INAC/2021-11-01" in listing, listing[:800]
    assert "PDL-IN" not in listing  # another region's scheme

    click(page, page.locator("#result_list").get_by_role("link", name=DEMO_VERSION))
    # The admin's date widgets display under the Content-Security-Policy (issue 21 point 9).
    valid_to = page.get_by_label("En vigueur jusqu'au")
    shortcuts = page.locator(".datetimeshortcuts").first
    assert shortcuts.count() and shortcuts.is_visible(), (
        "the admin's date shortcuts (« Aujourd'hui », calendar) are not displayed"
    )

    # A period that ends before it starts: refused in French, what was typed is kept.
    label = page.get_by_label("Libellé")
    new_label = label.input_value() + " — prolongée jusqu'au 31/12/2027"
    label.fill(new_label)
    valid_to.fill("31/12/2022")
    click(page, page.get_by_role("button", name="Enregistrer", exact=True))
    errors = " ".join(form_errors(page)) + " " + visible_text(page, "#content")
    assert "La fin de validité précède son début." in errors, errors[:800]
    assert page.get_by_label("Libellé").input_value() == new_label
    assert page.get_by_label("En vigueur jusqu'au").input_value() == "31/12/2022"

    page.get_by_label("En vigueur jusqu'au").fill("31/12/2027")
    click(page, page.get_by_role("button", name="Enregistrer", exact=True))
    assert "a été modifié avec succès" in visible_text(page, "body"), form_errors(page)
    version = RuleVersion.objects.get(ident=DEMO_VERSION)
    assert version.valid_to.isoformat() == "2027-12-31" and version.label == new_label

    click(page, page.locator("#result_list").get_by_role("link", name=DEMO_VERSION))
    click(page, page.get_by_role("link", name="Historique"))
    history = visible_text(page, "#content")
    assert manager.email in history or manager.get_full_name() in history, history[:800]

    # The public page of the scheme says the rules in force are a demo, in French formats.
    scheme = Scheme.objects.get(code="INAC")
    page.goto(f"{base}/dispositifs/{scheme.slug}/")
    visit_check(page)
    header = header_text(page)
    assert re.search("démonstration", header, re.I), (
        f"the scheme page's header does not flag the demo rules (issue 13 point 12): {header}"
    )
    nav_link(page, "Mon espace")
    finish(page)
