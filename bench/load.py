"""Load test: applicants, agents and finance officers on gunicorn + PostgreSQL + Redis + Celery.

    .venv/bin/python bench/load.py [--users 50] [--spawn-rate 10] [--duration 60]
        [--dossiers 100000] [--reuse-db NAME] [--keep-db] [--workers 3] [--redis-db 13]

Needs `pip install locust` in the venv, PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on
127.0.0.1:6379. Steps, each time-bounded and printed:

1. a fresh PostgreSQL database `bench_load_<N>_<pid>` (or --reuse-db NAME, already seeded by an
   earlier --keep-db run: then no seeding), `migrate`, `seed_demo`, `seed_load --dossiers N`,
   `VACUUM ANALYZE`, `collectstatic` (and, before locust starts, a wait of at most --settle s for an
   idle machine);
2. gunicorn and a Celery worker with the command lines of docker-compose.yml's `web` and `worker`
   services (read by scripts/smoke.py's helpers; gunicorn bound to 127.0.0.1:<free port>, its
   --workers replaced by --workers), production settings (DEBUG off) except: plain HTTP on
   localhost (SECURE_SSL_REDIRECT and the Secure cookie flags off) and STAFF_OTP_REQUIRED=0 (staff
   log in without a second factor); Redis database --redis-db as broker and cache;
3. locust, headless, in a subprocess: bench/load_locustfile.py (weights: applicants 6, agents 3,
   finance officers 1; 1 to 3 s of think time between two requests of a user);
4. a table per endpoint (requests, failures, req/s, p50, p95, p99 in ms) and the totals, with the
   CPU use of the machine and of gunicorn during the run;
5. gunicorn and the worker stopped; the database dropped unless --keep-db or --reuse-db.

Exits 1 if a request failed or a step did not complete. Only 127.0.0.1 is targeted.
"""

import sys
from pathlib import Path

# bench/ holds queue.py, which would shadow the standard library's `queue`.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import csv  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432"
REDIS_BASE = "redis://127.0.0.1:6379"
START_TIMEOUT = 90
# Endpoints held to the target (p95 < 300 ms): the queue and the dossier pages.
TARGET_P95_MS = 300
TARGET_ENDPOINTS = ("[queue]", "[filtered]", "[search]", "[review]", "[dossier]")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_smoke():
    """scripts/smoke.py: the docker-compose command lines and the process helper."""
    spec = importlib.util.spec_from_file_location("smoke", ROOT / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pg_admin(sql: str, database: str = "postgres") -> None:
    import psycopg2

    conn = psycopg2.connect(dbname=database, user="postgres", host="127.0.0.1", port=5432)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET statement_timeout = '120s'")
            cursor.execute(sql)
    finally:
        conn.close()


def drop_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_env(work: Path, database: str, redis_db: int) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "CELERY_QUEUE",
        "CELERY_BROKER_URL",
        "EMAIL_HOST",
        "STATICFILES_BACKEND",
        "CELERY_TASK_EAGER_PROPAGATES",
    ):
        env.pop(name, None)
    for folder in ("mail", "static", "private", "var"):
        (work / folder).mkdir(exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG_URL}/{database}",
            "REDIS_URL": f"{REDIS_BASE}/{redis_db}",
            "CACHE_PREFIX": f"aides_load_{os.getpid()}",
            # Plain HTTP on localhost: no redirect to HTTPS, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            # Staff log in with their password only during the load test (no TOTP code).
            "STAFF_OTP_REQUIRED": "0",
            "COMPANY_LOOKUP_BACKEND": "fixture",
            "EMAIL_FILE_PATH": str(work / "mail"),
            "STATIC_ROOT": str(work / "static"),
            "PRIVATE_MEDIA_ROOT": str(work / "private"),
            "VAR_DIR": str(work / "var"),
            "LOG_LEVEL": "WARNING",
            "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    started = time.monotonic()
    log(f"manage.py {' '.join(args)}")
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} exited with {result.returncode}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    last = (result.stdout.strip().splitlines() or [""])[0 if "seed_demo" in args else -1]
    log(f"  done in {time.monotonic() - started:.1f} s {last[:100]}")
    return result.stdout


def set_option(command: list[str], option: str, value: str) -> list[str]:
    result = list(command)
    if option in result:
        result[result.index(option) + 1] = value
    else:
        result += [option, value]
    return result


def wait_for(predicate, timeout: float, processes, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            process.assert_running()
        if predicate():
            return
        time.sleep(0.5)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children, 0 if unreadable."""
    try:
        import psutil

        parent = psutil.Process(pid)
        total = 0.0
        for proc in [parent, *parent.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
        return total
    except Exception:  # noqa: BLE001 - figures only
        return 0.0


def children_cpu() -> float:
    """CPU seconds of this script's finished children (locust, once it has been waited for)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postgres_cpu() -> float:
    try:
        import psutil

        total = 0.0
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] and proc.info["name"].startswith("postgres"):
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    pass
        return total
    except Exception:  # noqa: BLE001 - figures only
        return 0.0


def run_locust(args, env: dict[str, str], port: int, work: Path) -> Path:
    prefix = work / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH_DIR / "load_locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log(f"locust: {args.users} users (+{args.spawn_rate}/s) for {args.duration} s")
    locust_env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    locust_env["BENCH_LOAD_EVENTS"] = str(work / "requests.tsv")
    with (work / "locust.log").open("wb") as output:
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=locust_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=args.duration + 180,
            check=False,
        )
    # locust exits 1 when a request failed: the table says which.
    if not Path(f"{prefix}_stats.csv").exists() or not (work / "requests.tsv").exists():
        tail = (work / "locust.log").read_text(errors="replace")[-4000:]
        raise RuntimeError(f"locust exited with {result.returncode} without statistics\n{tail}")
    return prefix


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(fraction * len(values) + 0.5) - 1))]


def read_requests(path: Path) -> list[tuple[float, str, float, int]]:
    """(start time, "METHOD name", response time in ms, failed) of every request."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            start, method, name, elapsed, failed = line.rstrip("\n").split("\t")
            rows.append((float(start), f"{method} {name}", float(elapsed), int(failed)))
    return rows


def table(rows, seconds: float, title: str) -> tuple[int, bool]:
    """Print one table per endpoint; returns the failures and whether the p95 target holds."""
    header = f"{'endpoint':<52} {'reqs':>6} {'fails':>5} {'req/s':>6}" + "".join(
        f" {p:>6}" for p in ("p50", "p95", "p99")
    )
    print(f"\n{title}\n{header}\n{'-' * len(header)}")
    by_name: dict[str, list] = {}
    for row in rows:
        by_name.setdefault(row[1], []).append(row)
    target_met = True

    def line(name: str, group) -> None:
        nonlocal target_met
        times = sorted(r[2] for r in group)
        p95 = percentile(times, 0.95)
        flag = ""
        if name.endswith(TARGET_ENDPOINTS):
            target_met &= p95 < TARGET_P95_MS
            flag = "" if p95 < TARGET_P95_MS else f"  > {TARGET_P95_MS} ms"
        print(
            f"{name[:52]:<52} {len(group):>6} {sum(r[3] for r in group):>5} "
            f"{len(group) / seconds:>6.1f} {percentile(times, 0.5):>6.0f} {p95:>6.0f} "
            f"{percentile(times, 0.99):>6.0f}{flag}"
        )

    for name in sorted(by_name, key=lambda n: n.split(" ", 1)[1]):
        line(name, by_name[name])
    print("-" * len(header))
    line("TOTAL", rows)
    return sum(r[3] for r in rows), target_met


def timeline(rows, first: float, duration: float, step: int = 10) -> None:
    """Per window of `step` seconds: users logging in, requests, and the p95 of the target pages
    (where the whole run's figures come from)."""
    print(f"\nBy {step} s window (target pages: {', '.join(TARGET_ENDPOINTS)})")
    header = f"{'window':<12} {'logins':>6} {'reqs':>6} {'req/s':>6} {'target p50':>11} {'p95':>6}"
    print(f"{header}\n{'-' * len(header)}")
    for start in range(0, int(duration), step):
        window = [r for r in rows if start <= r[0] - first < start + step]
        logins = sum(1 for r in window if r[1].startswith("POST /comptes/login/"))
        target = sorted(r[2] for r in window if r[1].endswith(TARGET_ENDPOINTS))
        p50, p95 = (
            (f"{percentile(target, 0.5):.0f}", f"{percentile(target, 0.95):.0f}")
            if target
            else ("-", "-")
        )
        print(
            f"{f'{start}–{start + step} s':<12} {logins:>6} {len(window):>6} "
            f"{len(window) / step:>6.1f} {p50:>11} {p95:>6}"
        )


def report(prefix: Path, events: Path, duration: float) -> tuple[int, bool]:
    """Whole run, then the steady state (from 5 s after the last login); failures listed."""
    rows = read_requests(events)
    if not rows:
        raise RuntimeError("no request was made")
    first = min(r[0] for r in rows)
    failures, _ = table(
        rows, duration, f"Whole run ({duration:.0f} s, ramp-up and logins included)"
    )
    timeline(rows, first, duration)
    logins = [r[0] + r[2] / 1000 for r in rows if r[1].startswith("POST /comptes/login/")]
    settled = max(logins, default=first) + 5
    steady = [r for r in rows if r[0] >= settled]
    seconds = first + duration - settled
    target_met = False
    if steady and seconds > 5:
        title = (
            f"Steady state: the last {seconds:.0f} s (from {settled - first:.0f} s, 5 s after the "
            "last login)"
        )
        _, target_met = table(steady, seconds, title)
    else:
        print("\nNo steady state: the logins took the whole run.")
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(newline="", encoding="utf-8") as handle:
            errors = list(csv.DictReader(handle))
        if errors:
            print("\nFailures:")
            for error in errors:
                print(
                    f"  {error['Occurrences']:>5} × {error['Method']} {error['Name']}: "
                    f"{error['Error'][:160]}"
                )
    print("(response times in ms, measured by locust from request to last byte)")
    return failures, target_met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--reuse-db", metavar="NAME", help="an already seeded database")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (compose: 3)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number")
    parser.add_argument(
        "--settle", type=int, default=120, help="seconds to wait at most for an idle machine"
    )
    parser.add_argument("--settle-load", type=float, default=1.0, help="load average taken as idle")
    args = parser.parse_args()
    if importlib.util.find_spec("locust") is None:
        print("locust is missing: .venv/bin/pip install 'locust>=2.47'", file=sys.stderr)
        return 2

    # On SIGTERM (e.g. `timeout`), unwind so that gunicorn and the worker are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    smoke = load_smoke()
    database = args.reuse_db or f"bench_load_{args.dossiers}_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="aides-load-"))
    port = free_port()
    processes = []
    created = False
    try:
        env = build_env(work, database, args.redis_db)
        log(f"work folder {work}, database {database}, port {port}, Redis db {args.redis_db}")
        if not args.reuse_db:
            drop_database(database)
            pg_admin(f'CREATE DATABASE "{database}"')
            created = True
        manage(env, "migrate", "--noinput")
        if not args.reuse_db:
            manage(env, "seed_demo")
            manage(env, "seed_load", "--dossiers", str(args.dossiers), timeout=1800)
            # What autovacuum does to a live database after a bulk load: planner statistics, and
            # the visibility map that lets the queue's counters read their index alone.
            log("VACUUM ANALYZE (as autovacuum would after the bulk load)")
            pg_admin("VACUUM ANALYZE", database)
        manage(env, "collectstatic", "--noinput")

        commands = smoke.smoke_commands(port)
        commands["web"] = set_option(commands["web"], "--workers", str(args.workers))
        web = smoke.Process("gunicorn", commands["web"], env, work / "web.log")
        processes.append(web)
        worker = smoke.Process("worker", commands["worker"], env, work / "worker.log")
        processes.append(worker)
        wait_for(lambda: healthy(port), START_TIMEOUT, processes, "gunicorn")
        wait_for(lambda: " ready." in worker.text(), START_TIMEOUT, processes, "the worker")
        log("gunicorn and the Celery worker are up")

        for _ in range(2 * args.workers):  # warm-up: each worker loads its code and templates
            for path in ("/", "/comptes/login/", "/dispositifs/simulateur/"):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
        import psutil

        # collectstatic and the seeding leave the machine busy for a while: start from an idle
        # machine (load average under --settle-load), waiting at most --settle seconds.
        deadline = time.monotonic() + args.settle
        while os.getloadavg()[0] > args.settle_load and time.monotonic() < deadline:
            time.sleep(5)
        load_before = os.getloadavg()[0]
        psutil.cpu_percent(percpu=True)
        web_cpu, pg_cpu = process_tree_cpu(web.popen.pid), postgres_cpu()
        worker_cpu, locust_cpu = process_tree_cpu(worker.popen.pid), children_cpu()
        started = time.monotonic()
        prefix = run_locust(args, env, port, work)
        elapsed = time.monotonic() - started
        machine = psutil.cpu_percent(percpu=True)
        web_cpu = process_tree_cpu(web.popen.pid) - web_cpu
        pg_cpu = postgres_cpu() - pg_cpu
        worker_cpu = process_tree_cpu(worker.popen.pid) - worker_cpu
        locust_cpu = children_cpu() - locust_cpu  # locust ran (and was waited for) as a child
        for process in processes:
            process.assert_running()

        print(
            f"\n== {args.users} users, {args.duration} s, {args.dossiers} dossiers "
            f"(database {database}), gunicorn {args.workers} workers, "
            f"{os.cpu_count()} CPUs"
        )
        failures, target_met = report(prefix, work / "requests.tsv", args.duration)
        print(
            f"CPU during the run (locust and set-up included): machine "
            f"{' / '.join(f'{p:.0f} %' for p in machine)} per core; gunicorn "
            f"{web_cpu / elapsed:.2f} cores, PostgreSQL {pg_cpu / elapsed:.2f} cores, "
            f"Celery worker {worker_cpu / elapsed:.2f} cores, locust {locust_cpu / elapsed:.2f} cores; "
            f"load average before the run {load_before:.2f}"
        )
        print(
            f"Targets: 0 errors — {'met' if failures == 0 else f'NOT met ({failures})'}; "
            f"p95 < {TARGET_P95_MS} ms on queue and dossier pages (steady state) — "
            f"{'met' if target_met else 'NOT met'}"
        )
        return 0 if failures == 0 else 1
    except (RuntimeError, subprocess.TimeoutExpired, smoke.SmokeFailure) as failure:
        print(f"FAIL {failure}", flush=True)
        for process in processes:
            print(f"\n----- {process.name} log ({shlex.join(process.command)}) -----")
            print(process.text()[-6000:], flush=True)
        return 1
    finally:
        for process in processes:
            process.stop()
        if processes:
            log("gunicorn and the worker stopped")
        if created and not args.keep_db:
            drop_database(database)
            log(f"database {database} dropped")
        elif created or args.reuse_db:
            log(f"database kept: rerun with --reuse-db {database}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
