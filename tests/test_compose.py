"""docker-compose.yml describes the production stack, and the CI smoke test runs its commands."""

import importlib
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
REQUIRED_SERVICES = ("web", "worker", "beat", "db", "redis", "clamav", "minio")


def _load_smoke():
    spec = importlib.util.spec_from_file_location("aides_smoke", ROOT / "scripts" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


smoke = _load_smoke()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _mounts(service: dict) -> dict[str, str]:
    """Named-volume mounts of a service: {target: volume}."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        mounts[target] = source
    return mounts


@pytest.mark.parametrize("name", REQUIRED_SERVICES)
def test_service_exists_with_a_healthcheck(compose, name):
    service = compose["services"][name]
    test = service["healthcheck"]["test"]
    assert test and test != ["NONE"]
    assert not service["healthcheck"].get("disable", False)


def test_images(compose):
    # The server's major version is the image's pg_dump (Debian bookworm's postgresql-client: 15),
    # so that `manage.py backup` runs inside the image.
    assert compose["services"]["db"]["image"].split(":")[1].split(".")[0] == "15"
    assert "FROM python:3.11-slim-bookworm" in DOCKERFILE and "postgresql-client" in DOCKERFILE
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["redis"]["image"].split(":")[1].split(".")[0] == "7"


def test_database_and_private_files_live_in_named_volumes(compose):
    named = set(compose["volumes"])
    db_volume = _mounts(compose["services"]["db"]).get("/var/lib/postgresql/data")
    assert db_volume in named
    # The private files are objects of the MinIO service (S3), whose data is a named volume;
    # the app services share no files volume: only PostgreSQL, Redis and the object store.
    assert _mounts(compose["services"]["minio"]).get("/data") in named
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        environment = service["environment"]
        assert environment["S3_BUCKET"] and environment["S3_ENDPOINT_URL"], name
        assert "PRIVATE_MEDIA_ROOT" not in environment, name
        assert set(_mounts(service).values()) <= {"audit-anchors"}, name
        assert service["depends_on"]["minio"]["condition"] == "service_healthy", name
    assert "storage_check --create-bucket" in " ".join(compose["services"]["migrate"]["command"])


def test_app_services_wait_for_healthy_backends(compose):
    for name in ("web", "worker", "beat"):
        depends_on = compose["services"][name]["depends_on"]
        for backend in ("db", "redis"):
            assert depends_on[backend]["condition"] == "service_healthy", (name, backend)


def test_no_secret_is_committed(compose):
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name].get("environment", {})
        assert "SECRET_KEY" not in environment
        assert compose["services"][name]["env_file"] in (".env", [".env"])
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nSECRET_KEY=\n" in example


def test_smoke_test_runs_the_web_command_of_compose(compose):
    web = compose["services"]["web"]["command"]
    assert web == smoke.compose_commands(COMPOSE)["web"]
    assert web[0] == "gunicorn"
    module, _, attribute = settings.WSGI_APPLICATION.rpartition(".")
    assert f"{module}:{attribute}" in web
    assert smoke.bind_value(web) == "0.0.0.0:8000"
    assert smoke.option_value(web, "--workers", "-w") == "3"
    assert smoke.option_value(web, "--access-logfile") == "-"
    assert "--preload" in web  # portal.wsgi imports the views once, before the workers fork

    rebound = smoke.smoke_commands(8123, COMPOSE)["web"]
    assert smoke.bind_value(rebound) == "127.0.0.1:8123"
    differences = [(a, b) for a, b in zip(web, rebound, strict=True) if a != b]
    assert differences == [("0.0.0.0:8000", "127.0.0.1:8123")]


def test_smoke_test_runs_the_worker_command_of_compose(compose):
    worker = compose["services"]["worker"]["command"]
    assert smoke.smoke_commands(8123, COMPOSE)["worker"] == worker
    assert worker[0] == "celery"
    assert "worker" in worker
    app_module = smoke.option_value(worker, "-A", "--app")
    from portal.celery import app as celery_app

    assert importlib.import_module(app_module).celery_app is celery_app
    # The worker must consume the queue the portal sends its tasks to.
    assert smoke.option_value(worker, "-Q", "--queues") == settings.CELERY_TASK_DEFAULT_QUEUE
    beat = compose["services"]["beat"]["command"]
    assert smoke.option_value(beat, "-A", "--app") == app_module and "beat" in beat


def test_rebind_handles_every_spelling():
    for command, expected in [
        (["gunicorn", "app", "--bind", "0.0.0.0:8000"], ["gunicorn", "app", "--bind", "x:1"]),
        (["gunicorn", "app", "--bind=0.0.0.0:8000"], ["gunicorn", "app", "--bind=x:1"]),
        (["gunicorn", "-b", "0.0.0.0:8000", "app"], ["gunicorn", "-b", "x:1", "app"]),
    ]:
        assert smoke.rebind(command, "x:1") == expected
    with pytest.raises(ValueError):
        smoke.rebind(["gunicorn", "app"], "x:1")


def test_uploads_are_scanned_by_the_clamav_service_before_agents_see_them(compose):
    clamav = compose["services"]["clamav"]
    assert clamav["image"].startswith("clamav/clamav:")
    assert _mounts(clamav).get("/var/lib/clamav") in set(compose["volumes"])
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["CLAMAV_ADDRESS"] == "clamav:3310", name
        assert environment["CLAMAV_REQUIRED"] == "1", name
    assert compose["services"]["worker"]["depends_on"]["clamav"]["condition"] == "service_healthy"


def test_only_the_worker_holds_the_audit_signing_key_and_the_anchor_file(compose):
    worker = compose["services"]["worker"]
    environment = worker["environment"]
    secret = environment["AUDIT_SIGNING_KEY_FILE"].removeprefix("/run/secrets/")
    assert secret in worker["secrets"] and secret in compose["secrets"]
    anchor_folder = str(Path(environment["AUDIT_ANCHOR_PATH"]).parent)
    assert _mounts(worker).get(anchor_folder) in set(compose["volumes"])
    assert f"mkdir -p /data/private /data/var {anchor_folder}" in (ROOT / "Dockerfile").read_text()
    web = compose["services"]["web"]
    assert "AUDIT_SIGNING_KEY_FILE" not in web["environment"] and "secrets" not in web
    assert anchor_folder not in _mounts(web)
    from audit.tasks import anchor_audit_trail

    assert anchor_audit_trail.name in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


# --- The image and the stack fit for production (issue 15) -----------------------------------------

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and "==" in line and not line.startswith("#"):
            name, version = line.split(";")[0].split("\\")[0].strip().split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_long_running_service_restarts_and_the_migration_is_one_shot(compose):
    for name, service in compose["services"].items():
        if name == "migrate":
            assert service["restart"].startswith("on-failure"), name
        else:
            assert service["restart"] in ("unless-stopped", "always"), name
            assert service["healthcheck"]["test"], name


def test_exactly_one_beat(compose):
    runs_beat = [
        name
        for name, service in compose["services"].items()
        if "beat" in service.get("command", [])
        or "-B" in service.get("command", [])
        or "--beat" in service.get("command", [])
    ]
    assert runs_beat == ["beat"]
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


def test_the_image_checks_its_health_on_sante_as_compose_does(compose):
    healthcheck = next(line for line in DOCKERFILE.splitlines() if line.strip().startswith("CMD ["))
    command = json.loads(healthcheck.strip().removeprefix("CMD "))
    assert command == ["python", "scripts/probe.py", "http://127.0.0.1:8000/sante/"]
    assert "HEALTHCHECK " in DOCKERFILE
    assert compose["services"]["web"]["healthcheck"]["test"] == ["CMD", *command]


def test_the_image_runs_as_a_non_root_user_with_compiled_static_files():
    users = [line.split()[1] for line in DOCKERFILE.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "collectstatic --noinput" in DOCKERFILE and "compileall" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"tests", "bench", ".venv"} <= set(ignored)


def test_the_image_installs_the_runtime_lock_only():
    installs = [line for line in DOCKERFILE.splitlines() if "pip install" in line]
    assert installs == ["RUN pip install --require-hashes --no-deps -r requirements/runtime.txt"]
    assert "dev" not in "".join(installs)


def test_the_locks_pin_every_dependency_with_hashes_and_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    for requirement in project["dependencies"]:
        name = _requirement_name(requirement)
        assert name in runtime, name
        assert "<" in requirement, f"{requirement}: no upper bound"
    for requirement in project["optional-dependencies"]["dev"]:
        assert _requirement_name(requirement) in dev, requirement
        assert "<" in requirement, f"{requirement}: no upper bound"
    # Nothing of the dev set in the runtime lock; the dev lock has the runtime versions.
    for tool in ("pytest", "ruff", "playwright", "locust", "schemathesis", "hypothesis", "deptry"):
        assert tool not in runtime, tool
    assert {name: dev[name] for name in runtime} == runtime
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        text = lock.read_text(encoding="utf-8")
        assert text.count("==") <= text.count("--hash=sha256:")
