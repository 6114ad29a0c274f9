"""Journey of a Pays de la Loire agent writing to every draft without bank details (issue 22
point 8), in Chromium: choose the audience with the keyboard, read the count, go back a step,
write an empty message (error summary), send it, send the same form again from the browser's
history (nothing sent twice); the applicant then reads the message in their draft's thread and
in their e-mail. Every page passes visit_check."""

import pytest

from instruction.models import BulkMessage, Message
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory
from tests.browser.journey import (
    click,
    finish,
    login,
    logout,
    nav_link,
    press_enter,
    visible_text,
    watch_console,
)
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_writes_to_every_draft_without_bank_details(
    live_server, page, reference_data, mailbox
):
    SeedDemo().extend_expired_schemes()
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    first = DossierFactory(scheme_code="PDL-IN", complete=True, iban="")
    second = DossierFactory(scheme_code="PDL-IN", complete=True, bic="")
    DossierFactory(scheme_code="PDL-IN", complete=True)  # complete: not reached
    DossierFactory(scheme_code="INAC", complete=True, iban="")  # another region: not reached
    applicant = first.organisation.memberships.first().user
    watch_console(page)

    login(page, base, agent.email)
    nav_link(page, "Instruction")
    click(page, page.get_by_role("link", name="Écrire à plusieurs demandeurs"))
    page.get_by_label("Brouillons sans coordonnées bancaires complètes").check()
    press_enter(page, page.get_by_role("button", name="Voir les destinataires"))
    status = visible_text(page, "#apercu")
    assert "2 dossiers de votre périmètre, 2 personnes à prévenir" in status, status

    # Back a step: the choice is still there, the other audience can be previewed instead.
    page.go_back()
    page.get_by_label("Brouillons auxquels il manque une pièce justificative").check()
    press_enter(page, page.get_by_role("button", name="Voir les destinataires"))
    assert "0 dossier de votre périmètre" in visible_text(page, "#apercu")
    assert "il n'y a personne à prévenir" in visible_text(page, "main")
    page.get_by_label("Brouillons sans coordonnées bancaires complètes").check()
    press_enter(page, page.get_by_role("button", name="Voir les destinataires"))

    # An empty message: the error summary takes the focus, nothing is recorded.
    click(page, page.get_by_role("button", name="Envoyer à 2 dossiers"))
    assert "Écrivez le message." in visible_text(page, "#resume-erreurs")
    assert not BulkMessage.objects.exists()
    page.get_by_label("Texte du message").fill(
        "Bonjour, saisissez vos coordonnées bancaires complètes."
    )
    click(page, page.get_by_role("button", name="Envoyer à 2 dossiers"))
    assert "Votre message est enregistré" in visible_text(page, "main")
    assert "Terminé : 2 dossiers" in visible_text(page, "table")

    # The same form sent again from the history: the form's token finds the first message.
    page.go_back()
    if page.get_by_role("button", name="Envoyer à 2 dossiers").count():
        page.get_by_label("Texte du message").fill(
            "Bonjour, saisissez vos coordonnées bancaires complètes."
        )
        click(page, page.get_by_role("button", name="Envoyer à 2 dossiers"))
    assert BulkMessage.objects.count() == 1
    assert Message.objects.filter(dossier__in=[first, second]).count() == 2

    mail = mailbox.wait_for(applicant.email)
    assert "saisissez vos coordonnées bancaires complètes" in mail.body
    assert "La Région Pays de la Loire" in mail.body

    logout(page)
    login(page, base, applicant.email)
    nav_link(page, "Mes dossiers")
    click(page, page.get_by_role("link", name=first.number).first)
    thread = visible_text(page, "section[aria-labelledby=t-messages]")
    assert "saisissez vos coordonnées bancaires complètes" in thread, thread
    finish(page)
