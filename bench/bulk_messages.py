"""Benchmark of the agents' bulk messages (issue 22 point 8) at about 1 000 dossiers.

    .venv/bin/python bench/bulk_messages.py [--dossiers 2800]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bulk_messages.py

In a fresh database (a temporary SQLite file, or a new PostgreSQL database `bench_bulk_<N>` on the
server of DATABASE_URL, dropped afterwards): migrate, `seed_load --dossiers N --region HDF`, then
the open HDF dossiers (about 1 000 of 2 800) are turned into drafts without bank details, each organisation with one member.
Timed, logged in as an HDF agent: the page's preview (count of dossiers and people), then the whole
job (Celery in-process: one message in each thread, one outbox row and one e-mail per dossier),
with the number of SQL queries. Prints figures only; no assertion on time. In production the
e-mails leave at the throttled task's rate (outbox.tasks.BULK_RATE_LIMIT), not at this speed.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402


def _pg_admin(url: str, sql: str) -> None:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname=cfg["NAME"] or "postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"],
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def child(n: int) -> None:
    import uuid

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one log line per task: not what is measured
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from applications.enums import TERMINAL_STATES
    from applications.enums import DossierState as S
    from applications.models import Dossier
    from instruction.bulk_messages import audience_preview, bulk_message_create
    from instruction.models import BulkMessage, Message
    from organisations.models import Membership, Organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_load", dossiers=n, region="HDF", verbosity=0)
    # The open dossiers (one per organisation and scheme) become drafts without bank details:
    # benchmark data only, no transition to record.
    Dossier.objects.filter(scheme__region__code="HDF").exclude(state__in=TERMINAL_STATES).update(
        state=S.DRAFT, iban=""
    )
    drafts = Dossier.objects.filter(scheme__region__code="HDF", state=S.DRAFT)
    organisations = Organisation.objects.filter(dossiers__in=drafts).distinct()
    users = User.objects.bulk_create(
        User(email=f"membre-{o.pk}@exemple.fr", first_name="Membre") for o in organisations
    )
    Membership.objects.bulk_create(
        Membership(organisation=o, user=u) for o, u in zip(organisations, users, strict=True)
    )
    print(
        f"\n== {drafts.count():,} drafts on {connection.vendor}".replace(",", " ")
        + f" (setup {time.perf_counter() - started:.1f} s)"
    )
    agent = User.objects.get(email="charge-hdf-1@exemple.fr")

    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        preview = audience_preview(agent, "drafts_missing_bank_details")
        elapsed = time.perf_counter() - began
    print(
        f"preview: {preview['dossiers']} dossiers, {preview['people']} people — "
        f"{elapsed * 1000:.0f} ms, {len(queries)} queries"
    )

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        bulk = bulk_message_create(
            user=agent,
            audience="drafts_missing_bank_details",
            body="Bonjour, complétez vos coordonnées bancaires.",
            token=uuid.uuid4(),
        )
        elapsed = time.perf_counter() - began
    bulk = BulkMessage.objects.get(pk=bulk.pk)
    print(
        f"job: {bulk.sent}/{bulk.total} dossiers, {Message.objects.count()} thread messages, "
        f"{len(mail.outbox)} e-mails — {elapsed:.1f} s "
        f"({elapsed / max(bulk.sent, 1) * 1000:.1f} ms per dossier), "
        f"{len(queries)} queries ({len(queries) / max(bulk.sent, 1):.1f} per dossier)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=2800, help="seeded; about 1 000 are open")
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    (workdir / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "VAR_DIR": str(workdir),
        "ALLOWED_HOSTS": "testserver",
    }
    url = os.environ.get("DATABASE_URL")
    name = f"bench_bulk_{args.dossiers}"
    if url:
        _pg_admin(url, f"DROP DATABASE IF EXISTS {name}")
        _pg_admin(url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    try:
        command = [sys.executable, __file__, "--child", str(args.dossiers)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    finally:
        if url:
            _pg_admin(url, f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
