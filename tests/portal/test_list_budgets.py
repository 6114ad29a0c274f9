"""Every list page has a query budget (`django_assert_max_num_queries`), and the page stays
within it as its rows grow: each page is read with a few rows, then with more, and must show
them all. The lists measured elsewhere are named in BUDGETED_ELSEWHERE; a test checks that no
list page of the URL configuration is left without a budget."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import LoginEvent
from instruction.models import CommissionSession
from payments import batches
from payments.models import RecoveryOrder
from tests.applications.factories import DossierFactory
from tests.factories import (
    MembershipFactory,
    PaymentRequestFactory,
    RoleAssignmentFactory,
    UserFactory,
    region,
)
from tests.instruction.conftest import open_calls  # noqa: F401

pytestmark = pytest.mark.usefixtures("open_calls")


def staff(role: str, region_code: str):
    return lambda: RoleAssignmentFactory(role=role, region_code=region_code).user


def my_dossiers(user, n):
    return [DossierFactory(scheme_code="INAC", member=user).number for _ in range(n)]


def my_organisations(user, n):
    return [MembershipFactory(user=user).organisation.name for _ in range(n)]


def my_payment_requests(user, n):
    return [
        PaymentRequestFactory(
            dossier=DossierFactory(scheme_code="PDL-IN", member=user, awarded=True)
        ).dossier.number
        for _ in range(n)
    ]


def commission_sessions(user, n):
    start = CommissionSession.objects.count()
    return [
        CommissionSession.objects.create(
            region=region("IDF"), number=f"CP-2026-{start + i:03d}", date="2026-12-10"
        ).number
        for i in range(n)
    ]


def certified_requests(user, n):
    return [PaymentRequestFactory(certified=True).dossier.number for _ in range(n)]


def payment_batches(user, n):
    numbers = []
    for _ in range(n):
        request = PaymentRequestFactory(validated=True)
        batch = batches.batch_create(user=user, region=region("PDL"), payments=[request.payment])
        numbers.append(str(batch))
    return numbers


def recovery_orders(user, n):
    numbers = []
    for _ in range(n):
        request = PaymentRequestFactory(certified=True)
        RecoveryOrder.objects.create(
            dossier=request.dossier, request=request, amount=Decimal("150.00"), created_by=user
        )
        numbers.append(request.dossier.number)
    return numbers


def batch_jobs(user, n):
    from instruction.models import BatchJob

    start = BatchJob.objects.count()
    return [
        str(
            BatchJob.objects.create(
                action="message",
                params={"body": "Bonjour"},
                token=f"budget-{start + i}",
                created_by=user,
            )
        )
        for i in range(n)
    ]


def queue_labels(user, n):
    from instruction.models import QueueLabel

    start = QueueLabel.objects.count()
    return [
        QueueLabel.objects.create(region=region("PDL"), name=f"Étiquette {start + i}").name
        for i in range(n)
    ]


def logins(user, n):
    start = LoginEvent.objects.filter(user_agent__startswith="Navigateur n°").count()
    return [
        LoginEvent.objects.create(user=user, user_agent=f"Navigateur n°{start + i}").user_agent
        for i in range(n)
    ]


def fixed(*markers):
    """A list whose rows are the reference data (schemes, regions): read once, no growth."""
    return lambda user, n: list(markers) if n else []


@dataclass(frozen=True)
class ListPage:
    viewer: Callable
    rows: Callable  # rows(viewer, n) -> the markers of n new rows the viewer must see
    budget: int
    sizes: tuple = (2, 5)


LIST_PAGES = {
    "applications:list": ListPage(UserFactory, my_dossiers, 3),
    "organisations:list": ListPage(UserFactory, my_organisations, 3),
    "payments:home": ListPage(UserFactory, my_payment_requests, 3, (1, 3)),
    "instruction:sessions": ListPage(staff("agent", "IDF"), commission_sessions, 6),
    "payments:batches": ListPage(staff("finance", "PDL"), payment_batches, 5, (1, 3)),
    "payments:recoveries": ListPage(staff("finance", "PDL"), recovery_orders, 3, (1, 3)),
    "accounts:login_history": ListPage(UserFactory, logins, 3),
    "instruction:batches": ListPage(staff("agent", "PDL"), batch_jobs, 5),
    "instruction:labels": ListPage(staff("agent", "PDL"), queue_labels, 6),
    "schemes:list": ListPage(UserFactory, fixed("Chèque numérique"), 4, (1,)),
}

# List pages whose budget is tested next to their other tests (the test must use one).
BUDGETED_ELSEWHERE = {
    "instruction:queue": "tests.instruction.test_queue:test_query_count_is_the_same_at_10_and_500_dossiers",
    "payments:finance_queue": "tests.payments.test_finance:test_finance_queue_query_count_does_not_grow_with_rows",
    "reporting:statistics": "tests.reporting.test_statistics:test_query_count_does_not_grow_with_the_data",
    "api:dossier-list": "tests.api.test_dossiers:test_list_query_count_is_constant",
    "api:decision-list": "tests.api.test_list_budgets:test_api_list_has_a_query_budget",
    "api:payment-list": "tests.api.test_list_budgets:test_api_list_has_a_query_budget",
    "api:scheme-list": "tests.api.test_list_budgets:test_api_list_has_a_query_budget",
}

# What makes a page a list: its URL name says so, or it is one of these.
LIST_NAMES = ("list", "queue", "batches", "recoveries", "sessions", "login_history")


@pytest.mark.parametrize("name", list(LIST_PAGES))
def test_list_page_stays_within_its_query_budget_as_rows_grow(
    name, client, django_assert_max_num_queries
):
    page = LIST_PAGES[name]
    viewer = page.viewer()
    client.force_login(viewer)
    url = reverse(name)
    assert client.get(url).status_code == 200  # the session and content types warmed
    shown = []
    for size in page.sizes:
        shown += page.rows(viewer, size - len(shown))
        with django_assert_max_num_queries(page.budget):
            response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        missing = [marker for marker in shown if marker not in html]
        assert not missing, f"{name}: {missing} not listed"
    assert len(shown) == page.sizes[-1]


def project_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or "allauth" in str(pattern.urlconf_name):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from project_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def is_list_page(name: str) -> bool:
    short = name.rsplit(":", 1)[-1]
    return short.endswith(LIST_NAMES) or short.endswith("-list")


def test_every_list_page_has_a_query_budget():
    lists = {name for name in project_url_names() if is_list_page(name)}
    assert {"applications:list", "instruction:queue", "api:payment-list"} <= lists
    budgeted = set(LIST_PAGES) | set(BUDGETED_ELSEWHERE)
    assert not lists - budgeted, f"list pages without a query budget: {sorted(lists - budgeted)}"


@pytest.mark.parametrize("name", sorted(BUDGETED_ELSEWHERE))
def test_the_budgets_tested_elsewhere_count_the_queries(name):
    module, function = BUDGETED_ELSEWHERE[name].split(":")
    source = inspect.getsource(getattr(import_module(module), function))
    assert "django_assert_num_queries" in source or "django_assert_max_num_queries" in source
