"""Benchmark of a rule draft's impact preview (issue 18) at 10 000 and 100 000 dossiers.

    .venv/bin/python bench/impact.py [--sizes 10000 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/impact.py

For each size, in a fresh database (a temporary SQLite file, or a new PostgreSQL database
`bench_impact_<N>` on the server of DATABASE_URL, dropped afterwards unless --keep): migrate,
`seed_load --dossiers N --region PDL` (every dossier on PDL-IN), one expense line per dossier
(random category and amount), then a draft of PDL-IN with a rate of 40 % valid from the earliest
filing date, so that every undecided dossier is in its validity. Times `compute_impact` (what the
Celery job runs: situations read in batches, each simulated under the rules in force and under the
draft; the twelve-month what-if too) and prints dossiers simulated, seconds and dossiers per
second. Target (issue 18): under 60 s at 100 000 dossiers on the 2-core machines. Prints figures
only; no assertion on time.
"""

import sys
from pathlib import Path

# bench/queue.py would shadow the standard `queue` module: take bench/ off the path first.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
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


def run_size(n: int, keep: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-impact-{n}-"))
    (workdir / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "VAR_DIR": str(workdir),
        "ALLOWED_HOSTS": "testserver",
    }
    url = os.environ.get("DATABASE_URL")
    name = f"bench_impact_{n}"
    if url:
        _pg_admin(url, f"DROP DATABASE IF EXISTS {name}")
        _pg_admin(url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    try:
        subprocess.run([sys.executable, __file__, "--child", str(n)], cwd=ROOT, env=env, check=True)
    finally:
        if url and not keep:
            _pg_admin(url, f"DROP DATABASE IF EXISTS {name}")


def child(n: int) -> None:
    import django

    django.setup()
    import json
    from datetime import date
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Min

    from accounts.models import User
    from applications.models import Dossier, ExpenseLine
    from governance import services
    from governance.impact import compute_impact, count_targets
    from organisations.models import Organisation
    from schemes.models import Scheme

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    call_command("seed_load", dossiers=n, region="PDL", verbosity=0)
    rng = random.Random(0)
    categories = ["erp", "crm", "ecommerce_site", "cloud", "data", "hardware"]
    lines = [
        ExpenseLine(
            dossier_id=pk,
            category=rng.choice(categories),
            amount=Decimal(rng.randrange(2_000, 60_000)),
        )
        for pk in Dossier.objects.values_list("pk", flat=True)
    ]
    ExpenseLine.objects.bulk_create(lines, batch_size=5000)
    # Eligible applicants (as the PDL-IN FAQ's examples), so that the rate change shows.
    Organisation.objects.update(
        kind="company", legal_form="SAS", naf="25.62B", created_on=date(2015, 1, 1), headcount=12
    )
    Dossier.objects.update(
        answers={
            "turnover": "1500000",
            "registered_rcs": True,
            "tax_social_up_to_date": True,
            "market_activity_share": "1",
            "region_share": "1",
        }
    )
    seeded = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    scheme = Scheme.objects.get(code="PDL-IN")
    author = User.objects.create_user("bench-impact@exemple.fr")
    first = Dossier.objects.aggregate(first=Min("filed_on"))["first"]
    today = date.today()
    draft = services.draft_create(user=author, scheme=scheme, today=today)
    params = json.loads(json.dumps(draft.parameters))
    params["rate"]["value"] = "0.40"
    params["rate"]["source"] = {"document": "Délibération (banc d'essai)", "passage": "article 2"}
    draft = services.draft_save(
        user=author,
        version=draft,
        label="Banc d'essai : taux de 40 %",
        valid_from=first,
        valid_to=None,
        is_demo=False,
        parameters=params,
        reasons={"rate": "banc d'essai"},
    )
    targets = count_targets(draft, today)
    print(
        f"\n== {n:,} dossiers on {connection.vendor}".replace(",", " ")
        + f" (migrate {migrated - started:.1f} s, seed {seeded - migrated:.1f} s);"
        + f" {targets:,} dossier situations to re-simulate (undecided + last 12 months)".replace(
            ",", " "
        )
    )
    begun = time.perf_counter()
    done = [0]
    result = compute_impact(draft, today=today, progress=lambda k: done.__setitem__(0, done[0] + k))
    elapsed = time.perf_counter() - begun
    pending = result["pending"]
    print(
        f"impact: {done[0]:,} situations (each simulated twice) in {elapsed:.1f} s, ".replace(
            ",", " "
        )
        + f"{done[0] / elapsed:,.0f} dossiers/s".replace(",", " ")
    )
    print(
        f"undecided in validity: {pending['dossiers']}, down {pending['down']}, "
        f"up {pending['up']}, change {pending['change']} €"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    for n in args.sizes:
        run_size(n, args.keep)


if __name__ == "__main__":
    main()
