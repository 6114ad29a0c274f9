"""Schemathesis against the API's OpenAPI schema (drf-spectacular), in process through WSGI.

Every operation of the schema, with examples generated from it, valid and invalid (20 of each
per operation, derandomized in CI), called with a writable API token of Hauts-de-France on the security world (dossiers,
decisions and payments of both regions): no server error, and every documented response
conforms to its schema. Runs in both `.ci/run` test runs, PostgreSQL included (issue 14, 5).
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.services import token_create
from territories.models import Region

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the WSGI handler must not close the database connection at
    the end of each request (the test runs inside a transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(world):
    _, secret = token_create(
        name="CI schemathesis",
        region=Region.objects.get(code="HDF"),
        read_only=False,
        expires_on=timezone.localdate() + timedelta(days=1),
        created_by=world.users["admin"],
    )
    return secret


def load_schema():
    """The schema the API serves at /api/v1/schema/, generated without a request (no database
    at collection time), bound to the portal's WSGI application."""
    from drf_spectacular.generators import SchemaGenerator

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    loaded.location = "/api/v1/schema/"
    return loaded


schema = load_schema()
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_schema_lists_the_api_operations():
    labels = {operation.label for operation in OPERATIONS}
    assert {"GET /api/v1/dossiers/", "GET /api/v1/payments/", "GET /api/v1/schemes/"} <= labels


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
def test_api_conforms_to_its_schema_and_never_answers_5xx(operation, mode, api_token):
    headers = {"Authorization": f"Bearer {api_token}"}

    @FUZZ
    @given(case=operation.as_strategy(mode))
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
