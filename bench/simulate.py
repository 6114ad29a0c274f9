"""Benchmark of the rules engine: situations per second, in-process and through manage.py.

    .venv/bin/python bench/simulate.py --n 10000

Evaluates N generated situations (bench/simulate_core.generate_situations, deterministic) with the
rule versions stored in the database: in-process one situation per call (as a page does), in-process
as one array, then through `manage.py simulate` fed one JSON array on standard input (process start
included), and prints situations per second for each. Target (issue 16): 5,000 situations/s
in-process and 10,000 situations through the command in under 5 s, on the 2-core machines.
"""

import sys
from pathlib import Path

# Run as `python bench/simulate.py`, Python puts bench/ first on sys.path, where bench/queue.py
# would shadow the standard `queue` module (imported by Django, Celery, concurrent.futures...):
# take bench/ off the path before importing anything else, and import the bench helpers as the
# `bench` namespace package from the repository root.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-simulate-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "VAR_DIR": str(workdir),
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from bench.simulate_core import generate_situations
    from schemes.engine import simulate

    situations = generate_situations(args.n, seed=args.seed)
    payload = json.dumps(situations)

    # One call per situation, as the simulator page and the dossier pages do: each call reads the
    # stored rule versions (their stamp, then the parsed versions kept in the process).
    start = time.perf_counter()
    results = [simulate(situation) for situation in situations]
    per_call = time.perf_counter() - start
    assert len(results) == args.n

    start = time.perf_counter()
    results = simulate(situations)
    in_process = time.perf_counter() - start
    assert len(results) == args.n

    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", "simulate", "-"],
        cwd=ROOT,
        env=env,
        input=payload.encode(),
        capture_output=True,
        check=True,
    )
    command = time.perf_counter() - start
    assert len(json.loads(completed.stdout)) == args.n

    eligible = sum(1 for r in results if r["eligible"])
    print(f"situations: {args.n} ({eligible} eligible)")
    print(f"in-process, one per call:   {args.n / per_call:10.0f} situations/s ({per_call:.2f} s)")
    print(
        f"in-process, one array:      {args.n / in_process:10.0f} situations/s ({in_process:.2f} s)"
    )
    print(
        f"manage.py simulate (array): {args.n / command:10.0f} situations/s ({command:.2f} s, process start included)"
    )


if __name__ == "__main__":
    main()
