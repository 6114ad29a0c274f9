"""Journey of an instructing agent reading a dossier's files in Chromium (issue 20 point 4): on the
review page, « Aperçu » opens with the keyboard and shows the applicant's PDF in the browser's own
viewer (a frame of the portal, the page's CSP untouched: no CSP refusal in the console), then the
whole dossier downloads as one ZIP whose manifest lists the SHA-256 of each file.
Every page passes visit_check (axe, 320 px, no repr)."""

import csv
import hashlib
import io
import zipfile

import pytest

from applications.services import dossier_submit
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.journey import download, finish, login, open_from_queue, watch_console
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_previews_a_file_and_downloads_the_dossier_zip(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    attachment = dossier.attachments.filter(mime_type="application/pdf").first()
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    watch_console(page)

    login(page, live_server.url, agent.email)
    open_from_queue(page, dossier.number)
    pieces = page.get_by_role("region", name="Pièces")
    summary = pieces.locator("summary").filter(has_text="Aperçu").first
    summary.focus()
    page.keyboard.press("Enter")  # a <details> opens with the keyboard
    frame = pieces.get_by_title(f"Aperçu de la pièce {attachment.original_name}")
    frame.wait_for(state="visible")
    preview = page.request.get(live_server.url + frame.get_attribute("src"))
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline")
    assert preview.body() == PDF_BYTES

    name, content = download(page, pieces.get_by_role("link", name="Télécharger tout le dossier"))
    assert name == f"dossier-{dossier.number}.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = csv.DictReader(io.StringIO(archive.read("manifeste.csv").decode()), delimiter=";")
    rows = {row["fichier"]: row["sha256"] for row in manifest}
    assert "recapitulatif.pdf" in rows and any(n.startswith("pieces/") for n in rows)
    for file_name, digest in rows.items():
        assert hashlib.sha256(archive.read(file_name)).hexdigest() == digest
    finish(page)
