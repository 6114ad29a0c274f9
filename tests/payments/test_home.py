"""/paiements/ is a page for everyone who deals with money, not a 404: what each role has to do."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from payments.enums import PaymentKind
from payments.models import PaymentRequest
from schemes.templatetags.aides import euros
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.payments.conftest import member_of
from tests.payments.test_conflicts import certified

pytestmark = pytest.mark.django_db
HOME = "/paiements/"


def test_the_payments_home_is_served_at_paiements(client):
    assert reverse("payments:home") == HOME
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={HOME}"


def test_finance_sees_what_to_validate_batches_and_budgets_of_its_region_only(
    awarded, agent_of, client
):
    dossier = awarded("PDL-IN")
    certified(dossier, certifier=agent_of("PDL"), amount="5000.00")
    officer = RoleAssignmentFactory(role="finance", region_code="PDL").user
    client.force_login(officer)
    page = client.get(HOME).content.decode()
    assert "<strong>1</strong> paiement à valider" in page
    assert euros(Decimal("5000.00")) in page
    assert reverse("payments:finance_queue") in page and reverse("payments:batches") in page
    assert reverse("payments:budget", args=["PDL-IN"]) in page
    assert reverse("payments:budget", args=["INAC"]) not in page  # another region's scheme
    other = RoleAssignmentFactory(role="finance", region_code="HDF").user
    client.force_login(other)
    page = client.get(HOME).content.decode()
    assert "<strong>0</strong> paiement à valider" in page
    assert dossier.number not in page


def test_agent_sees_the_requests_awaiting_service_fait_in_their_scope(awarded, client):
    dossier = awarded("PDL-IN")
    PaymentRequest.objects.create(
        dossier=dossier,
        kind=PaymentKind.SINGLE,
        requested_by=member_of(dossier),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
    )
    client.force_login(dossier.agent)
    page = client.get(HOME).content.decode()
    assert "Service fait à certifier" in page
    assert reverse("instruction:dossier", args=[dossier.pk]) in page
    client.force_login(RoleAssignmentFactory(role="agent", region_code="HDF").user)
    assert dossier.number not in client.get(HOME).content.decode()


def test_applicant_sees_their_own_payment_requests_only(awarded, agent_of, client):
    dossier = awarded("PDL-IN")
    certified(dossier, certifier=agent_of("PDL"), amount="1234.50")
    client.force_login(member_of(dossier))
    page = client.get(HOME).content.decode()
    assert "Mes demandes de paiement" in page
    assert dossier.number in page and euros(Decimal("1234.50")) in page
    assert "Service financier" not in page and "Service fait à certifier" not in page
    client.force_login(UserFactory())
    page = client.get(HOME).content.decode()
    assert dossier.number not in page
    assert "Vous n'avez pas encore de demande de paiement" in page


def test_the_home_query_count_does_not_grow_with_the_requests(awarded, agent_of, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisations.models import Membership

    person = UserFactory()
    RoleAssignmentFactory(role="finance", region_code="PDL", user=person)
    RoleAssignmentFactory(role="agent", region_code="PDL", user=person)
    client.force_login(person)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    def one_more():
        dossier = awarded("PDL-IN")
        Membership.objects.create(user=person, organisation=dossier.organisation)
        certified(dossier, certifier=agent_of("PDL"))

    one_more()
    client.get(HOME)  # the first page of a session fills the caches (session, menus)
    first = count_queries()
    one_more()
    one_more()
    assert count_queries() == first


def test_my_space_links_to_the_payments_home(client):
    client.force_login(UserFactory())
    assert f'href="{HOME}"' in client.get(reverse("portal:space")).content.decode()
