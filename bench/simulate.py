"""Benchmark of the rules engine: situations per second, in-process and through manage.py.

    .venv/bin/python bench/simulate.py --n 10000

Evaluates N generated situations (bench/simulate_core.generate_situations, deterministic) with the
rule versions stored in the database, first in-process, then through `manage.py simulate` fed one
JSON array on standard input, and prints situations per second for each.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


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
    from simulate_core import generate_situations

    from schemes.engine import simulate

    situations = generate_situations(args.n, seed=args.seed)
    payload = json.dumps(situations)

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
    print(
        f"in-process simulate:        {args.n / in_process:10.0f} situations/s ({in_process:.2f} s)"
    )
    print(
        f"manage.py simulate (array): {args.n / command:10.0f} situations/s ({command:.2f} s, process start included)"
    )


if __name__ == "__main__":
    main()
