"""Signed anchors of the audit chain: a lost tail, a rewritten tail, a forged anchor are reported."""

import base64
import datetime
import hashlib
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import anchors, timestamping
from audit.checks import audit_signing_key_check
from audit.models import AuditEvent
from audit.services import audit_record
from audit.tasks import anchor_audit_trail

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def verify(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def anchor() -> str:
    out = StringIO()
    call_command("anchor_audit", stdout=out)
    return out.getvalue()


def record(n: int) -> list[AuditEvent]:
    return [audit_record(actor=None, action="scan_done", data={"i": i}) for i in range(n)]


def delete_as_superuser(ids: list[int]) -> None:
    """What someone with database access can do: bypass the append-only trigger and delete."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off (superuser)
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id IN ({placeholders})", ids)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def anchor_lines() -> list[str]:
    return anchors.anchor_path().read_text().splitlines()


def test_deleting_the_last_rows_after_an_anchor_is_reported_with_what_is_missing():
    events = record(5)
    anchor()
    assert verify()[0] == 0
    delete_as_superuser([events[3].pk, events[4].pk])
    code, out, err = verify()
    assert code == 1 and out == ""
    assert f"il manque 2 entrées après l'entrée n° {events[2].pk}" in err
    signed_on = timezone.localtime().strftime("%d/%m/%Y")
    assert f"la dernière ancre signée du {signed_on} à " in err
    assert f"couvrait 5 entrées (dernière entrée n° {events[4].pk})" in err


def test_emptying_the_whole_journal_after_an_anchor_is_reported():
    events = record(2)
    anchor()
    delete_as_superuser([e.pk for e in events])
    code, _, err = verify()
    assert code == 1
    assert "il manque 2 entrées (le journal est vide)" in err


def test_a_tail_deleted_then_refilled_is_reported_as_rewritten():
    events = record(4)
    anchor()
    delete_as_superuser([events[2].pk, events[3].pk])
    record(3)  # the chain is intact again and longer than the anchor
    code, _, err = verify()
    assert code == 1
    assert "Journal réécrit : l'entrée en position 4" in err
    assert f"(entrée n° {events[3].pk}, empreinte {events[3].hash[:12]}…)" in err


def test_rows_added_after_the_anchor_are_fine():
    record(2)
    anchor()
    record(3)
    code, out, err = verify()
    assert (code, err) == (0, "")
    assert "5 événements vérifiés ; la dernière ancre signée du" in out
    assert "(2 entrées) est respectée" in out


@on_postgresql
def test_truncate_is_refused_on_postgresql():
    record(2)
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_a_tampered_anchor_line_fails_the_signature_check():
    record(3)
    anchor()
    path = anchors.anchor_path()
    fields = json.loads(path.read_text())
    fields["count"] = 2  # someone lowers the count to hide a deleted row
    path.write_text(json.dumps(fields) + "\n")
    code, _, err = verify()
    assert code == 1
    assert "Ancres signées invalides : La signature de l'ancre n° 1 (ligne 1 de" in err
    assert "est invalide" in err


def test_an_anchor_signed_with_another_key_is_refused(settings):
    record(1)
    anchor()
    other = Ed25519PrivateKey.generate()
    raw = other.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.AUDIT_SIGNING_KEY = base64.b64encode(raw).decode()
    code, _, err = verify()
    assert code == 1
    assert "a été signée par une autre clé" in err


def test_anchor_lines_are_appended_and_each_carries_the_previous_line_hash():
    record(1)
    anchor()
    record(1)
    output = anchor()
    assert output.startswith("Ancre n° 2 ajoutée à ")
    assert "2 entrées" in output
    first, second = anchor_lines()
    assert json.loads(first)["prev"] == ""
    assert json.loads(second)["prev"] == hashlib.sha256(first.encode()).hexdigest()
    assert json.loads(second)["count"] == 2


def test_a_line_removed_from_the_middle_of_the_anchor_file_is_reported():
    for _ in range(3):
        record(1)
        anchor()
    lines = anchor_lines()
    anchors.anchor_path().write_text(lines[0] + "\n" + lines[2] + "\n")
    code, _, err = verify()
    assert code == 1
    assert "L'ancre n° 2 (ligne 2 de" in err and "ne suit pas la ligne qui la précède" in err


def test_require_anchor_fails_without_one():
    record(1)
    code, _, err = verify("--require-anchor")
    assert code == 1
    assert "Aucune ancre signée dans" in err


def test_key_from_the_environment_in_base64_or_pem_file(settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    fingerprint = anchors.key_fingerprint(key.public_key())
    settings.AUDIT_SIGNING_KEY = base64.b64encode(raw).decode()
    anchor()
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = str(pem)
    anchor()
    assert {json.loads(line)["key"] for line in anchor_lines()} == {fingerprint}
    assert verify()[0] == 0


def test_a_malformed_key_is_a_clear_error(settings):
    settings.AUDIT_SIGNING_KEY = "pas une clé"
    with pytest.raises(CommandError, match="ne contient pas une clé Ed25519 privée lisible"):
        anchor()


def test_production_without_a_key_refuses_to_anchor_and_warns(settings):
    settings.AUDIT_SIGNING_KEY_AUTOGENERATE = False  # DEBUG off, no key: production
    record(1)
    with pytest.raises(CommandError, match="Aucune clé de signature du journal d'audit"):
        anchor()
    with pytest.raises(anchors.AnchorKeyMissing):
        anchor_audit_trail.delay()
    assert not anchors.anchor_path().exists()  # nothing unsigned was written
    assert [w.id for w in audit_signing_key_check(None)] == ["audit.W001"]
    settings.AUDIT_SIGNING_KEY_FILE = "/nonexistent/key.pem"
    assert [w.id for w in audit_signing_key_check(None)] == ["audit.W002"]


def test_the_beat_schedule_anchors_the_chain_at_least_daily():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == anchor_audit_trail.name
    ]
    assert len(entries) == 1
    now = timezone.now()
    assert entries[0]["schedule"].remaining_estimate(now) <= datetime.timedelta(days=1)
    record(2)
    assert anchor_audit_trail.delay().get() == 2  # the task the beat sends writes an anchor
    assert json.loads(anchor_lines()[-1])["count"] == 2


# --- RFC 3161 time-stamps and the public key alone ----------------------------------------------


def der(tag: int, value: bytes) -> bytes:
    assert len(value) < 128
    return bytes([tag, len(value)]) + value


FAKE_TOKEN = der(0x30, der(0x06, b"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02") + der(0x04, b"jeton"))


@pytest.fixture
def tsa(settings):
    """A local time-stamp authority answering `status` (0 = granted) and recording requests."""
    received = []
    answer = {"status": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Content-Type"], body))
            status = der(0x30, der(0x02, bytes([answer["status"]])))
            reply = der(0x30, status + (FAKE_TOKEN if answer["status"] == 0 else b""))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AUDIT_TSA_URL = f"http://127.0.0.1:{server.server_port}/tsa"
    yield received, answer
    server.shutdown()
    server.server_close()


def test_anchors_are_time_stamped_when_a_tsa_is_configured(tsa):
    received, _ = tsa
    record(2)
    anchor()
    fields = json.loads(anchor_lines()[0])
    assert base64.b64decode(fields["tsa"]) == FAKE_TOKEN
    content_type, body = received[0]
    assert content_type == "application/timestamp-query"
    assert bytes.fromhex(fields["tsa_sha256"]) in body  # the digest of the signed line
    unstamped = {k: v for k, v in fields.items() if k not in ("tsa", "tsa_sha256")}
    text = json.dumps(unstamped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == fields["tsa_sha256"]
    assert verify()[0] == 0


def test_a_refusing_tsa_never_costs_the_anchor(tsa, caplog):
    _, answer = tsa
    answer["status"] = 2  # rejection
    record(1)
    anchor()
    fields = json.loads(anchor_lines()[0])
    assert "tsa" not in fields and fields["count"] == 1
    assert "without an RFC 3161 time-stamp" in caplog.text
    assert verify()[0] == 0


def test_a_time_stamped_line_changed_afterwards_is_reported(tsa):
    record(1)
    anchor()
    path = anchors.anchor_path()
    fields = json.loads(path.read_text())
    fields["at"] = "2020-01-01T00:00:00+00:00"  # back-dated
    path.write_text(json.dumps(fields) + "\n")
    code, _, err = verify()
    assert code == 1
    assert "L'horodatage RFC 3161 de l'ancre n° 1" in err


def test_the_public_key_alone_checks_the_anchors(settings):
    record(1)
    anchor()
    public = anchors.signing_key().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    settings.AUDIT_VERIFY_KEY = base64.b64encode(raw).decode()
    settings.AUDIT_SIGNING_KEY_AUTOGENERATE = False  # no private key where the check runs
    assert verify()[0] == 0
    settings.AUDIT_VERIFY_KEY = base64.b64encode(b"\x01" * 32).decode()  # someone else's key
    code, _, err = verify()
    assert code == 1 and "a été signée par une autre clé" in err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_time_stamp_request_is_read_by_openssl(tmp_path):
    digest = hashlib.sha256(b"ancre").digest()
    request = tmp_path / "request.tsq"
    request.write_bytes(timestamping.timestamp_request(digest, 2**62 + 12345))
    shown = subprocess.run(
        ["openssl", "ts", "-query", "-in", str(request), "-text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Hash Algorithm: sha256" in shown and "Certificate required: yes" in shown
    assert "Nonce: 0x4000000000003039" in shown


def test_every_beat_task_is_known_to_the_worker():
    """The beat sends task names: a worker that does not know one would drop it (anchoring too)."""
    from portal.celery import app

    app.loader.import_default_modules()  # what `celery worker` does at start-up
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"audit.tasks.anchor_audit_trail", "applications.scanning.rescan_unscanned"} <= scheduled
    assert scheduled - set(app.tasks) == set()
