"""Journey of anyone holding a document of the portal, in Chromium: from the footer, « Vérifier un
document » by its reference and SHA-256 with the keyboard, a wrong hash, going back a step, a
malformed hash (the error summary), then by dropping the file itself (issue 20 point 3).

What the person checks: « Document authentique » with the kind, the reference and the issuing
region, never the content; « Document non reconnu » otherwise; the electronic signature said valid
(with the demo certificate flagged). Every page passes visit_check (axe, 320 px, no repr)."""

import pytest

from applications.models import DossierDocument
from documents import issuing, signing
from instruction.documents import ensure_document
from tests.browser.journey import click, finish, goto, press_enter, visible_text, visit_check
from tests.documents.conftest import decided_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_award(reference_data, settings, tmp_path):
    settings.DOCUMENTS_SIGNING_PKCS12 = str(tmp_path / "{region}.p12")
    signing.make_demo_certificate(
        tmp_path / "HDF.p12", region_code="HDF", region_name="Hauts-de-France"
    )
    return ensure_document(decided_dossier(), DossierDocument.Kind.AWARD)


def test_anyone_checks_a_document_by_reference_and_by_file(
    live_server, page, signed_award, tmp_path
):
    goto(page, f"{live_server.url}/")
    click(page, page.get_by_role("link", name="Vérifier un document"))
    assert page.url.endswith("/verifier-un-document/")

    # By reference and hash, typed, submitted with Enter.
    page.get_by_label("Référence du document").fill(signed_award.reference)
    page.get_by_label("Empreinte SHA-256").fill(signed_award.sha256)
    press_enter(page, page.get_by_label("Empreinte SHA-256"))
    result = visible_text(page, "#resultat")
    assert "Document authentique" in result
    assert signed_award.reference in result and "Région Hauts-de-France" in result
    assert "Décision d'attribution" in result and "En vigueur" in result
    organisation = signed_award.dossier.organisation.name
    assert organisation not in visible_text(page), "the page must not show the document's content"

    # Back a step, one character wrong in the hash: not recognised.
    page.go_back()
    page.get_by_label("Référence du document").fill(signed_award.reference)
    wrong = ("0" if signed_award.sha256[0] != "0" else "1") + signed_award.sha256[1:]
    page.get_by_label("Empreinte SHA-256").fill(wrong)
    click(page, page.get_by_role("button", name="Vérifier la référence"))
    assert "Document non reconnu" in visible_text(page, "#resultat")

    # A malformed hash: the error summary takes the focus and links to the field.
    page.get_by_label("Empreinte SHA-256").fill("abc")
    click(page, page.get_by_role("button", name="Vérifier la référence"))
    summary = page.locator("#resume-erreurs")
    assert "64 caractères" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "resume-erreurs"

    # By the file itself: hashed, not kept; the signature is checked.
    path = tmp_path / f"{signed_award.reference}.pdf"
    path.write_bytes(issuing.stored_bytes(signed_award))
    page.get_by_label("Document à vérifier (PDF)").set_input_files(str(path))
    click(page, page.get_by_role("button", name="Vérifier le fichier"))
    result = visible_text(page, "#resultat")
    assert "Document authentique" in result
    assert "Signature électronique : valide" in result
    assert "Certificat de démonstration" in result

    # At 320 px the result and both forms stay readable (visit_check also measured the reflow).
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.get_by_role("button", name="Vérifier le fichier").is_visible()
    visit_check(page)
    finish(page)
