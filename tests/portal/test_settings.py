import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "CELERY_BROKER_URL",
            "EMAIL_HOST",
            "EMAIL_FILE_PATH",
        }
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_malformed_environment_values_raise(monkeypatch):
    monkeypatch.setenv("X_BOOL", "peut-être")
    monkeypatch.setenv("X_INT", "douze")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]


def test_production_settings_refuse_to_serve_without_a_secret_key(tmp_path):
    result = run_python("import portal.wsgi", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_wsgi_module_loads_views_and_templates_before_gunicorn_forks_and_connects_nowhere(
    tmp_path,
):
    """docker-compose.yml runs gunicorn with --preload: what portal.wsgi loads, the workers share.

    Nothing may connect at import: a database connection opened in the master would be shared by
    every worker after the fork.
    """
    code = (
        "import sys, portal.wsgi\n"
        "from django.db import connections\n"
        "from django.template import engines\n"
        "print(all(m in sys.modules for m in "
        "('instruction.views', 'applications.views', 'payments.views_finance', 'api.urls')))\n"
        "cached = engines['django'].engine.template_loaders[0].get_template_cache\n"
        "print(all(n in cached for n in ('instruction/review.html', 'base.html')))\n"
        "print(any(n.startswith('admin/') for n in cached))\n"
        "print(any(c.connection is not None for c in connections.all(initialized_only=True)))\n"
    )
    result = run_python(code, SECRET_KEY="x" * 50, VAR_DIR=str(tmp_path), ALLOWED_HOSTS="localhost")
    assert result.returncode == 0, result.stderr
    views, templates, libraries, connected = result.stdout.split()
    assert (views, templates) == ("True", "True")  # the portal's own, compiled
    assert libraries == "False"  # Django's admin templates: compiled when first used
    assert connected == "False"


def test_offline_commands_run_without_a_secret_key(tmp_path):
    """The contract's `python manage.py simulate` works on a bare checkout, no variable needed."""
    situation = (
        '{"scheme": "IDF-CN2", "filed_on": "2021-06-15", "applicant": {"kind": "commune", '
        '"department": "93"}, "project": {"expenses": [{"category": "commerce_solution", '
        '"amount": "13500"}]}}'
    )
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PORTAL_SERVING"}
    env = {**{k: v for k, v in os.environ.items() if k not in unset}, "VAR_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "simulate", "-"],
        cwd=ROOT,
        input=situation,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"award": "6000.00"' in result.stdout


def test_embedded_defaults_sqlite_eager_tasks_console_mail(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'], s.DEBUG)"
    )
    result = run_python(code, SECRET_KEY="k" * 60, VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine, eager, email, cache, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert email.endswith("console.EmailBackend")
    assert cache.endswith("LocMemCache")
    assert debug == "False"


def test_services_are_used_when_configured(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.CACHES['default']['BACKEND'])"
    )
    result = run_python(
        code,
        SECRET_KEY="k" * 60,
        VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@db:5432/aides",
        REDIS_URL="redis://redis:6379/0",
        EMAIL_HOST="smtp.exemple.fr",
    )
    assert result.returncode == 0, result.stderr
    engine, eager, broker, email, cache = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"
    assert broker == "redis://redis:6379/0"
    assert email.endswith("smtp.EmailBackend")
    assert cache.endswith("RedisCache")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    from audit.anchors import generate_key_pem

    key_file = tmp_path / "audit-signing-key.pem"  # production holds one (audit.W001 otherwise)
    key_file.write_bytes(generate_key_pem())
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
            },
            "SECRET_KEY": "a-production-like-secret-key-with-enough-entropy-0123456789-abcdefghij",
            "ALLOWED_HOSTS": "aides.exemple.fr",
            "VAR_DIR": str(tmp_path),
            "AUDIT_SIGNING_KEY_FILE": str(key_file),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_postgresql_sessions_skip_jit_and_plan_cursors_for_every_row(db):
    """Queue counters must not pay a JIT compilation; exports read their cursor to the end."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW cursor_tuple_fraction")
        fraction = float(cursor.fetchone()[0])
        cursor.execute("SHOW random_page_cost")
        random_page_cost = float(cursor.fetchone()[0])
    assert (jit, fraction, random_page_cost) == ("off", 1.0, 1.1)
