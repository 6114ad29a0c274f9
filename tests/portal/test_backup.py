"""manage.py backup / restore on SQLite (the PostgreSQL drill runs in .ci/run)."""

import io
import json
import sqlite3
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive(tmp_path):
    user = UserFactory(email="sauvegarde@example.org")
    for action in ("connexion", "modification", "déconnexion"):
        audit_record(actor=user, action=action, obj=user)
    default_storage.save("pieces/devis.pdf", ContentFile(b"%PDF-1.4 devis"))
    default_storage.save("documents/récépissé.pdf", ContentFile(b"%PDF-1.4 recu"))
    out = tmp_path / "sauvegardes"
    call_command("backup", output=str(out), stdout=io.StringIO())
    (path,) = out.glob("aides-sauvegarde-*.tar")
    return path


def test_the_archive_holds_a_manifest_with_the_sha256_of_every_part(archive):
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names == {
        "manifest.json",
        "database.sqlite3",
        "files/pieces/devis.pdf",
        "files/documents/récépissé.pdf",
    }
    assert {entry["path"] for entry in manifest["members"]} == names - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["members"])
    assert manifest["database"]["engine"] == "sqlite"
    assert manifest["row_counts"]["accounts_user"] == 1
    last = AuditEvent.objects.order_by("-id").first()
    assert manifest["audit_head"] == {"rows": 3, "last_id": last.pk, "last_hash": last.hash}


def test_restore_rebuilds_a_fresh_database_and_file_store(archive, tmp_path):
    target = tmp_path / "restauree.sqlite3"
    files = tmp_path / "fichiers-restaures"
    out = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=f"sqlite:///{target}",
        files_root=str(files),
        stdout=out,
    )
    assert "journal d'audit intègre, 3 entrées" in out.getvalue()
    restored = sqlite3.connect(target)
    try:
        assert restored.execute("SELECT email FROM accounts_user").fetchall() == [
            ("sauvegarde@example.org",)
        ]
        rows = restored.execute("SELECT action, hash FROM audit_auditevent ORDER BY id").fetchall()
    finally:
        restored.close()
    assert rows == list(AuditEvent.objects.order_by("id").values_list("action", "hash"))
    assert (files / "pieces" / "devis.pdf").read_bytes() == b"%PDF-1.4 devis"
    assert (files / "documents" / "récépissé.pdf").read_bytes() == b"%PDF-1.4 recu"


def test_a_tampered_archive_is_refused_before_anything_is_restored(archive, tmp_path):
    tampered = tmp_path / "alteree.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/pieces/devis.pdf":
                data = b"%PDF-1.4 autre devis"
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    target = tmp_path / "restauree.sqlite3"
    with pytest.raises(CommandError, match="Empreinte SHA-256 incorrecte : files/pieces/devis.pdf"):
        call_command(
            "restore",
            str(tampered),
            database_url=f"sqlite:///{target}",
            files_root=str(tmp_path / "fichiers"),
        )
    assert not (tmp_path / "fichiers").exists()
    assert not target.exists() or target.stat().st_size == 0


def test_restore_refuses_a_database_that_is_not_empty(archive, tmp_path):
    with pytest.raises(CommandError, match="contient déjà des tables"):
        call_command("restore", str(archive), files_root=str(tmp_path / "fichiers"))
