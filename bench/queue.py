"""Benchmark of the agents' queue at 10 000 and 100 000 dossiers.

    .venv/bin/python bench/queue.py [--sizes 10000 100000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/queue.py

For each size, in a fresh database (a temporary SQLite file, or a new PostgreSQL database
`bench_queue_<N>` on the server of DATABASE_URL, dropped afterwards unless --keep): migrate,
`seed_load --dossiers N`, then time with the test client, logged in as an HDF agent, the queue's
first page, a filtered page (scheme + state) and a search (a name), as the median of several runs,
with the number of SQL queries: "cold" with the cache emptied before each run (the tab counters
computed), "cached" as an agent reloading the page sees it (the counters read from the cache).
Next to it: the bare SQL of the same listing (the counters and page queries the queue ran,
re-executed with a cursor) and the Django admin change list of
applications.Dossier over the same dossiers. Prints figures only; no assertion on time.
"""

import sys
from pathlib import Path

# This file is bench/queue.py: its folder must leave sys.path, or it would shadow the standard
# library's `queue` (used by concurrent.futures, hence by Django).
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
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


def run_size(n: int, runs: int, keep: bool) -> None:
    """Run one size in a child process: Django's settings are read once per process."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-queue-{n}-"))
    (workdir / "static").mkdir()  # WhiteNoise warns when STATIC_ROOT is missing
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "VAR_DIR": str(workdir),
        "ALLOWED_HOSTS": "testserver",
    }
    url = os.environ.get("DATABASE_URL")
    if url:
        name = f"bench_queue_{n}"
        _pg_admin(url, f"DROP DATABASE IF EXISTS {name}")
        _pg_admin(url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    try:
        command = [sys.executable, __file__, "--child", str(n), "--runs", str(runs)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    finally:
        if url and not keep:
            _pg_admin(url, f"DROP DATABASE IF EXISTS bench_queue_{n}")


def _median_ms(call, runs: int) -> float:
    call()  # warm-up: caches, compiled templates
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def child(n: int, runs: int) -> None:
    import django

    django.setup()
    # The lead has no ModelAdmin for Dossier yet: register a minimal one here, at runtime, before
    # the URLconf is first loaded (admin.site.urls is built then). Benchmark only.
    from django.contrib import admin

    from applications.models import Dossier

    if not admin.site.is_registered(Dossier):

        @admin.register(Dossier)
        class BenchDossierAdmin(admin.ModelAdmin):
            list_display = ["number", "organisation", "scheme", "state", "submitted_at"]
            list_filter = ["scheme", "state"]
            list_select_related = ["organisation", "scheme"]
            search_fields = ["number", "organisation__name"]

    from urllib.parse import urlencode

    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from instruction.queue import Scope, queue_page

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    call_command("seed_load", dossiers=n, verbosity=0)
    seeded = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"\n== {n:,} dossiers on {connection.vendor}".replace(",", " ")
        + f" (migrate {migrated - started:.1f} s, seed_load {seeded - migrated:.1f} s)"
    )

    agent = User.objects.get(email="charge-hdf-1@exemple.fr")
    superuser = User.objects.create_superuser(email="bench-admin@exemple.fr", password=None)
    inac = Dossier.objects.filter(scheme__code="INAC").values_list("scheme_id", flat=True)[0]
    name_word = (
        Dossier.objects.filter(scheme__code="INAC")
        .values_list("organisation__name", flat=True)
        .first()
        .split()[1]
    )
    cases = [
        ("first page (tab Tous)", {"tab": "all"}, {}),
        (
            "filtered (scheme + state)",
            {"tab": "all", "scheme": "INAC", "state": "in_instruction"},
            {"scheme__id__exact": inac, "state__exact": "in_instruction"},
        ),
        (f"search «{name_word}»", {"tab": "all", "q": name_word}, {"q": name_word}),
    ]
    queue_client, admin_client = Client(), Client()
    queue_client.force_login(agent)
    admin_client.force_login(superuser)

    header = (
        f"{'case':<28} {'cold ms':>9} {'cached ms':>9} {'queries':>7} {'rows':>7} {'bare SQL ms':>11} "
        f"{'queue/bare':>10} {'admin ms':>9} {'adm. q.':>7} {'admin/queue':>11}"
    )
    print(header)
    print("-" * len(header))
    for label, params, admin_params in cases:

        def get_queue(params=params):
            response = queue_client.get("/instruction/", params)
            assert response.status_code == 200, response.status_code
            return response

        def get_admin(admin_params=admin_params):
            response = admin_client.get("/admin/applications/dossier/", admin_params)
            assert response.status_code == 200, response.status_code
            return response

        def get_queue_cold(params=params):
            cache.clear()
            return get_queue(params)

        queue_ms = _median_ms(get_queue_cold, runs)
        cached_ms = _median_ms(get_queue, runs)
        cache.clear()
        # Each request resets the query log (request_started): empty it first, count at once.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            get_queue()
        queue_count = len(captured)

        # The bare SQL of the same listing: the counters and the page, run by the selector, then
        # re-executed as they were sent, with a cursor.
        scope = Scope.for_user(agent)
        cache.clear()
        reset_queries()
        with CaptureQueriesContext(connection) as listing:
            _, page = queue_page(scope=scope, params=QueryDict(urlencode(params)))
        total = page.paginator.count
        statements = [
            q["sql"] for q in listing.captured_queries if "applications_dossier" in q["sql"]
        ]

        def bare(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        bare_ms = _median_ms(bare, runs)
        admin_ms = _median_ms(get_admin, runs)
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            get_admin()
        admin_count = len(captured)
        print(
            f"{label:<28} {queue_ms:>9.1f} {cached_ms:>9.1f} {queue_count:>7} {total:>7} "
            f"{bare_ms:>11.1f} "
            f"{queue_ms / bare_ms:>10.1f} {admin_ms:>9.1f} {admin_count:>7} "
            f"{admin_ms / queue_ms:>11.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    for n in args.sizes:
        run_size(n, args.runs, args.keep)


if __name__ == "__main__":
    main()
