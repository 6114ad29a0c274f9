"""No page of the portal shows a Python value to its reader.

The public scheme page printed `datetime.date(2021, 11, 1)`, `Decimal('200000')`, `True` and `None`.
This test lists every page from the URL conf (so a new page is checked without being named here),
fills its parameters with the demo data's objects, and reads each as a visitor, an applicant, an
agent, a finance officer and a scheme manager of each region: the visible text (tags, scripts and
styles removed) and the values shown in form fields hold no Python repr.
"""

import html
import itertools
import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from applications.models import Dossier
from governance.models import ImpactRun
from organisations.models import Organisation
from payments.enums import PaymentKind
from payments.models import PaymentBatch, PaymentRequest, ProviderChange, RecoveryOrder
from portal.management.commands.seed_demo import DEMO_DOMAIN
from schemes.models import GoldenCase, Scheme
from schemes.views import SOURCE_TITLES
from territories.models import Region

pytestmark = pytest.mark.django_db

REPR = re.compile(
    r"datetime\.|Decimal\(|\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|<[a-zA-Z]+ object at 0x"
)
FIELD_VALUE = re.compile(r'<(?:input|option)[^>]*\bvalue="(None|True|False)"')

# Not pages a person reads: the admin (Django's own), machine interfaces, probes, the logout
# action (reading it as a page would end the session under test).
SKIPPED_PREFIXES = ("admin/", "api/v1/simulate", "api/v1/settle", "healthz")
SKIPPED_NAMES = {"account_logout", "api:schema"}
# Parameters that name a file, a one-time key or an action: downloads (PDF, CSV, uploaded
# files) and POST-only actions, not pages.
FILE_OR_ACTION_KWARGS = {
    "attachment_id",
    "document_id",
    "invoice_id",
    "obj_id",
    "message_id",
    "payment_pk",
    "invitation_id",
    "fmt",
    "action",
    "token",
    "key",
    "uidb36",
    "number",
}


from reporting.models import ExportJob  # noqa: E402


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name, kwarg names) of every URL of the portal."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names = list(pattern.pattern.regex.groupindex)
            yield route, f"{namespace}{pattern.name}", names


def pages_to_read():
    for route, name, kwargs in url_patterns():
        if route.startswith(SKIPPED_PREFIXES) or name in SKIPPED_NAMES:
            continue
        if route.startswith("api/") and name != "api:docs":
            continue
        if set(kwargs) & FILE_OR_ACTION_KWARGS:
            continue
        yield name, kwargs


def pk_objects(name: str) -> list[int]:
    """The objects a page's `pk` names, by the page's URL name."""
    if name.startswith("organisations:"):
        return list(Organisation.objects.values_list("pk", flat=True))
    if name.startswith("instruction:session"):
        from instruction.models import CommissionSession

        return list(CommissionSession.objects.values_list("pk", flat=True))
    if name.startswith("payments:batch"):
        return list(PaymentBatch.objects.values_list("pk", flat=True))
    if name.startswith("payments:finance_"):
        return list(PaymentRequest.objects.values_list("pk", flat=True))
    if name.startswith("payments:recover"):
        return list(RecoveryOrder.objects.values_list("pk", flat=True))
    if name.startswith("governance:"):
        from schemes.models import RuleVersion

        return list(RuleVersion.objects.values_list("pk", flat=True))
    return list(Dossier.objects.values_list("pk", flat=True))


def sample_kwargs(name: str, kwargs: list[str]) -> list[dict]:
    """Every combination of the demo's objects for a page's parameters."""
    if not kwargs:
        return [{}]
    if kwargs == ["pk", "request_id"]:
        return [
            {"pk": d, "request_id": r}
            for r, d in PaymentRequest.objects.values_list("pk", "dossier_id")
        ]
    if kwargs == ["pk", "change_id"]:
        return [
            {"pk": d, "change_id": c}
            for c, d in ProviderChange.objects.values_list("pk", "dossier_id")
        ]
    year = timezone.localdate().year
    values = {
        "pk": pk_objects(name),
        "kind": list(PaymentKind.values),
        "code": list(Scheme.objects.values_list("code", flat=True)),
        "name": list(SOURCE_TITLES),
        "year": [year],
        "region": list(Region.objects.values_list("code", flat=True)),
        # Rule governance (/gestion/): golden cases, impact runs, export formats.
        "case": list(GoldenCase.objects.values_list("pk", flat=True)),
        "run": list(ImpactRun.objects.values_list("pk", flat=True)) or [0],
        "fmt": ["json"],
        # Export jobs (reporting): the demo has none; an unknown id must answer a French 404.
        "job_id": [str(j) for j in ExportJob.objects.values_list("pk", flat=True)]
        or ["00000000-0000-4000-8000-000000000000"],
    }
    missing = [k for k in kwargs if k not in values]
    assert not missing, f"{name}: no sample value for {missing}; add one to this test"
    return [
        dict(zip(kwargs, combination, strict=True))
        for combination in itertools.product(*(values[k] for k in kwargs))
    ]


def visible_text(content: str) -> str:
    content = re.sub(r"<(script|style|template)\b.*?</\1>", " ", content, flags=re.S | re.I)
    content = re.sub(r"<!--.*?-->", " ", content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def python_values(content: str) -> list[str]:
    text = visible_text(content)
    found = [text[max(0, m.start() - 60) : m.end() + 40].strip() for m in REPR.finditer(text)]
    found += [f"champ de formulaire : {m.group(0)}" for m in FIELD_VALUE.finditer(content)]
    return found


READERS = ["visiteur"] + [
    f"{role}.{region}"
    for region in ("hdf", "pdl", "idf")
    for role in ("demandeur", "instructeur", "finance", "gestionnaire")
]


@pytest.mark.parametrize("reader", READERS)
def test_no_page_shows_a_python_value(client, reader):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    if reader != "visiteur":
        client.force_login(User.objects.get(email=f"{reader}@{DEMO_DOMAIN}"))
    read, faults = 0, []
    for name, kwargs in pages_to_read():
        for params in sample_kwargs(name, kwargs):
            url = reverse(name, kwargs=params)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            read += 1
            content = response.content.decode()
            faults += [f"{url}: {found}" for found in python_values(content)]
    assert read >= 8, f"only {read} pages read as {reader}"
    assert not faults, "\n".join(faults)


def test_the_check_sees_a_python_value_in_a_page():
    page = (
        "<p>Ouvert depuis le datetime.date(2021, 11, 1)</p><script>var x = None;</script>"
        "<input value=\"None\"><p>Plafond Decimal('200000')</p>"
    )
    found = python_values(page)
    assert len(found) == 3, found
    assert python_values("<p>Nonetheless, la Trueffe</p><script>if (x === None) {}</script>") == []


@pytest.mark.parametrize("department", ["59", "80", "44", "93"])
def test_simulator_results_show_no_python_value(client, department):
    """The simulator's answer (a POST) for each region, with every kind of reason."""
    from tests.schemes.test_portal_pages import simulator_data

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    data = simulator_data(department=department, created_on="2024-02-01")
    response = client.post(reverse("schemes:simulator"), data)
    content = response.content.decode()
    assert 'id="res-' in content
    assert python_values(content) == []
