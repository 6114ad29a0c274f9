"""Benchmark of form rendering: milliseconds per render of the simulator page and of its forms.

    .venv/bin/python bench/forms.py --n 50

On a fresh SQLite database (migrations seed the regions, departments and schemes), measures with
`django.test.Client` the simulator page blank (GET), refused (POST with errors on the form and on
two expense lines) and answered (POST of a valid situation, results included), then the forms
alone (the simulator form and two expense lines printed field by field, blank and with errors),
and prints the median and the 90th percentile of the CPU time of each, in milliseconds (CPU
time of the process: the other processes of a busy machine count little). The figures compared
before/after a change are in docs/performance.md.
"""

import sys
from pathlib import Path

# As bench/simulate.py: bench/queue.py would shadow the standard `queue` module.
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

SITUATION = {
    "department": "44",
    "kind": "company",
    "legal_form": "SARL",
    "naf": "47.71Z",
    "created_on": "2019-03-01",
    "headcount": "4",
    "turnover": "350000",
    "other_public_funding": "0",
    "expense_basis": "HT",
    "filed_on": "2026-12-02",
    "registered_rcs": "on",
    "tax_social_up_to_date": "on",
    "project_certified": "on",
    "expenses-TOTAL_FORMS": "2",
    "expenses-INITIAL_FORMS": "0",
    "expenses-MIN_NUM_FORMS": "0",
    "expenses-MAX_NUM_FORMS": "1000",
    "expenses-0-category": "hardware",
    "expenses-0-amount": "1200",
    "expenses-0-mode": "purchase",
    "expenses-1-category": "business_software",
    "expenses-1-amount": "600",
    "expenses-1-mode": "subscription",
    "expenses-1-months": "12",
}
REFUSED = {
    **SITUATION,
    "department": "",
    "headcount": "-3",
    "turnover": "beaucoup",
    "expenses-0-amount": "abc",
    "expenses-1-months": "x",
}


def timed(n: int, call) -> list[float]:
    call()  # warm-up: templates compiled, rule versions parsed
    times = []
    for _ in range(n):
        start = time.process_time()
        call()
        times.append((time.process_time() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else median
    print(f"{name:<48} median {median:7.1f} ms   p90 {p90:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-forms-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",  # as in production: cached template loaders, no template debug
        "SECURE_SSL_REDIRECT": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-forms-not-secret"),
        "VAR_DIR": str(workdir),
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.test import Client
    from django.test.utils import setup_test_environment

    from schemes.forms import ExpenseFormSet, SimulatorForm
    from territories.models import Department

    department = str(Department.objects.get(code="44").pk)
    SITUATION["department"] = department
    REFUSED["expenses-0-category"] = "nope"
    setup_test_environment()  # testserver allowed, e-mails in memory
    client = Client(secure=True)
    url = "/dispositifs/simulateur/"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    refused = client.post(url, REFUSED)
    assert refused.status_code == 200 and "Erreur :" in refused.content.decode()
    answered = client.post(url, SITUATION)
    body = answered.content.decode()
    summary = body[body.find("resume-erreurs") :][:1500]
    assert answered.status_code == 200 and "Erreur :" not in body, summary

    report("simulator page, GET", timed(args.n, lambda: client.get(url)))
    report("simulator page, POST refused", timed(args.n, lambda: client.post(url, REFUSED)))
    report("simulator page, POST answered", timed(args.n, lambda: client.post(url, SITUATION)))

    def forms_alone(data):
        def render():
            form = SimulatorForm(data)
            formset = ExpenseFormSet(data, prefix="expenses")
            if data:
                form.is_valid(), formset.is_valid()
            render_to_string("schemes/simulator.html", {"form": form, "formset": formset})

        return render

    report("simulator forms alone (template), filled", timed(args.n, forms_alone(SITUATION)))
    report("simulator forms alone (template), errors", timed(args.n, forms_alone(REFUSED)))


if __name__ == "__main__":
    main()
