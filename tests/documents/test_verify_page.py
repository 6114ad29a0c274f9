"""`/verifier-un-document/` and `manage.py verify_document`: anyone can check that a document was
issued by the portal (by reference and SHA-256, or by the file, hashed without being stored),
without seeing its content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from applications.models import DossierDocument
from documents import issuing, signing
from instruction.documents import ensure_document

URL = "/verifier-un-document/"
Kind = DossierDocument.Kind


@pytest.fixture
def signed_award(settings, tmp_path, award):
    settings.DOCUMENTS_SIGNING_PKCS12 = str(tmp_path / "{region}.p12")
    signing.make_demo_certificate(
        tmp_path / "HDF.p12", region_code="HDF", region_name="Hauts-de-France"
    )
    return ensure_document(award, Kind.AWARD)


def by_reference(client, reference, sha256):
    return client.post(URL, {"mode": "reference", "ref-reference": reference, "ref-sha256": sha256})


def by_file(client, data, name="acte.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(URL, {"mode": "file", "file-document": upload})


def test_url_is_the_french_public_one():
    assert reverse("portal:verify_document") == URL


def test_the_page_is_public_and_explains_itself(client, db):
    page = client.get(URL).content.decode()
    assert "<h1>Vérifier un document</h1>" in page
    assert 'for="id_ref-reference"' in page and 'for="id_file-document"' in page


def test_reference_and_hash_of_an_issued_document_are_recognised(client, signed_award):
    page = by_reference(client, signed_award.reference.lower(), signed_award.sha256.upper()).content
    page = page.decode()
    assert "Document authentique" in page
    assert "Décision d&#x27;attribution" in page or "Décision d'attribution" in page
    assert signed_award.reference in page and "Région Hauts-de-France" in page
    assert "En vigueur" in page
    # Nothing of the content: neither the beneficiary nor the amount.
    dossier = signed_award.dossier
    assert dossier.organisation.name not in page and "3 200" not in page


def test_a_wrong_hash_and_an_unknown_reference_get_the_same_answer(client, signed_award):
    wrong_hash = by_reference(client, signed_award.reference, "0" * 64).content.decode()
    unknown = by_reference(client, "ARR-NOPE-1", signed_award.sha256).content.decode()
    for page in (wrong_hash, unknown):
        assert (
            "Document non reconnu" in page and signed_award.reference not in page.split("<form")[0]
        )


def test_a_malformed_hash_is_a_french_error_on_the_field(client, db):
    response = by_reference(client, "ARR-X", "pas une empreinte")
    page = response.content.decode()
    assert response.status_code == 200
    assert "L&#x27;empreinte SHA-256 compte 64 caractères" in page
    assert "resume-erreurs" in page  # the error summary takes the focus


def test_the_original_file_is_recognised_with_its_valid_signature(client, signed_award, settings):
    stored_before = sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())
    page = by_file(client, issuing.stored_bytes(signed_award)).content.decode()
    assert "Document authentique" in page
    assert (
        "Signature électronique :</strong>\n      valide" in page or "valide, apposée par" in page
    )
    assert "Certificat de démonstration" in page
    stored_after = sorted(p.name for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file())
    assert stored_after == stored_before  # the uploaded file was not kept


def test_a_modified_file_is_not_recognised_and_no_signature_is_vouched_for(client, signed_award):
    data = issuing.stored_bytes(signed_award)
    position = len(data) // 3
    tampered = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
    page = by_file(client, tampered).content.decode()
    assert "Document non reconnu" in page
    # Signature lines only for a document of the register: no "valide, apposée par <CN>" that
    # whoever made the file chose.
    assert "Signature électronique" not in page and "apposée par" not in page


def test_a_file_that_is_not_a_pdf_is_simply_not_recognised(client, db):
    page = by_file(client, b"hello", name="note.txt").content.decode()
    assert "Document non reconnu" in page


def test_too_many_checks_are_refused_in_french(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "verify_document": "2/m/ip"}
    for _ in range(2):
        assert by_reference(client, "ARR-X", "0" * 64).status_code == 200
    response = by_reference(client, "ARR-X", "0" * 64)
    assert response.status_code == 429
    assert "Trop de vérifications" in response.content.decode()


def test_command_accepts_the_issued_signed_document(signed_award, tmp_path, capsys):
    path = tmp_path / "acte.pdf"
    path.write_bytes(issuing.stored_bytes(signed_award))
    call_command("verify_document", str(path))
    out = capsys.readouterr().out
    assert signed_award.reference in out and "Document authentique." in out
    assert "Signature valide" in out


def test_command_rejects_a_modified_document(signed_award, tmp_path):
    data = issuing.stored_bytes(signed_award)
    position = len(data) // 3
    path = tmp_path / "acte.pdf"
    path.write_bytes(data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :])
    with pytest.raises(CommandError):
        call_command("verify_document", str(path))


def test_a_plain_urlencoded_form_is_checked_too(client, signed_award):
    """Browsers send the reference form urlencoded (no file): parsed before the view."""
    from urllib.parse import urlencode

    body = urlencode(
        {
            "mode": "reference",
            "ref-reference": signed_award.reference,
            "ref-sha256": signed_award.sha256,
        }
    )
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert "Document authentique" in response.content.decode()


def test_a_file_over_the_limit_is_refused_without_being_kept(client, db, monkeypatch):
    from portal import verification

    monkeypatch.setattr(verification, "MAX_UPLOAD", 1024)
    response = by_file(client, b"%PDF-" + b"0" * 4096)
    page = response.content.decode()
    assert "dépasse 10 Mo" in page and "resume-erreurs" in page
    assert "Document authentique" not in page and "Document non reconnu" not in page


def test_a_hash_pasted_in_groups_is_recognised_and_a_long_one_gets_the_64_characters_message(
    client, signed_award
):
    """A hash copied from a PDF often comes with spaces or line breaks between groups: it is the
    same hash. Anything too long gets the message the help text announces (64 characters), not a
    limit of 80 the person never read."""
    digest = signed_award.sha256
    pairs = " ".join(digest[i : i + 2] for i in range(0, 64, 2))  # 95 characters
    page = by_reference(client, signed_award.reference, pairs).content.decode()
    assert "Document authentique" in page
    page = by_reference(client, signed_award.reference, digest * 80).content.decode()
    assert "L&#x27;empreinte SHA-256 compte 64 caractères" in page
    assert "au plus 80" not in page


def test_a_body_larger_than_the_limit_is_refused_in_french_before_it_is_read(client, db):
    from portal import verification

    big = str(verification.MAX_UPLOAD + 1024 * 1024)
    upload = SimpleUploadedFile("acte.pdf", b"%PDF-", content_type="application/pdf")
    response = client.post(URL, {"mode": "file", "file-document": upload}, CONTENT_LENGTH=big)
    assert response.status_code == 413
    assert "dépasse 10 Mo" in response.content.decode()


def test_the_rate_limit_is_checked_before_the_file_is_read(client, db, settings, monkeypatch):
    from portal import verification

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "verify_document": "1/m/ip"}
    assert by_file(client, b"%PDF-1").status_code == 200
    read = []
    original = verification.InMemoryHashUpload.receive_data_chunk

    def spy(self, raw_data, start):
        read.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(verification.InMemoryHashUpload, "receive_data_chunk", spy)
    response = by_file(client, b"%PDF-2")
    assert response.status_code == 429 and "Trop de vérifications" in response.content.decode()
    assert read == []


def test_only_the_document_field_is_kept_and_bytes_count_across_files(rf, monkeypatch):
    """Extra file parts (another field, or the document field repeated) are not kept in memory:
    at most MAX_UPLOAD bytes are held for the whole request."""
    from portal import verification

    monkeypatch.setattr(verification, "MAX_UPLOAD", 1024)

    def upload(name):
        return SimpleUploadedFile(name, b"x" * 700, content_type="application/pdf")

    request = rf.post(
        URL,
        {
            "mode": "file",
            "file-document": [upload("a.pdf"), upload("b.pdf")],
            **{f"other{i}": upload(f"o{i}.pdf") for i in range(5)},
        },
    )
    request.upload_handlers = [verification.InMemoryHashUpload(request)]
    assert list(request.FILES) == ["file-document"]
    first, second = request.FILES.getlist("file-document")
    assert first.read() == b"x" * 700 and not first.too_large
    assert second.too_large and second.read() == b""
