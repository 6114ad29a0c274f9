"""Journey of an agent choosing their e-mails (issue 22 point 5), in Chromium: from « Mon espace »
to « Notifications », untick the daily digest with the keyboard, save, save again unchanged,
and find the choice kept. Every page passes visit_check."""

import pytest

from outbox.notifications import preferences_of
from tests.browser.journey import (
    click,
    finish,
    login,
    nav_link,
    press_enter,
    visible_text,
    watch_console,
)
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_turns_off_the_daily_digest(live_server, page, reference_data):
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    watch_console(page)
    login(page, live_server.url, agent.email)
    nav_link(page, "Mon espace")
    click(page, page.get_by_role("link", name="Notifications"))
    digest = page.get_by_label("Le récapitulatif quotidien de vos dossiers et de leurs échéances")
    assert digest.is_checked()
    digest.focus()
    page.keyboard.press("Space")
    assert not digest.is_checked()
    press_enter(page, page.get_by_role("button", name="Enregistrer mes préférences"))
    assert "Vos préférences de notification sont enregistrées." in visible_text(page, "main")
    assert preferences_of(agent)["agent_digest"] is False
    click(page, page.get_by_role("button", name="Enregistrer mes préférences"))  # twice
    digest = page.get_by_label("Le récapitulatif quotidien de vos dossiers et de leurs échéances")
    assert not digest.is_checked()
    assert page.get_by_label("Un demandeur écrit sur un dossier").is_checked()
    assert preferences_of(agent) == {
        "dossier_message": True,
        "complements_received": True,
        "payment_request_received": True,
        "deadline_reminder": True,
        "agent_digest": False,
    }
    finish(page)
