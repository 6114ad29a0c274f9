"""Browser tests: Playwright (sync API) driving the system's Chromium, checked with axe-core.

Never downloads a browser: uses /usr/bin/chromium (Debian's package) or $CHROMIUM_PATH. When it is
absent the tests are skipped, unless REQUIRE_BROWSER=1 (CI), where they fail.

E-mails: with Celery in eager mode (no REDIS_URL) they land in django.core.mail.outbox; with a
real broker they are sent by the Celery worker that .ci/run starts, into its EMAIL_FILE_PATH.
"""

from __future__ import annotations

import email
import email.policy
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAIL_TIMEOUT = 30


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def _require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="module")
def _playwright():
    """Playwright, for one test module at a time.

    Its sync API keeps an event loop running in this thread, so Django's ORM (the test database
    set-up and flush included) would raise SynchronousOnlyOperation: DJANGO_ALLOW_ASYNC_UNSAFE is
    set while Playwright runs, and only then, so that it never leaks into other tests (nor into
    the subprocesses they start, e.g. `manage.py check --deploy`, which rejects it).
    """
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        reason = f"Chromium not found at {path} (install Debian's chromium or set CHROMIUM_PATH)"
        print(f"\n{reason}")
        if _require_browser():
            pytest.fail(f"{reason}; REQUIRE_BROWSER=1 forbids skipping", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev dependencies include it
        if _require_browser():
            pytest.fail(f"playwright is not installed: {exc}", pytrace=False)
        pytest.skip(f"playwright is not installed: {exc}")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_context(_playwright, tmp_path_factory):
    """A Chromium with a fresh profile, closed after the test."""
    user_data_dir = tmp_path_factory.mktemp("chromium-profile")
    context = _playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=chromium_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    yield page


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" — {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"]:
            target = ", ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def axe_violations(page, context=None) -> list[dict]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules only) on the page; returns its violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    return results.response["violations"]


def assert_accessible(page, context=None) -> None:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules only) on the page; fails listing violations."""
    violations = axe_violations(page, context)
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )


@dataclass
class Mail:
    subject: str
    to: list[str]
    body: str


class Mailbox:
    """Reads the e-mails the portal sent, whether Celery runs eagerly or in a real worker."""

    def __init__(self) -> None:
        from django.conf import settings

        self.eager = settings.CELERY_TASK_ALWAYS_EAGER
        folder = os.environ.get("EMAIL_FILE_PATH")
        self.folder = Path(folder) if folder else None
        self._seen = set(self._files())
        if not self.eager and not (os.environ.get("CELERY_WORKER_RUNNING") == "1" and self.folder):
            pytest.fail(
                "Celery is not eager (REDIS_URL is set) but no worker writes e-mails: set "
                "CELERY_WORKER_RUNNING=1 and EMAIL_FILE_PATH to the worker's folder.",
                pytrace=False,
            )

    def _files(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(self.folder.iterdir())

    def _all(self) -> list[Mail]:
        if self.eager:
            from django.core import mail

            return [Mail(subject=m.subject, to=list(m.to), body=m.body) for m in mail.outbox]
        mails = []
        for path in self._files():
            if path in self._seen:
                continue
            content = path.read_bytes().rstrip()
            # The file backend ends each message with a line of 79 dashes once it is written.
            if not content.endswith(b"-" * 79):
                continue
            message = email.message_from_bytes(
                content.removesuffix(b"-" * 79), policy=email.policy.default
            )
            part = message.get_body(preferencelist=("plain",)) or message
            mails.append(
                Mail(
                    subject=str(message["Subject"]),
                    to=[a.strip() for a in str(message["To"]).split(",")],
                    body=part.get_content(),
                )
            )
        return mails

    def wait_for(self, to: str, timeout: float = MAIL_TIMEOUT) -> Mail:
        deadline = time.monotonic() + timeout
        while True:
            for mail in self._all():
                if to in mail.to:
                    return mail
            if time.monotonic() > deadline:
                pytest.fail(f"no e-mail to {to} after {timeout} s", pytrace=False)
            time.sleep(0.2)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def reference_data(transactional_db):
    """Regions, départements and schemes, as the data migrations create them.

    Transactional tests flush every table when they end; instead of relying on serialized
    rollback, each browser test re-creates the reference data it needs (idempotent).
    """
    from tests.reference import reseed

    reseed()
