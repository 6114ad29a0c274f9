"""/sante/ and /sante/pret/: JSON, no login, nothing leaked."""

import socket
import threading

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from portal import health

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sante/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"statut": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "private"
    monkeypatch.setattr(health, "file_storage", lambda: FileSystemStorage(location=folder))
    return folder


def test_readiness_checks_every_backend(client, settings, store):
    settings.CLAMAV_REQUIRED = False
    response = client.get("/sante/pret/")
    assert response.status_code == 200
    assert response.json() == {
        "statut": "ok",
        "verifications": {
            "base_de_donnees": "ok",
            "cache": "ok",
            "file_de_taches": "ok",
            "fichiers": "ok",
        },
    }
    assert [path for path in store.rglob("*") if path.is_file()] == []  # the probe is removed


def test_readiness_is_503_and_names_the_broken_part_without_details(
    client, settings, tmp_path, monkeypatch
):
    # A store whose folder cannot be created (a file is in the way).
    (tmp_path / "blocked").write_text("")
    blocked = FileSystemStorage(location=tmp_path / "blocked" / "private")
    monkeypatch.setattr(health, "file_storage", lambda: blocked)
    settings.CLAMAV_REQUIRED = False

    def broken_database():
        raise connection.OperationalError(
            'could not connect to server: Connection refused, host "db-prod-7.internal"'
        )

    monkeypatch.setattr(health, "check_database", broken_database)
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "en panne"
    assert body["verifications"]["base_de_donnees"] == "en panne"
    assert body["verifications"]["fichiers"] == "en panne"
    assert body["verifications"]["cache"] == "ok"
    text = response.content.decode()
    for leak in ("db-prod-7", "refused", "blocked", str(tmp_path), "Error", "Traceback"):
        assert leak not in text


@pytest.fixture
def fake_clamd():
    """A clamd that answers PONG to zPING, on a free local port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                if conn.recv(16).startswith(b"zPING"):
                    conn.sendall(b"PONG\0")

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_readiness_checks_clamav_only_when_it_is_required(client, settings, store, fake_clamd):
    settings.CLAMAV_REQUIRED = True
    settings.CLAMAV_ADDRESS = fake_clamd
    response = client.get("/sante/pret/")
    assert response.status_code == 200
    assert response.json()["verifications"]["antivirus"] == "ok"

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        settings.CLAMAV_ADDRESS = f"127.0.0.1:{unused.getsockname()[1]}"
    response = client.get("/sante/pret/")
    assert response.status_code == 503
    assert response.json()["verifications"]["antivirus"] == "en panne"


def test_health_urls_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/sante/").status_code == 200
    assert client.get("/", secure=False).status_code == 301


def test_staff_with_a_password_only_session_can_probe(client, django_user_model):
    staff = django_user_model.objects.create_user(
        email="agent-sante@example.org", password="x-Long-pass-1", is_staff=True
    )
    client.force_login(staff)
    assert client.get("/sante/").status_code == 200
