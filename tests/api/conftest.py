import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.services import token_create
from tests.applications.factories import DossierFactory
from tests.factories import RoleAssignmentFactory, region
from tests.instruction.conftest import REGION_OF, agent_of, open_calls, submitted  # noqa: F401
from tests.payments.conftest import awarded  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def administrator(db):
    return RoleAssignmentFactory(role="admin", region_code=None).user


@pytest.fixture
def make_token(administrator):
    """`make_token("PDL", schemes=["PDL-IN"], read_only=False)` → (token, secret)."""

    def make(region_code="PDL", schemes=None, read_only=True, expires_on=None, name="Outil"):
        return token_create(
            name=name,
            region=region(region_code),
            scheme_codes=schemes or [],
            read_only=read_only,
            expires_on=expires_on or timezone.localdate() + datetime.timedelta(days=30),
            created_by=administrator,
        )

    return make


@pytest.fixture
def api(client):
    """`api(secret).get(path)`: the test client with the token's Authorization header."""

    class Api:
        def __init__(self, secret):
            self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

        def get(self, path, data=None):
            return client.get(path, data, headers=self.headers)

        def post(self, path, data):
            return client.post(path, data, content_type="application/json", headers=self.headers)

    return Api


@pytest.fixture
def filed():
    """A dossier already filed (state and date set directly: no engine, no documents)."""

    def make(code="PDL-IN", state="submitted", **kwargs):
        kwargs.setdefault("submitted_at", timezone.now())
        return DossierFactory(scheme_code=code, state=state, **kwargs)

    return make


def make_payment(dossier, *, amount="1000.00", kind="advance", validated_by=None):
    from payments.models import Payment, PaymentRequest

    request = PaymentRequest.objects.create(
        dossier=dossier,
        kind=kind,
        state="validated",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPPXXX",
        account_holder="Titulaire",
    )
    return Payment.objects.create(
        request=request,
        dossier=dossier,
        kind=kind,
        amount=amount,
        iban=request.iban,
        bic=request.bic,
        account_holder=request.account_holder,
        validated_by=validated_by or dossier.agent,
    )


@pytest.fixture
def awarded_pair(awarded):  # noqa: F811
    """A PDL-IN and an INAC dossier, accepted through the services, each with a payment."""
    pair = awarded("PDL-IN"), awarded("INAC")
    for dossier in pair:
        make_payment(dossier)
    return pair
