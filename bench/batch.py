"""Benchmark of the queue's batch operations at 1 000 dossiers (issue 22, point 4).

    .venv/bin/python bench/batch.py [--dossiers 1000] [--accept 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/batch.py

In a fresh database (a temporary SQLite file, or a new PostgreSQL database `bench_batch` on the
server of DATABASE_URL, dropped afterwards): migrate, one complete PDL-IN dossier filed through
the services, copied into N admissible dossiers of N organisations (with their expense lines and
an agent's review). Then, as the PDL agent, times with the number of SQL queries:

- the preview of a batch proposal (the engine's award of each dossier, recomputed);
- the batch proposal itself, one job (each dossier through `dossier_propose`: lock, transition,
  log, audit);
- a batch award of the first `--accept` proposed dossiers, the decision of each generated as a
  PDF in the same job (the slow part: WeasyPrint).

Celery runs eagerly (test settings): the job's time is the worker's time. Prints figures only.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))


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


def _copies(template, n: int, agent) -> list[int]:
    """N admissible copies of the filed template dossier, each with its own organisation."""
    from django.utils import timezone
    from stdnum import luhn

    from applications.enums import DossierState as S
    from applications.models import Dossier, ExpenseLine
    from instruction.models import Review
    from organisations.models import Organisation

    source_org = template.organisation
    organisations = []
    for i in range(n):
        body = f"9{i:012d}"
        org = Organisation(
            **{
                f.attname: getattr(source_org, f.attname)
                for f in Organisation._meta.concrete_fields
                if f.attname not in ("id",)
            }
        )
        org.siret = body + luhn.calc_check_digit(body)
        org.siren = org.siret[:9]
        org.name = f"Atelier de charge {i}"
        organisations.append(org)
    organisations = Organisation.objects.bulk_create(organisations, batch_size=500)
    skip = {"id", "number", "organisation_id", "state", "lock_version", "acknowledged_on"}
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Dossier._meta.concrete_fields
        if f.attname not in skip
    }
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                **fields,
                number=f"BENCH-{i:05d}",
                organisation_id=org.pk,
                state=S.ADMISSIBLE,
                acknowledged_on=timezone.localdate(),
            )
            for i, org in enumerate(organisations)
        ],
        batch_size=500,
    )
    lines = list(template.expenses.all())
    ExpenseLine.objects.bulk_create(
        [
            ExpenseLine(
                **{
                    f.attname: getattr(line, f.attname)
                    for f in ExpenseLine._meta.concrete_fields
                    if f.attname not in ("id", "dossier_id")
                },
                dossier_id=dossier.pk,
            )
            for dossier in dossiers
            for line in lines
        ],
        batch_size=1000,
    )
    Review.objects.bulk_create(
        [Review(dossier_id=d.pk, agent=agent, taken_at=timezone.now()) for d in dossiers],
        batch_size=1000,
    )
    return [d.pk for d in dossiers]


def child(n: int, accept: int) -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # one log line per task: figures only
    from django.core.management import call_command
    from django.db import connection

    from instruction import batch
    from instruction.models import BatchJob
    from portal.management.commands.seed_demo import Command as SeedDemo
    from schemes.models import BudgetEnvelope
    from tests.applications.factories import DossierFactory
    from tests.factories import RoleAssignmentFactory

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    BudgetEnvelope.objects.filter(scheme__code="PDL-IN").update(voted_amount=10**9)
    from applications.services import dossier_submit

    template = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = template.organisation.memberships.first().user
    template = dossier_submit(user=member, dossier=template, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    ids = _copies(template, n, agent)
    print(
        f"\n== {n} admissible PDL-IN dossiers on {connection.vendor} "
        f"(prepared in {time.perf_counter() - started:.1f} s)"
    )
    header = f"{'step':<44} {'total s':>8} {'ms/dossier':>10} {'queries':>8} {'q/dossier':>9}"
    print(header)
    print("-" * len(header))

    def timed(label, count, call):
        executed = [0]

        def counter(execute, sql, params, many, context):
            executed[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            began = time.perf_counter()
            result = call()
            spent = time.perf_counter() - began
        q = executed[0]
        print(f"{label:<44} {spent:>8.1f} {1000 * spent / count:>10.1f} {q:>8} {q / count:>9.1f}")
        return result

    rows = timed(
        "preview of a proposal (engine's award)",
        n,
        lambda: batch.batch_preview(user=agent, action="propose", ids=ids),
    )
    assert all(row["possible"] and row["award"] for row in rows), "preview incomplete"
    params = {"favourable": True, "comment": "Proposition par lot (banc d'essai)."}
    job = timed(
        "batch proposal (one job)",
        n,
        lambda: batch.batch_create(
            user=agent, action="propose", ids=ids, params=params, token="bench-propose"
        ),
    )
    job = BatchJob.objects.get(pk=job.pk)
    done = job.items.filter(outcome="done").count()
    print(f"   job {job.pk}: {job.status}, {job.processed}/{job.total} processed, {done} done")
    chosen = ids[:accept]
    job = timed(
        f"batch award of {len(chosen)}, decisions generated",
        len(chosen),
        lambda: batch.batch_create(
            user=agent, action="accept", ids=chosen, params={}, token="bench-accept"
        ),
    )
    job = BatchJob.objects.get(pk=job.pk)
    acts = job.items.exclude(act_reference="").count()
    failed = list(job.items.exclude(outcome="done").values_list("message", flat=True)[:3])
    print(
        f"   job {job.pk}: {job.status}, {acts} decisions generated; not done: {failed or 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--accept", type=int, default=1000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.dossiers, args.accept)
        return
    import subprocess

    workdir = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    (workdir / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "ALLOWED_HOSTS": "testserver",
    }
    url = os.environ.get("DATABASE_URL")
    if url:
        _pg_admin(url, "DROP DATABASE IF EXISTS bench_batch")
        _pg_admin(url, "CREATE DATABASE bench_batch")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/bench_batch"
    try:
        command = [sys.executable, __file__, "--child", "--dossiers", str(args.dossiers)]
        command += ["--accept", str(args.accept)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    finally:
        if url:
            _pg_admin(url, "DROP DATABASE IF EXISTS bench_batch")


if __name__ == "__main__":
    main()
