"""Logs as JSON lines carrying a request id, carried into the Celery tasks a request enqueues;
errors reported to Sentry when SENTRY_DSN is set.

* `RequestIdMiddleware` gives each request an id: the reverse proxy's `X-Request-ID` when it is
  a plain token, a new one otherwise. It is sent back in the `X-Request-ID` response header.
* `RequestIdFilter` puts it on every log record (`request_id`), `JsonFormatter` writes one JSON
  object per line (settings.LOGGING; `LOG_FORMAT=text` for a human-readable console).
* Celery: the id travels in the headers of every message published while a request is served
  (`before_task_publish`), and the worker binds it while the task runs (`task_prerun`), so the
  task's log lines carry the id of the request that enqueued it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

import sentry_sdk
from celery import current_task
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# The message header that carries the id into a task.
TASK_HEADER = "request_id"
# An incoming id is kept only when it is a plain token (no spaces, quotes or control characters
# that would end up in the logs); anything else is replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


def get_request_id() -> str | None:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id
        # Kept until the response is closed (request_finished below), not only through the
        # middleware chain: Django logs a 4xx/5xx response (django.request) after the chain.
        request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="portal.observability.request_finished")
def forget_request_id(**kwargs):
    request_id_var.set(None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and
    the task's name and id inside a Celery task; the traceback under `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or "-",
        }
        task = current_task
        if task and getattr(task.request, "id", None):
            entry["task"] = task.name
            entry["task_id"] = task.request.id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Celery: the request id in the message headers, bound in the worker ---------------------------


@before_task_publish.connect(dispatch_uid="portal.observability.publish")
def add_request_id_header(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None and not headers.get(TASK_HEADER):
        headers[TASK_HEADER] = request_id


def task_request_id(task) -> str | None:
    """The request id a task's message carries (Celery puts custom headers on the request)."""
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, TASK_HEADER, None)
    if not value:
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and VALID_REQUEST_ID.fullmatch(value) else None


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect(dispatch_uid="portal.observability.prerun")
def bind_request_id(task_id=None, task=None, **kwargs):
    request_id = task_request_id(task)
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
    # One line per task run, which ties the task's id to the request that enqueued it (when run
    # in-process, eagerly, the request's id is still the current one).
    request_id = request_id or request_id_var.get()
    logger.info(
        "task %s[%s] started (request %s)",
        getattr(task, "name", "?"),
        task_id,
        request_id or "-",
        extra={"request_id": request_id or "-"},
    )


@task_postrun.connect(dispatch_uid="portal.observability.postrun")
def unbind_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context: just clear it
            request_id_var.set(None)


# --- Sentry ---------------------------------------------------------------------------------------


def init_sentry(dsn: str, *, environment: str = "", traces_sample_rate: float = 0.0) -> bool:
    """Reports errors (web and Celery) to Sentry when a DSN is configured; returns whether it did.

    No personal data is sent (Sentry's default: no cookies, user, IP address nor request body)."""
    if not dsn:
        return False
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        traces_sample_rate=traces_sample_rate,
    )
    return True
