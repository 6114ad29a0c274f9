#!/usr/bin/env python3
"""Production smoke test: the portal as docker-compose.yml runs it, without Docker.

Runs `migrate` and `collectstatic` with the production settings (DEBUG off), then starts gunicorn
and a Celery worker with exactly the command lines of the `web` and `worker` services of
docker-compose.yml (gunicorn is only rebound to a free port on 127.0.0.1), and checks:

* the home page, /healthz and a static file served by whitenoise;
* a password-reset request, whose e-mail is sent by the Celery worker through the broker.

Needs PostgreSQL and Redis: DATABASE_URL (a database it may migrate) and REDIS_URL (use a Redis
database number no other worker listens on). Usage, from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aides_smoke \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python scripts/smoke.py

Prints PASS/FAIL lines; exits 1 on the first failure, after printing the processes' logs.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
BIND_OPTIONS = ("--bind", "-b")
SMOKE_EMAIL = "smoke-test@example.com"
MAIL_TIMEOUT = 60
START_TIMEOUT = 60


class SmokeFailure(Exception):
    pass


# --- Command lines from docker-compose.yml -------------------------------------------------------


def _as_list(command: str | list) -> list[str]:
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def compose_commands(compose_file: Path = COMPOSE_FILE) -> dict[str, list[str]]:
    """The `web` and `worker` command lines of docker-compose.yml, as argument lists."""
    services = yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]
    return {name: _as_list(services[name]["command"]) for name in ("web", "worker")}


def bind_value(command: list[str]) -> str:
    """The address gunicorn's command line binds to."""
    for index, part in enumerate(command):
        if part in BIND_OPTIONS:
            return command[index + 1]
        for option in BIND_OPTIONS:
            if part.startswith(option + "="):
                return part.split("=", 1)[1]
    raise ValueError(f"no --bind in {command!r}")


def rebind(command: list[str], address: str) -> list[str]:
    """A copy of gunicorn's command line with only the --bind value replaced."""
    result = list(command)
    for index, part in enumerate(result):
        if part in BIND_OPTIONS:
            result[index + 1] = address
            return result
        for option in BIND_OPTIONS:
            if part.startswith(option + "="):
                result[index] = f"{option}={address}"
                return result
    raise ValueError(f"no --bind in {command!r}")


def smoke_commands(port: int, compose_file: Path = COMPOSE_FILE) -> dict[str, list[str]]:
    """The command lines the smoke test runs: compose's, gunicorn bound to 127.0.0.1:<port>."""
    commands = compose_commands(compose_file)
    commands["web"] = rebind(commands["web"], f"127.0.0.1:{port}")
    return commands


def option_value(command: list[str], *options: str) -> str | None:
    """The value of the first of `options` in a command line (`-Q x` or `-Q=x`)."""
    for index, part in enumerate(command):
        if part in options and index + 1 < len(command):
            return command[index + 1]
        for option in options:
            if option.startswith("--") and part.startswith(option + "="):
                return part.split("=", 1)[1]
    return None


# --- Small HTTP client (stdlib): no redirects followed, cookies kept even when Secure --------------


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, https=True, body=None, headers=None):
        all_headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "aides-smoke/1"}
        if https:
            # What the TLS reverse proxy sends; SECURE_SSL_REDIRECT is on.
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content


# --- Helpers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def passed(message: str) -> None:
    print(f"PASS {message}", flush=True)


def check(condition: bool, message: str, detail: str = "") -> None:
    if not condition:
        raise SmokeFailure(message + (f" — {detail}" if detail else ""))
    passed(message)


def build_env(work: Path, port: int) -> dict[str, str]:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise SmokeFailure(
                f"{name} must be set (PostgreSQL database and Redis for the smoke test)"
            )
    env = dict(os.environ)
    # Nothing from the caller's test configuration may leak into production settings.
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "CELERY_QUEUE",
        "CELERY_BROKER_URL",
        "EMAIL_HOST",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "STATICFILES_BACKEND",
        "CELERY_TASK_EAGER_PROPAGATES",
    ):
        env.pop(name, None)
    for folder in ("mail", "static", "private", "var"):
        (work / folder).mkdir()
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port},https://localhost:{port}",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "EMAIL_FILE_PATH": str(work / "mail"),
            "STATIC_ROOT": str(work / "static"),
            "PRIVATE_MEDIA_ROOT": str(work / "private"),
            "VAR_DIR": str(work / "var"),
            "CACHE_PREFIX": f"aides_smoke_{os.getpid()}",
            # The compose commands name bare executables (`gunicorn`, `celery`): take the venv's.
            "PATH": venv_bin + os.pathsep + env.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise SmokeFailure(
            f"{' '.join(command[1:])} exited with {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    passed(f"manage.py {' '.join(args)[:60]}")
    return result.stdout


class Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.log = name, command, log
        print(f"     starting {name}: {shlex.join(command)}", flush=True)
        self._file = log.open("wb")
        self.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def assert_running(self) -> None:
        if self.popen.poll() is not None:
            raise SmokeFailure(f"{self.name} exited with {self.popen.returncode}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._file.close()


def wait_until(predicate, timeout: float, processes, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            process.assert_running()
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")


def web_is_up(client: Client):
    try:
        status, _, _ = client.request("GET", "/healthz", https=False)
    except OSError:
        return False
    return status == 200


# --- The checks ----------------------------------------------------------------------------------


def check_site(client: Client, mail_dir: Path, processes) -> None:
    status, headers, body = client.request("GET", "/", https=False)
    check(
        status == 301 and headers.get("Location", "").startswith("https://"),
        "plain HTTP is redirected to HTTPS",
        f"status {status}, Location {headers.get('Location')!r}",
    )

    status, headers, body = client.request("GET", "/")
    html = body.decode("utf-8", errors="replace")
    check(status == 200, "GET / answers 200", f"status {status}\n{html[:2000]}")
    check("Aides numériques" in html, 'the home page says "Aides numériques"')
    check(
        "max-age=" in headers.get("Strict-Transport-Security", ""),
        "HSTS header is sent",
        repr(headers.get("Strict-Transport-Security")),
    )

    status, _, body = client.request("GET", "/healthz", https=False)
    check(status == 200 and body.strip() == b"ok", "GET /healthz answers ok", f"status {status}")

    match = re.search(r'href="(/static/css/portal\.[0-9a-f]{8,}\.css)"', html)
    check(match is not None, "the home page links the hashed (manifest) portal.css")
    status, headers, body = client.request("GET", match.group(1))
    check(
        status == 200 and headers.get("Content-Type", "").startswith("text/css") and body,
        f"whitenoise serves {match.group(1)}",
        f"status {status}, Content-Type {headers.get('Content-Type')!r}",
    )
    check(
        "max-age=315360000" in headers.get("Cache-Control", ""),
        "hashed static files are cached forever",
        repr(headers.get("Cache-Control")),
    )

    path = "/comptes/password/reset/"
    status, _, body = client.request("GET", path)
    html = body.decode("utf-8", errors="replace")
    check(status == 200, f"GET {path} answers 200", f"status {status}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(
        token is not None and "csrftoken" in client.cookies, "the reset form carries a CSRF token"
    )
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "email": SMOKE_EMAIL})
    status, headers, body = client.request(
        "POST",
        path,
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": client.origin + path,
        },
    )
    check(
        status == 302,
        f"POST {path} redirects",
        f"status {status}\n{body.decode('utf-8', errors='replace')[:2000]}",
    )

    def reset_mail():
        for path in sorted(mail_dir.iterdir()):
            content = path.read_text(encoding="utf-8", errors="replace")
            # The file backend writes each message whole, ending with a line of dashes.
            if re.search(rf"^To: {re.escape(SMOKE_EMAIL)}$", content, re.MULTILINE) and (
                content.rstrip().endswith("-" * 79)
            ):
                return path, content
        return None

    path, content = wait_until(reset_mail, MAIL_TIMEOUT, processes, "the worker's e-mail")
    check(
        "/comptes/password/reset/key/" in content,
        f"the Celery worker sent the password-reset e-mail to {SMOKE_EMAIL} ({path.name})",
        content[:2000],
    )


def compose_healthcheck(service: str, port: int, compose_file: Path = COMPOSE_FILE) -> list[str]:
    """A service's health check from docker-compose.yml, as a command line runnable here."""
    services = yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]
    test = services[service]["healthcheck"]["test"]
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    # Compose turns "$$" into "$"; the web check targets the container's port 8000.
    args = [
        part.replace("$$", "$").replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in test[1:]
    ]
    return ["sh", "-c", args[0]] if test[0] == "CMD-SHELL" else args


def check_healthchecks(env: dict[str, str], port: int) -> None:
    env = dict(env, HOSTNAME=socket.gethostname())
    for service in ("web", "worker"):
        command = compose_healthcheck(service, port)
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        check(
            result.returncode == 0,
            f"docker-compose.yml's {service} health check passes",
            f"{shlex.join(command)} exited with {result.returncode}\n{result.stdout}{result.stderr}",
        )


def main() -> int:
    # On SIGTERM (e.g. `timeout`), unwind so that gunicorn and the worker are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="aides-smoke-"))
    processes: list[Process] = []
    try:
        env = build_env(work, port)
        commands = smoke_commands(port)
        print(f"== Smoke test: production settings, port {port}, work folder {work}", flush=True)
        manage(env, "check", "--deploy", "--fail-level", "ERROR")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.filter(email={SMOKE_EMAIL!r}).exists() or "
            f"get_user_model().objects.create_user(email={SMOKE_EMAIL!r}, password=None)",
        )
        client = Client(port)
        web = Process("web", commands["web"], env, work / "web.log")
        processes.append(web)
        worker = Process("worker", commands["worker"], env, work / "worker.log")
        processes.append(worker)
        wait_until(lambda: web_is_up(client), START_TIMEOUT, processes, "gunicorn to answer")
        passed("gunicorn answers")
        wait_until(lambda: " ready." in worker.text(), START_TIMEOUT, processes, "the worker")
        passed("the Celery worker is ready")
        check_site(client, work / "mail", processes)
        check_healthchecks(env, port)
        for process in processes:
            process.assert_running()
        access_lines = [line for line in web.text().splitlines() if '"GET / HTTP/1.1" 200' in line]
        check(bool(access_lines), "gunicorn writes its access log (--access-logfile -)")
    except (SmokeFailure, subprocess.TimeoutExpired) as failure:
        print(f"FAIL {failure}", flush=True)
        for process in processes:
            print(f"\n----- {process.name} log ({shlex.join(process.command)}) -----", flush=True)
            print(process.text()[-20000:], flush=True)
        return 1
    finally:
        for process in processes:
            process.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS smoke test: all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
