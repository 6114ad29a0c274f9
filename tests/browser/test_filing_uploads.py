"""In Chromium: a file too big or of a refused type is refused in the browser before it is sent,
with a French message next to the field, using the limits the server rendered (issue 21 point 4)."""

import re

import pytest
from django.test import Client

from applications.models import Attachment
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.conftest import assert_accessible
from tests.browser.journey import click, finish, goto, press_enter, visible_text

MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500

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
    field = page.get_by_label("Fichiers").and_(page.locator("input[type=file]"))
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
    page.get_by_role("button", name="Ajouter les fichiers").click()
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
    page.get_by_role("button", name="Ajouter les fichiers").click()
    assert posts == [] and Attachment.objects.filter(dossier=dossier).count() == 0

    # A good file: the message goes, the file is sent and stored (the server checks it again).
    field.set_input_files({"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    assert message.inner_text().strip() == ""
    assert field.get_attribute("aria-invalid") is None
    page.get_by_role("button", name="Ajouter les fichiers").click()
    page.wait_for_load_state()
    assert "Le fichier « devis.pdf » a été ajouté." in page.content()
    assert len(posts) == 1 and Attachment.objects.filter(dossier=dossier).count() == 1


def applicant_page(live_server, browser_context, dossier) -> str:
    user = dossier.organisation.memberships.first().user
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return f"{live_server.url}/dossiers/{dossier.pk}/pieces/"


def test_several_files_at_once_with_the_keyboard_a_refused_one_keeps_the_others(
    live_server, browser_context, page, reference_data, settings
):
    """Issue 20 point 5: three files chosen in one go from the keyboard; the browser keeps back
    the one too big, the server refuses the disguised program; the good one is added, and the
    page says what became of each, with the chosen document still chosen."""
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024
    dossier = DossierFactory(scheme_code="INAC")
    url = applicant_page(live_server, browser_context, dossier)
    goto(page, url)

    # The keyboard: the document list, then Tab to the file input, which takes several files
    # (what the system's file dialog returns is given to the input directly: the dialog is not
    # the page's, and headless Chromium opens it only now and then from a key press).
    page.bring_to_front()
    select = page.get_by_label("Pièce concernée")
    select.focus()
    select.select_option("other")
    page.keyboard.press("Tab")
    field = page.get_by_label("Fichiers").and_(page.locator("input[type=file]"))
    assert field.evaluate("element => element === document.activeElement")
    assert field.evaluate("element => element.multiple")
    field.set_input_files(
        [
            {"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
            {"name": "enorme.pdf", "mimeType": "application/pdf", "buffer": b"%" * 50_000},
            {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": MZ},
        ]
    )
    chosen = page.locator("#fichiers-choisis li").all_inner_texts()
    assert len(chosen) == 3
    assert "« devis.pdf »" in chosen[0] and "prêt à être envoyé" in chosen[0]
    assert "« enorme.pdf » : ne sera pas envoyé" in chosen[1]
    message = page.locator("#verification-fichier").inner_text()
    assert "Le fichier « enorme.pdf » pèse 48,8" in message
    assert "Ce fichier ne sera pas envoyé ; les autres le seront." in message
    assert field.get_attribute("aria-invalid") is None  # the others can go
    assert_accessible(page)

    # Sent with Enter on the button: the good file is added, each file has its result.
    button = page.get_by_role("button", name="Ajouter les fichiers")
    press_enter(page, button)
    results = visible_text(page, "#resultat-envoi")
    assert "1 fichier ajouté, 2 refusés" in results
    assert "« devis.pdf » : ajouté." in results
    assert "« facture.pdf » : refusé — Ce fichier est un programme exécutable" in results
    assert "« enorme.pdf » pèse 48,8" in results
    assert list(
        Attachment.objects.filter(dossier=dossier).values_list("original_name", flat=True)
    ) == ["devis.pdf"]
    # The error summary takes the focus and leads to the field; the chosen document stays.
    assert page.title().startswith("Erreur :")
    assert page.evaluate("document.activeElement.id") == "resume-erreurs"
    assert page.get_by_label("Pièce concernée").input_value() == "other"
    summary = page.locator("#resume-erreurs a").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#id_file"
    expected = page.locator("section[aria-labelledby=titre-pieces-attendues]").inner_text()
    assert "devis.pdf" in expected  # listed with the dossier's files
    finish(page)


def test_files_dropped_on_the_box_are_added_to_the_choice(
    live_server, browser_context, page, reference_data
):
    """Drag and drop, an enhancement of the same input: two files dropped, then one more chosen
    by drop again, all three sent together."""
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="INAC")
    goto(page, applicant_page(live_server, browser_context, dossier))
    zone = page.locator("[data-drop-zone]")
    assert page.get_by_text("glisser vos fichiers et les déposer dans ce cadre").is_visible()

    def drop(*names):
        transfer = page.evaluate_handle(
            """([names, bytes]) => {
                const transfer = new DataTransfer();
                for (const name of names) {
                  transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "application/pdf"}));
                }
                return transfer;
            }""",
            [list(names), list(PDF_BYTES)],
        )
        zone.dispatch_event("dragover", {"dataTransfer": transfer})
        zone.dispatch_event("drop", {"dataTransfer": transfer})

    drop("devis-1.pdf", "devis-2.pdf")
    drop("kbis.pdf")
    chosen = page.locator("#fichiers-choisis li").all_inner_texts()
    assert [text.split("»")[0] for text in chosen] == [
        "✓ « devis-1.pdf ",
        "✓ « devis-2.pdf ",
        "✓ « kbis.pdf ",
    ]
    click(page, page.get_by_role("button", name="Ajouter les fichiers"))
    assert (
        "Les 3 fichiers ont été ajoutés : « devis-1.pdf », « devis-2.pdf » et « kbis.pdf »."
        in visible_text(page)
    )
    assert Attachment.objects.filter(dossier=dossier).count() == 3
    finish(page)
