"""Health probes for the orchestrator and the monitoring, without login, in JSON.

* `/sante/` (liveness): the process answers; nothing else is touched, so that a database outage
  does not get every web container restarted.
* `/sante/pret/` (readiness): the database, the cache, the Celery broker, the private file store
  and, when attachments must be scanned (CLAMAV_REQUIRED), the ClamAV daemon. 200 when all
  answer, 503 otherwise.

The answers name each check and say « ok » or « en panne », nothing more: no exception text, host
name, path or version (the details go to the logs, with the request id).
"""

import logging
import socket
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "en panne"
BROKER_TIMEOUT = 3
CLAMAV_TIMEOUT = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not answer 1")


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not give back what was stored")
    finally:
        cache.delete(key)


def check_broker() -> None:
    from portal.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)


def file_storage():
    """The private file store (attachments, generated documents)."""
    return default_storage


def check_file_storage() -> None:
    storage = file_storage()
    name = storage.save(f"sante/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with storage.open(name) as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the file store did not give back what was written")
    finally:
        storage.delete(name)


def check_clamav() -> None:
    address = settings.CLAMAV_ADDRESS
    if not address:
        raise RuntimeError("CLAMAV_REQUIRED is on but CLAMAV_ADDRESS is empty")
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CLAMAV_TIMEOUT)
        sock.connect(address)
    else:
        host, _, port = address.rpartition(":")
        sock = socket.create_connection((host, int(port)), timeout=CLAMAV_TIMEOUT)
    with sock:
        sock.sendall(b"zPING\0")
        if not sock.recv(16).startswith(b"PONG"):
            raise RuntimeError("clamd did not answer PONG")


def readiness_checks() -> dict:
    checks = {
        "base_de_donnees": check_database,
        "cache": check_cache,
        "file_de_taches": check_broker,
        "fichiers": check_file_storage,
    }
    if settings.CLAMAV_REQUIRED:
        checks["antivirus"] = check_clamav
    return checks


@never_cache
@require_safe
def liveness(request):
    return JsonResponse({"statut": OK})


@never_cache
@require_safe
def readiness(request):
    results = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check %s failed", name)
            results[name] = DOWN
        else:
            results[name] = OK
    ready = all(value == OK for value in results.values())
    return JsonResponse(
        {"statut": OK if ready else DOWN, "verifications": results},
        status=200 if ready else 503,
    )
