"""In Chromium: a file too big or of a refused type is refused in the browser before it is sent,
with a French message next to the field, using the limits the server rendered (issue 21 point 4)."""

import re

import pytest
from django.test import Client

from applications.models import Attachment
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_refuses_a_file_before_sending_it(
    live_server, browser_context, page, reference_data, settings
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024  # 20 Ko: the page says it, the script reads it
    dossier = DossierFactory(scheme_code="INAC")
    user = dossier.organisation.memberships.first().user
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    url = f"{live_server.url}/dossiers/{dossier.pk}/pieces/"
    page.goto(url)
    field = page.get_by_label("Fichier", exact=True)
    message = page.locator("#verification-fichier")

    # Too big: refused at once, nothing sent.
    field.set_input_files(
        {"name": "devis-scanne.pdf", "mimeType": "application/pdf", "buffer": b"%" * 50_000}
    )
    assert re.search(
        r"Le fichier « devis-scanne\.pdf » pèse 48,8\s+Ko : la taille maximale est de 20 Ko",
        message.inner_text(),
    )
    assert field.get_attribute("aria-invalid") == "true"
    page.get_by_role("button", name="Ajouter ce fichier").click()
    assert page.url == url and posts == []
    assert field.evaluate("element => element === document.activeElement")
    assert_accessible(page)

    # A refused type: the accepted ones are named.
    field.set_input_files(
        {"name": "outil.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ" * 10}
    )
    assert "Le format du fichier « outil.exe » n'est pas accepté. Formats acceptés : PDF" in (
        message.inner_text()
    )
    page.get_by_role("button", name="Ajouter ce fichier").click()
    assert posts == [] and Attachment.objects.filter(dossier=dossier).count() == 0

    # A good file: the message goes, the file is sent and stored (the server checks it again).
    field.set_input_files({"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    assert message.inner_text().strip() == ""
    assert field.get_attribute("aria-invalid") is None
    page.get_by_role("button", name="Ajouter ce fichier").click()
    page.wait_for_load_state()
    assert "Le fichier « devis.pdf » a été ajouté." in page.content()
    assert len(posts) == 1 and Attachment.objects.filter(dossier=dossier).count() == 1
