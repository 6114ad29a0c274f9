"""manage.py backup / restore, on the test database's engine (SQLite, or PostgreSQL in .ci/run's
second run, which also runs the drill on the demo data)."""

import io
import json
import sqlite3
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


POSTGRES = connection.vendor == "postgresql"
DUMP = "database.dump" if POSTGRES else "database.sqlite3"


@pytest.fixture
def fresh_database(tmp_path):
    """(URL, query) of a new, empty database of the test database's engine."""
    if not POSTGRES:
        path = tmp_path / "restauree.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as restored:
                rows = restored.execute(sql).fetchall()
            restored.close()
            return rows

        yield f"sqlite:///{path}", query
        return
    import psycopg2

    settings = connection.settings_dict
    name = f"{settings['NAME']}_restored"
    with connection.cursor() as cursor:  # autocommit: transactional test
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{settings['USER']}:{settings['PASSWORD']}@" if settings["USER"] else ""
    url = f"postgres://{credentials}{settings['HOST']}:{settings['PORT'] or 5432}/{name}"

    def query(sql):
        with psycopg2.connect(url) as restored, restored.cursor() as cursor:
            cursor.execute(sql)
            rows = [tuple(row) for row in cursor.fetchall()]
        restored.close()
        return rows

    yield url, query
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
        DUMP,
        "files/pieces/devis.pdf",
        "files/documents/récépissé.pdf",
    }
    assert {entry["path"] for entry in manifest["members"]} == names - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["members"])
    assert manifest["database"]["engine"] == ("postgresql" if POSTGRES else "sqlite")
    assert manifest["row_counts"]["accounts_user"] == 1
    last = AuditEvent.objects.order_by("-id").first()
    assert manifest["audit_head"] == {"rows": 3, "last_id": last.pk, "last_hash": last.hash}


def test_restore_rebuilds_a_fresh_database_and_file_store(archive, tmp_path, fresh_database):
    url, query = fresh_database
    files = tmp_path / "fichiers-restaures"
    out = io.StringIO()
    call_command("restore", str(archive), database_url=url, files_root=str(files), stdout=out)
    assert "journal d'audit intègre, 3 entrées" in out.getvalue()
    assert query("SELECT email FROM accounts_user") == [("sauvegarde@example.org",)]
    rows = query("SELECT action, hash FROM audit_auditevent ORDER BY id")
    assert rows == list(AuditEvent.objects.order_by("id").values_list("action", "hash"))
    assert (files / "pieces" / "devis.pdf").read_bytes() == b"%PDF-1.4 devis"
    assert (files / "documents" / "récépissé.pdf").read_bytes() == b"%PDF-1.4 recu"


def test_a_tampered_archive_is_refused_before_anything_is_restored(
    archive, tmp_path, fresh_database
):
    url, query = fresh_database
    tampered = tmp_path / "alteree.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/pieces/devis.pdf":
                data = b"%PDF-1.4 autre devis"
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="Empreinte SHA-256 incorrecte : files/pieces/devis.pdf"):
        call_command(
            "restore", str(tampered), database_url=url, files_root=str(tmp_path / "fichiers")
        )
    assert not (tmp_path / "fichiers").exists()
    tables = (
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        if POSTGRES
        else "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert query(tables) == []  # nothing restored


def test_restore_refuses_a_database_that_is_not_empty(archive, tmp_path):
    with pytest.raises(CommandError, match="contient déjà des tables"):
        call_command("restore", str(archive), files_root=str(tmp_path / "fichiers"))


def test_restore_without_a_folder_writes_the_files_through_the_storage(
    archive, tmp_path, fresh_database
):
    """The default: the portal's own storage (a local folder or an S3 bucket), which must be
    empty; the files are read back through it and compared with the manifest."""
    url, _ = fresh_database
    with pytest.raises(CommandError, match="Le stockage des fichiers n'est pas vide"):
        call_command("restore", str(archive), database_url=url, stdout=io.StringIO())
    for name in ("pieces/devis.pdf", "documents/récépissé.pdf"):
        default_storage.delete(name)
    out = io.StringIO()
    call_command("restore", str(archive), database_url=url, stdout=out)
    assert "2 fichier(s)" in out.getvalue()
    with default_storage.open("pieces/devis.pdf", "rb") as restored:
        assert restored.read() == b"%PDF-1.4 devis"
    with default_storage.open("documents/récépissé.pdf", "rb") as restored:
        assert restored.read() == b"%PDF-1.4 recu"
