"""Webhooks: a delivery per state change, signed, retried on 5xx, and never to internal hosts."""

import hashlib
import hmac
import json
import socket
from contextlib import nullcontext
from unittest import mock

import pytest
import requests
from django.core.exceptions import ValidationError

from api.models import Webhook, WebhookDelivery
from api.services import webhook_create
from api.tasks import deliver_webhook
from instruction import services
from schemes.models import Scheme
from tests.instruction.conftest import REGION_OF

PUBLIC = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]


def public_dns():
    return mock.patch("api.targets.socket.getaddrinfo", return_value=PUBLIC)


def answer(status: int):
    response = mock.Mock(spec=requests.Response)
    response.status_code = status
    return response


@pytest.fixture
def eager_retries(monkeypatch):
    """Run the retries in-process (each one a new eager run) instead of raising Retry."""
    monkeypatch.setitem(deliver_webhook.app.conf, "task_eager_propagates", False)


@pytest.fixture
def webhook(administrator):
    with public_dns():
        return webhook_create(
            scheme=Scheme.objects.get(code="PDL-IN"),
            target_url="https://partenaire.example/hooks/aides",
            created_by=administrator,
        )


@pytest.fixture
def taken(submitted, agent_of, webhook):
    """A PDL-IN dossier taken by an agent: the transition queues one delivery.

    The test's transaction is never committed, so the outbox never hands the task to Celery:
    each test runs it itself, with requests.post mocked."""
    dossier = submitted("PDL-IN")
    WebhookDelivery.objects.all().delete()  # the one of the "submit" transition
    services.dossier_take(user=agent_of(REGION_OF["PDL-IN"]), dossier=dossier)
    return dossier


def test_a_transition_creates_a_delivery(taken, webhook):
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == webhook and delivery.dossier == taken
    assert (delivery.transition, delivery.from_state, delivery.to_state) == (
        "take",
        "submitted",
        "in_instruction",
    )
    assert delivery.payload["dossier"] == {"number": taken.number, "scheme": "PDL-IN"}
    assert delivery.attempts == 0
    from outbox.models import OutboxMessage

    assert OutboxMessage.objects.filter(
        task="api.tasks.deliver_webhook", kwargs={"delivery_id": delivery.pk}
    ).exists()


def test_no_delivery_for_other_schemes_or_inactive_webhooks(submitted, agent_of, webhook):
    Webhook.objects.filter(pk=webhook.pk).update(active=False)
    dossier = submitted("PDL-IN")
    services.dossier_take(user=agent_of("PDL"), dossier=dossier)
    other = submitted("INAC")
    services.dossier_take(user=agent_of("HDF"), dossier=other)
    assert not WebhookDelivery.objects.exists()


def test_the_task_signs_the_body(taken, webhook):
    delivery = WebhookDelivery.objects.get()
    with public_dns(), mock.patch("api.tasks.requests.post", return_value=answer(204)) as post:
        assert deliver_webhook.apply(kwargs={"delivery_id": delivery.pk}).get() == "delivered"
    (url,), kwargs = post.call_args
    assert url == webhook.target_url
    body, headers = kwargs["data"], kwargs["headers"]
    expected = hmac.new(webhook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Aides-Signature"] == f"sha256={expected}"
    assert headers["X-Aides-Event"] == "dossier.state_changed"
    assert headers["X-Aides-Delivery"] == str(delivery.pk)
    assert kwargs["timeout"] == 10 and kwargs["allow_redirects"] is False
    assert json.loads(body)["to"] == "in_instruction"
    delivery.refresh_from_db()
    assert delivery.delivered_at and delivery.attempts == 1 and delivery.last_status == 204


def test_a_500_answer_is_retried_and_each_attempt_recorded(taken, eager_retries):
    delivery = WebhookDelivery.objects.get()
    answers = [answer(500), answer(503), answer(200)]
    with public_dns(), mock.patch("api.tasks.requests.post", side_effect=answers) as post:
        deliver_webhook.apply(kwargs={"delivery_id": delivery.pk})
    assert post.call_count == 3
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.delivered_at
    assert [entry["status"] for entry in delivery.attempt_log] == [500, 503, 200]


def test_retries_stop_after_eight(taken, eager_retries):
    delivery = WebhookDelivery.objects.get()
    with public_dns(), mock.patch("api.tasks.requests.post", return_value=answer(502)) as post:
        result = deliver_webhook.apply(kwargs={"delivery_id": delivery.pk})
    assert result.failed()
    assert post.call_count == 9  # the first try and 8 retries
    delivery.refresh_from_db()
    assert delivery.attempts == 9 and delivery.failed_at and not delivery.delivered_at


def test_network_errors_are_retried(taken, eager_retries):
    delivery = WebhookDelivery.objects.get()
    effects = [requests.ConnectionError("connexion refusée"), answer(200)]
    with public_dns(), mock.patch("api.tasks.requests.post", side_effect=effects):
        deliver_webhook.apply(kwargs={"delivery_id": delivery.pk})
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.delivered_at


def test_a_4xx_answer_is_not_retried(taken):
    delivery = WebhookDelivery.objects.get()
    with public_dns(), mock.patch("api.tasks.requests.post", return_value=answer(410)) as post:
        deliver_webhook.apply(kwargs={"delivery_id": delivery.pk})
    assert post.call_count == 1
    delivery.refresh_from_db()
    assert delivery.failed_at and delivery.last_status == 410


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://127.0.0.1/hook", "bouclage"),
        ("https://localhost/hook", "bouclage"),
        ("https://10.1.2.3/hook", "privée"),
        ("https://192.168.0.10/hook", "privée"),
        ("https://[::1]/hook", "bouclage"),
        ("https://169.254.169.254/latest/meta-data", "lien-local"),
        ("https://224.0.0.1/hook", "multicast"),
        ("http://partenaire.example/hook", "https"),
        ("https://user:pass@partenaire.example/hook", "identifiants"),
    ],
)
def test_internal_or_unsafe_targets_are_refused_at_save(administrator, url, message):
    # Literal addresses and "localhost" resolve without any network; other names are mocked.
    with public_dns() if "partenaire" in url else nullcontext():
        with pytest.raises(ValidationError) as error:
            webhook_create(
                scheme=Scheme.objects.get(code="PDL-IN"), target_url=url, created_by=administrator
            )
    assert message in " ".join(error.value.message_dict["target_url"])


def test_a_name_resolving_to_a_private_address_is_refused(administrator):
    private = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))]
    with mock.patch("api.targets.socket.getaddrinfo", return_value=private):
        with pytest.raises(ValidationError) as error:
            webhook_create(
                scheme=Scheme.objects.get(code="PDL-IN"),
                target_url="https://interne.example/hook",
                created_by=administrator,
            )
    assert "adresse privée (10.0.0.5)" in error.value.message_dict["target_url"][0]


def test_an_administrator_may_allow_an_internal_target(administrator):
    webhook = webhook_create(
        scheme=Scheme.objects.get(code="PDL-IN"),
        target_url="http://127.0.0.1:8080/hook",
        allow_private=True,
        created_by=administrator,
    )
    assert webhook.pk


def test_the_target_is_checked_again_at_delivery(taken):
    """The name now points inside the network (DNS rebinding): refused, not posted, not retried."""
    delivery = WebhookDelivery.objects.get()
    loopback = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
    with (
        mock.patch("api.targets.socket.getaddrinfo", return_value=loopback),
        mock.patch("api.tasks.requests.post") as post,
    ):
        assert deliver_webhook.apply(kwargs={"delivery_id": delivery.pk}).get() == "refused"
    post.assert_not_called()
    delivery.refresh_from_db()
    assert delivery.failed_at and "bouclage" in delivery.last_error


def test_allowed_internal_target_is_posted(taken, webhook):
    Webhook.objects.filter(pk=webhook.pk).update(
        target_url="http://127.0.0.1:9000/hook", allow_private=True
    )
    delivery = WebhookDelivery.objects.get()
    with mock.patch("api.tasks.requests.post", return_value=answer(200)) as post:
        deliver_webhook.apply(kwargs={"delivery_id": delivery.pk})
    assert post.call_args.args[0] == "http://127.0.0.1:9000/hook"
