"""Two-node check (`make cluster-check`): the portal on two machines that share only PostgreSQL,
Redis and an S3 object store.

Starts, with the production settings: two gunicorn nodes on two ports (each with its own empty
local folders, so nothing can be shared through the disk), one Celery worker, two Celery beats,
and an S3 protocol server (`moto_server`, unless CLUSTER_S3_ENDPOINT_URL names one), on a new
PostgreSQL database (dropped at the end) and a Redis database (CLUSTER_REDIS_URL,
redis://127.0.0.1:6379/12 by default). Then drives a journey that alternates the nodes:

* the applicant logs in on node A and continues on node B;
* uploads the dossier's documents on A, downloads each on B (and compares the bytes);
* submits the dossier on B; the worker writes the receipt PDF, downloaded on A;
* the agent logs in (password + TOTP) on B and continues on A; takes the dossier on A, declares
  it complete on B; opens every document on A; the worker writes the acknowledgment, downloaded
  on B.

It ends with one line:
    cluster: <N> requests on 2 nodes, <E> errors, <L> files lost, <S> schedulers active
and exits 0 only with 0 errors, 0 files lost and exactly 1 scheduler active (the beat probe:
BEAT_PROBE_SECONDS; the second beat waits for the Redis lock).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("aides_smoke", ROOT / "scripts" / "smoke.py")
smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(smoke)

APPLICANT = smoke.APPLICANT  # demandeur.hdf, member of the ESS association's INESS draft
AGENT = smoke.AGENT
DRAFT_SIRET = "82345678500018"  # seed_demo's INESS draft (ATELIER SOLIDAIRE DE PICARDIE)
PROBE = "Sending due task beat-probe"
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)
PREPARE = f"""
from applications import services
from applications.models import Dossier
dossier = Dossier.objects.get(organisation__siret={DRAFT_SIRET!r}, scheme__code="INESS")
user = dossier.organisation.memberships.first().user
services.dossier_set_bank_details(
    user=user, dossier=dossier, iban="FR7630006000011234567890189", bic="AGRIFRPPXXX",
    holder=dossier.organisation.name,
)
print("DOSSIER", dossier.pk)
"""


class Tally:
    requests = 0
    nodes: set[int] = set()
    errors: list[str] = []
    lost: list[str] = []


class NodeClient(smoke.Client):
    """One person's browser: one cookie jar, sent to either node."""

    def on(self, port: int) -> NodeClient:
        self.port, self.origin = port, f"https://127.0.0.1:{port}"
        return self

    def request(self, method, path, *, https=True, body=None, headers=None):
        Tally.requests += 1
        Tally.nodes.add(self.port)
        try:
            status, response_headers, content = super().request(
                method, path, https=https, body=body, headers=headers
            )
        except OSError as exc:
            Tally.errors.append(f"{method} {path} on :{self.port}: {exc}")
            raise smoke.SmokeFailure(str(exc)) from exc
        if status >= 500:
            Tally.errors.append(f"{method} {path} on :{self.port}: {status}")
        return status, response_headers, content

    def upload(self, path: str, fields: list[tuple[str, str]], file_field: str, name: str, data):
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            body=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.origin + path,
            },
        )


def expect(condition: bool, message: str, detail: str = "") -> None:
    if condition:
        smoke.passed(message)
    else:
        Tally.errors.append(message)
        raise smoke.SmokeFailure(f"{message}\n{detail[:2000]}")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(client: NodeClient, path: str, processes, what: str, *, timeout=120) -> bytes:
    """A file, once it can be served (the worker's scan or PDF may still be under way)."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, body = client.get(path)
        if status == 200 and not headers.get("Content-Type", "").startswith("text/html"):
            return body
        if status not in (403, 404, 302) or time.monotonic() > deadline:
            Tally.lost.append(f"{what}: {path} on :{client.port} answered {status}")
            return b""
        for process in processes:
            process.assert_running()
        time.sleep(1)


def log_in_applicant(client: NodeClient, a: int, b: int) -> None:
    smoke.log_in(client.on(a), APPLICANT)
    status, headers, body = client.on(b).get("/dossiers/")
    expect(
        status == 200 and 'name="password"' not in body.decode("utf-8", "replace"),
        f"the applicant logged in on node :{a} continues on node :{b}",
        f"status {status}, Location {headers.get('Location')!r}",
    )


def upload_documents(client: NodeClient, pk: int, a: int) -> dict[str, str]:
    """Every required document uploaded on node A; returns {document code: sha256}."""
    path = f"/dossiers/{pk}/pieces/"
    html = client.on(a).page(path)
    form = smoke.find_form(html, "document_code")
    codes = [value for value, _, _ in form.field("document_code").options if value]
    sent = {}
    for code in codes:
        form = smoke.find_form(client.page(path), "document_code")
        data = PDF_BYTES.replace(b"%%EOF", f"% {code} {secrets.token_hex(8)}\n%%EOF".encode())
        status, headers, body = client.upload(
            form.action or path,
            form.fill({"document_code": code}),
            "file",
            f"{code}.pdf",
            data,
        )
        expect(
            status == 302,
            f"document « {code} » uploaded on node :{a}",
            f"status {status}: {smoke.form_errors(body.decode('utf-8', 'replace'))}",
        )
        sent[code] = sha(data)
    return sent


def download_documents(client: NodeClient, pk: int, b: int, sent: dict, processes) -> None:
    def listed():
        # With CLAMAV_REQUIRED, a document is linked once the worker (reading it from S3) found
        # it clean.
        html = client.on(b).page(f"/dossiers/{pk}/pieces/")
        links = dict.fromkeys(re.findall(rf'href="(/dossiers/{pk}/pieces/\d+/)"', html))
        return links if len(links) == len(sent) else None

    links = smoke.wait_until(listed, 120, processes, "the documents' antivirus scans")
    expect(len(links) == len(sent), f"node :{b} lists the {len(sent)} documents uploaded on A")
    received = set()
    for link in links:
        received.add(sha(download(client, link, processes, "document uploaded on A")))
    missing = set(sent.values()) - received
    Tally.lost += [
        f"document {code} not served by :{b}" for code, h in sent.items() if h in missing
    ]
    expect(not missing, f"every document uploaded on A is downloaded intact from node :{b}")


def submit(client: NodeClient, pk: int, b: int) -> None:
    path = f"/dossiers/{pk}/recapitulatif/"
    html = client.on(b).page(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    expect('name="sworn"' in html, f"the summary on node :{b} asks for the sworn statement")
    status, headers, body = client.post(
        f"/dossiers/{pk}/deposer/", [("csrfmiddlewaretoken", token), ("sworn", "on")], referer=path
    )
    expect(
        status == 302,
        f"the dossier is submitted on node :{b}",
        f"status {status}: {smoke.form_errors(body.decode('utf-8', 'replace'))}",
    )
    html = client.page(f"/dossiers/{pk}/")
    expect("Déposé" in html or "déposé" in html, f"node :{b} shows the dossier as submitted")


def log_in_agent(client: NodeClient, b: int, a: int) -> None:
    smoke.log_in(client.on(b), AGENT)
    status, headers, _ = client.get("/instruction/")
    path = headers.get("Location", "").removeprefix(client.origin)
    form = smoke.find_form(client.page(path), "token")
    status, headers, body = client.post(
        form.action or path, form.fill({"token": smoke.totp(smoke.DEMO_TOTP_KEY)}), referer=path
    )
    expect(status == 302, f"the agent logs in with password and TOTP on node :{b}")
    html = client.on(a).page("/instruction/")
    expect("Instruction" in html, f"the agent continues on node :{a} (queue)")


def act(client: NodeClient, pk: int, port: int, action: str, fields: dict, what: str) -> None:
    review = f"/instruction/dossiers/{pk}/"
    html = client.on(port).page(review)
    path = f"/instruction/dossiers/{pk}/action/{action}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    version = re.search(r'name="version" value="(\d+)"', html)
    data = [("csrfmiddlewaretoken", token), *fields.items()]
    if version:
        data.append(("version", version.group(1)))
    status, headers, body = client.post(path, data, referer=review)
    expect(
        status == 302 and "/connexion" not in headers.get("Location", ""),
        f"{what} on node :{port}",
        f"status {status}: {smoke.form_errors(body.decode('utf-8', 'replace'))}",
    )


def instruct(client: NodeClient, pk: int, a: int, b: int, sent: dict, processes) -> None:
    act(client, pk, a, "take", {}, "the agent takes the dossier")
    act(client, pk, b, "admissible", {"on": date.today().isoformat()}, "declares it complete")
    html = client.on(a).page(f"/instruction/dossiers/{pk}/")
    links = dict.fromkeys(re.findall(rf'href="(/instruction/dossiers/{pk}/pieces/\d+/)"', html))
    received = {sha(download(client, link, processes, "document for the agent")) for link in links}
    missing = set(sent.values()) - received
    Tally.lost += [
        f"document {code} not opened by the agent" for code, h in sent.items() if h in missing
    ]
    expect(not missing, f"the agent opens every document on node :{a}")

    def acknowledgment():
        page = client.on(b).page(f"/instruction/dossiers/{pk}/")
        if "Complet et recevable" not in page:
            return None
        # « Accusé de réception <reference> » in the official documents, once generated.
        found = re.search(
            rf'href="(/instruction/dossiers/{pk}/documents/\d+/)">Accusé de réception', page
        )
        if found:
            status, headers, body = client.get(found.group(1))
            if status == 200:
                return body
        return None

    body = smoke.wait_until(acknowledgment, 120, processes, "the worker's acknowledgment")
    expect(
        body.startswith(b"%PDF-"),
        f"node :{b} shows the dossier complete and its acknowledgment written by the worker",
    )


def receipt(client: NodeClient, pk: int, a: int, processes) -> None:
    body = download(client.on(a), f"/dossiers/{pk}/recepisse/", processes, "receipt PDF")
    expect(body.startswith(b"%PDF-"), f"the receipt PDF written by the worker, on node :{a}")


def create_database(admin_url: str, name: str, *, drop: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def start_s3(work: Path) -> tuple[str, subprocess.Popen | None]:
    endpoint = os.environ.get("CLUSTER_S3_ENDPOINT_URL", "")
    if endpoint:
        return endpoint, None
    port = smoke.free_port()
    moto = Path(sys.executable).with_name("moto_server")
    log = (work / "moto.log").open("wb")
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(120):
        try:
            urllib.request.urlopen(endpoint, timeout=2)
            return endpoint, process
        except OSError:
            time.sleep(0.5)
    raise smoke.SmokeFailure("moto_server did not start")


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="aides-cluster-"))
    admin_url = os.environ.get(
        "CLUSTER_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    database = f"aides_cluster_{os.getpid()}"
    redis_url = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/12")
    processes: list[smoke.Process] = []
    moto = None
    beats: list[smoke.Process] = []
    status = 1
    try:
        endpoint, moto = start_s3(work)
        create_database(admin_url, database)
        a, b = smoke.free_port(), smoke.free_port()
        os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + f"/{database}"
        os.environ["REDIS_URL"] = redis_url
        base = smoke.build_env(work, a)
        tag = f"aides_cluster_{os.getpid()}"
        base.update(
            {
                "DATABASE_URL": admin_url.rsplit("/", 1)[0] + f"/{database}",
                "REDIS_URL": redis_url,
                "CACHE_PREFIX": tag,
                "CELERY_QUEUE": tag,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{a},https://127.0.0.1:{b}",
                "S3_BUCKET": "aides-cluster",
                "S3_ENDPOINT_URL": endpoint,
                "S3_REGION": "us-east-1",
                "S3_ADDRESSING_STYLE": "path",
                "S3_ACCESS_KEY_ID": "cluster",
                "S3_SECRET_ACCESS_KEY": "cluster-secret",
                "BEAT_PROBE_SECONDS": "2",
                "BEAT_MAX_LOOP_INTERVAL": "1",
                "REDBEAT_LOCK_TIMEOUT": "10",
                "LOG_FORMAT": "text",
            }
        )

        def node_env(name: str) -> dict[str, str]:
            """Each process gets its own empty local folders: files can only go through S3."""
            env = dict(base)
            for key, folder in (("PRIVATE_MEDIA_ROOT", "private"), ("VAR_DIR", "var")):
                (work / name / folder).mkdir(parents=True)
                env[key] = str(work / name / folder)
            return env

        setup = node_env("setup")
        print(f"== Cluster check: nodes :{a} and :{b}, S3 {endpoint}, database {database}")
        smoke.manage(setup, "migrate", "--noinput")
        smoke.manage(setup, "collectstatic", "--noinput")
        smoke.manage(setup, "storage_check", "--create-bucket")
        smoke.manage(setup, "seed_demo", "--url", f"https://127.0.0.1:{a}/")
        pk = int(re.search(r"DOSSIER (\d+)", smoke.manage(setup, "shell", "-c", PREPARE)).group(1))
        gunicorn = Path(sys.executable).with_name("gunicorn")
        celery = Path(sys.executable).with_name("celery")
        for name, port in (("web-a", a), ("web-b", b)):
            command = [str(gunicorn), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
                       "--workers", "2", "--preload"]  # fmt: skip
            processes.append(smoke.Process(name, command, node_env(name), work / f"{name}.log"))
        worker = smoke.Process(
            "worker",
            [str(celery), "-A", "portal", "worker", "-l", "info", "-Q", tag, "--concurrency", "2"],
            node_env("worker"),
            work / "worker.log",
        )
        processes.append(worker)
        for name in ("beat-1", "beat-2"):
            beat = smoke.Process(
                name, [str(celery), "-A", "portal", "beat", "-l", "info"], node_env(name),
                work / f"{name}.log",
            )  # fmt: skip
            beats.append(beat)
            processes.append(beat)
        for port in (a, b):
            probe = smoke.Client(port)
            smoke.wait_until(lambda p=probe: smoke.web_is_up(p), 90, processes, f"node :{port}")
        smoke.wait_until(lambda: " ready." in worker.text(), 90, processes, "the worker")
        smoke.passed("two nodes, a worker and two beats are up")

        applicant = NodeClient(a)
        log_in_applicant(applicant, a, b)
        sent = upload_documents(applicant, pk, a)
        download_documents(applicant, pk, b, sent, processes)
        submit(applicant, pk, b)
        receipt(applicant, pk, a, processes)
        agent = NodeClient(b)
        log_in_agent(agent, b, a)
        instruct(agent, pk, a, b, sent, processes)
        time.sleep(5)  # a few more beat ticks, both beats running
        for process in processes:
            process.assert_running()
        local = [p for p in work.glob("web-*/private/**/*") if p.is_file()]
        local += [p for p in work.glob("worker/private/**/*") if p.is_file()]
        if local:
            Tally.lost.append(f"files written to a local folder instead of S3: {local[:5]}")
        status = 0
    except (smoke.SmokeFailure, subprocess.TimeoutExpired, AttributeError) as failure:
        print(f"FAIL {failure}", flush=True)
        if not Tally.errors:
            Tally.errors.append(str(failure))
        for process in processes:
            # The probe's own lines (every 2 s) left out: what went wrong stays readable.
            lines = [line for line in process.text().splitlines() if "relay_pending" not in line]
            print(f"\n----- {process.name} log (last lines) -----", flush=True)
            print("\n".join(lines[-80:]), flush=True)
    finally:
        active = sum(1 for beat in beats if PROBE in beat.text())
        for process in processes:
            process.stop()
        if moto is not None:
            os.killpg(moto.pid, signal.SIGTERM)
            moto.wait(20)
        try:
            create_database(admin_url, database, drop=True)
        except Exception as exc:  # noqa: BLE001
            print(f"(database {database} not dropped: {exc})")
        try:
            import redis

            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"*aides_cluster_{os.getpid()}*"):
                client.delete(key)
            client.delete(f"aides_cluster_{os.getpid()}")
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(work, ignore_errors=True)
    for line in Tally.errors + Tally.lost:
        print(f"  - {line}")
    print(
        f"cluster: {Tally.requests} requests on {len(Tally.nodes)} nodes, {len(Tally.errors)} "
        f"errors, {len(Tally.lost)} files lost, {active} schedulers active",
        flush=True,
    )
    if status or Tally.errors or Tally.lost or active != 1 or len(Tally.nodes) != 2:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
