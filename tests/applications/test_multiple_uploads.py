"""Several files added in one go on the « Pièces justificatives » step (issue 20 point 5): each
file is checked on its own, a refused file never undoes the accepted ones nor the rest of the
form, and the page says what became of each file."""

import re

import pytest
from django.urls import reverse

from applications.attachments import required_documents_for
from applications.views_documents import MAX_FILES_AT_ONCE
from tests.applications.factories import ANSWERS, DossierFactory
from tests.applications.test_attachments import MZ, upload
from tests.factories import UserFactory


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def dossier(member):
    return DossierFactory(scheme_code="PDL-IN", answers=ANSWERS["PDL-IN"], member=member)


@pytest.fixture
def code(dossier):
    return required_documents_for(dossier)[0]["code"]


@pytest.fixture
def url(dossier):
    return reverse("applications:step_documents", args=[dossier.pk])


def test_several_good_files_are_all_added_with_one_message(client, dossier, member, code, url):
    client.force_login(member)
    files = [upload("devis-a.pdf"), upload("devis-b.pdf"), upload("devis-c.pdf")]
    response = client.post(url, {"document_code": code, "file": files})
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    assert (
        "Les 3 fichiers ont été ajoutés : « devis-a.pdf », « devis-b.pdf » et « devis-c.pdf »."
        in (page)
    )
    assert sorted(dossier.attachments.values_list("original_name", flat=True)) == [
        "devis-a.pdf",
        "devis-b.pdf",
        "devis-c.pdf",
    ]


def test_a_refused_file_keeps_the_accepted_ones_and_the_chosen_document(
    client, dossier, member, url
):
    client.force_login(member)
    files = [upload("devis.pdf"), upload("facture.pdf", MZ), upload("kbis.pdf")]
    response = client.post(url, {"document_code": "quotes", "file": files})
    page = response.content.decode()
    assert response.status_code == 200
    # The two good files are stored and listed; the refused one is named with its reason.
    assert sorted(dossier.attachments.values_list("original_name", flat=True)) == [
        "devis.pdf",
        "kbis.pdf",
    ]
    expected = page[page.index('id="titre-pieces-attendues"') : page.index('id="titre-ajout"')]
    assert "devis.pdf" in expected and "kbis.pdf" in expected and "facture.pdf" not in expected
    results = page[page.index('id="resultat-envoi"') :]
    results = results[: results.index("</div>")]
    assert "2 fichiers ajoutés, 1 refusé" in results
    assert "« devis.pdf » : ajouté." in results and "« kbis.pdf » : ajouté." in results
    assert re.search(r"« facture\.pdf » : refusé — Ce fichier est un programme exécutable", results)
    # The error summary and the field say it too; the chosen document stays chosen.
    assert page.count("« facture.pdf » : Ce fichier est un programme exécutable") == 2
    assert "<title>Erreur :" in page
    assert '<option value="quotes" selected>' in page
    assert 'aria-describedby="limites-fichiers verification-fichier id_file_error"' in page


def test_the_files_the_browser_kept_back_are_reported_with_the_others(
    client, dossier, member, code, url
):
    client.force_login(member)
    refused = (
        "Le fichier « enorme.pdf » pèse 48,8 Mo : la taille maximale est de 10 Mo par fichier."
    )
    response = client.post(
        url, {"document_code": code, "file": [upload("devis.pdf")], "refus_navigateur": refused}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert dossier.attachments.count() == 1
    assert "1 fichier ajouté, 1 refusé" in page and "« devis.pdf » : ajouté." in page
    assert f"refusé — {refused}" in page.replace("&#x27;", "'")


def test_too_many_files_at_once_are_refused_before_any_is_stored(
    client, dossier, member, code, url
):
    client.force_login(member)
    files = [upload(f"page-{n}.pdf") for n in range(MAX_FILES_AT_ONCE + 1)]
    response = client.post(url, {"document_code": code, "file": files})
    assert response.status_code == 200
    assert f"Vous avez choisi {MAX_FILES_AT_ONCE + 1} fichiers" in response.content.decode()
    assert not dossier.attachments.exists()


def test_no_file_chosen_says_so(client, dossier, member, code, url):
    client.force_login(member)
    response = client.post(url, {"document_code": code})
    assert response.status_code == 200
    assert "Choisissez au moins un fichier à déposer." in response.content.decode()


def test_the_file_input_takes_several_files(client, dossier, member, url):
    client.force_login(member)
    html = client.get(url).content.decode()
    tag = re.search(r'<input type="file"[^>]*>', html).group(0)
    assert " multiple" in tag and 'name="file"' in tag
    assert "data-drop-zone" in html and 'id="fichiers-choisis"' in html
