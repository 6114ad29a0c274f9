"""Logs are JSON lines with a request id, which the Celery tasks a request enqueues carry too."""

import json
import logging
import sys
import uuid

import pytest
from celery import shared_task
from kombu import Queue

from portal import observability
from portal.observability import JsonFormatter, RequestIdFilter, get_request_id

pytestmark = pytest.mark.django_db


@shared_task(name="tests.portal.record_request_id")
def record_request_id():
    logging.getLogger("tests.portal.task").info("inside the task")
    return get_request_id()


def test_every_response_carries_a_request_id_and_keeps_a_proxys_token(client):
    first = client.get("/")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert len(first) == 32 and first != second

    assert client.get("/", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == "proxy-1234abcd"
    # Anything that is not a plain token is replaced: it would be written verbatim in the logs.
    hostile = 'x" injected\nlevel=ERROR'
    replaced = client.get("/", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
    assert replaced != hostile and len(replaced) == 32


def test_django_s_own_log_of_a_failed_request_carries_its_id(client):
    """django.request logs a 404 or a 500 after the middleware chain: the id is still there."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/page-inexistante/", HTTP_X_REQUEST_ID="req-404-abcdef")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert [record.request_id for record in records] == ["req-404-abcdef"]
    assert get_request_id() is None  # forgotten once the response is closed


def _json_line(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_log_lines_are_json_with_the_request_id_and_the_traceback():
    token = observability.request_id_var.set("req-abcdef12")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("portal").makeRecord(
                "portal", logging.ERROR, __file__, 1, "Échec de %s", ("l'envoi",), None
            )
            record.exc_info = sys.exc_info()
        line = _json_line(record)
    finally:
        observability.request_id_var.reset(token)
    assert line["message"] == "Échec de l'envoi"
    assert line["level"] == "ERROR" and line["logger"] == "portal"
    assert line["request_id"] == "req-abcdef12"
    assert "ValueError: boom" in line["exception"]
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db(transaction=True)
def test_a_request_enqueuing_a_task_gives_the_task_its_id(client, caplog):
    # The password-reset form sends its e-mail through a Celery task (through the outbox, after
    # the commit; run in-process here): real commits, as in production.
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(email="reset-id@example.org", password="x-Long-pass-1")
    caplog.set_level(logging.INFO, logger="portal.observability")
    response = client.post(
        "/comptes/password/reset/",
        {"email": "reset-id@example.org"},
        HTTP_X_REQUEST_ID="req-reset-0001",
    )
    assert response.status_code == 302
    started = [r for r in caplog.records if r.getMessage().startswith("task accounts.tasks.")]
    assert started, [r.getMessage() for r in caplog.records]
    assert started[0].request_id == "req-reset-0001"


def test_the_request_id_travels_in_the_message_headers_to_the_worker(settings, caplog):
    """Published through the broker (memory or Redis), the message carries the id; the worker
    binds it while the task runs and unbinds it afterwards."""
    app = record_request_id.app
    queue = Queue(f"tests-request-id-{uuid.uuid4().hex[:8]}")
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    token = observability.request_id_var.set("req-publish-42")
    try:
        record_request_id.apply_async(queue=queue)
    finally:
        observability.request_id_var.reset(token)
        app.conf.task_always_eager = previous
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        try:
            message = simple.get(timeout=5)
            message.ack()
            headers = dict(message.headers)
        finally:
            simple.queue.delete()
            simple.close()
    assert headers["request_id"] == "req-publish-42"
    assert headers["task"] == "tests.portal.record_request_id"

    # What the worker does with that message: the task runs with the request's id bound.
    assert get_request_id() is None
    caplog.set_level(logging.INFO, logger="portal.observability")
    result = record_request_id.apply(headers={"request_id": headers["request_id"]})
    assert result.get() == "req-publish-42"
    assert get_request_id() is None
    started = [r for r in caplog.records if "tests.portal.record_request_id" in r.getMessage()]
    assert started[0].request_id == "req-publish-42"


def test_sentry_is_off_without_a_dsn_and_on_with_one(monkeypatch):
    import sentry_sdk

    calls = []
    # Not the real init: its Django integration would patch Django for the rest of the run.
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: calls.append(options))
    assert observability.init_sentry("") is False
    assert calls == []
    assert observability.init_sentry("https://public@sentry.invalid/1", environment="recette")
    (options,) = calls
    assert options["dsn"] == "https://public@sentry.invalid/1"
    assert options["environment"] == "recette"
    assert options.get("send_default_pii", False) is False
    names = {type(integration).__name__ for integration in options["integrations"]}
    assert {"DjangoIntegration", "CeleryIntegration"} <= names
