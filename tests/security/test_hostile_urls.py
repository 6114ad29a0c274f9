"""Every URL pattern × hostile values × every role: never a server error (issue 14, finding 5).

The patterns are read from the URL conf, recursively (portal, API, allauth and the Django admin),
so a new URL is walked without being listed. For each pattern:

- each path parameter in turn receives every hostile value (the other parameters keep a valid
  value of organisation A's world, so the view runs past its first look-up), by GET and by POST
  with a body of hostile values in the main form fields;
- the valid URL receives the main query parameters of the portal and the API, all set to one
  hostile value at a time.

Roles rotate over the values (each pattern is tried by every role), the clients are logged in
once per module; the API is also called with a token. Runs in both `.ci/run` test runs; the PostgreSQL one is where NUL bytes,
out-of-range integers and time-zone offsets fail (`DATABASE_URL=postgres://...`).
"""

import re
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from api.services import token_create
from territories.models import Region
from tests.security.test_authorization_matrix import MATRIX

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "a\x01\x1fb",
    "x" * 2000,
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() is true, int() accepts them
    "²",  # str.isdigit() is true, int() refuses it
    "é漢字🙂\u200b",
    "../../../etc/passwd",
    "..%2f..%2f",
    "' OR 1=1 --",
    "0973-07-03T07:54:24.805-20:15",
    "-999999-01-01",
]
ROLES = ["anonymous", "member_a", "agent_hdf", "finance_hdf", "manager_hdf", "admin"]
# The query parameters the portal and the API read (queue filters, pagination, exports, years,
# redirects, the API's filters; the API's cursor is sent on its own).
QUERY = [
    "q",
    "page",
    "page_size",
    "sort",
    "tab",
    "state",
    "scheme",
    "agent",
    "department",
    "region",
    "kind",
    "filed_from",
    "filed_to",
    "amount_min",
    "amount_max",
    "annee",
    "format",
    "next",
    "brut",
    "updated_since",
    "decided_since",
    "validated_since",
    "o",
    "p",
    "_changelist_filters",
]
# Form fields read straight from request.POST by some views (ids, versions, amounts, redirects).
FORM = [
    "dossiers",
    "payments",
    "items",
    "agent",
    "region",
    "version",
    "amount",
    "award",
    "next",
    "number",
    "date",
    "comment",
    "_selected_action",
    "action",
    "index",
    "select_across",
]
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def patterns(entries=None, namespace="", prefix=""):
    """(name, route) of every URL pattern, recursively; name is `namespace:name`."""
    if entries is None:
        entries = get_resolver().url_patterns
    for entry in entries:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            inner = ":".join(p for p in (namespace, entry.namespace) if p)
            yield from patterns(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            yield ":".join(p for p in (namespace, entry.name or route) if p), route


ALL = list(dict.fromkeys(patterns()))


def parameters(route: str) -> list[str]:
    return [m["name"] or m["group"] for m in PARAM.finditer(route)]


def valid_kwargs(name: str, world) -> dict:
    """Working values for the pattern's parameters: the authorization matrix's, else plausible."""
    entry = MATRIX.get(name)
    if entry is not None:
        owner = entry.owners[0]
        return {k: str(v) for k, v in entry.kwargs(world, getattr(world, owner or "a")).items()}
    return {"object_id": str(world.a.organisation.pk), "app_label": "organisations"}


def build(route: str, values: dict) -> str:
    def replace(match):
        key = match["name"] or match["group"]
        return quote(values.get(key, "1"), safe="")

    path = PARAM.sub(replace, route).replace("\\.", ".").replace("\\", "")
    return "/" + path


def assert_no_server_error(response, method: str, url: str, role: str):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    assert response.status_code < 500, f"{method} {url[:200]!r} as {role}: {response.status_code}"


@pytest.fixture(scope="module")
def clients(world):
    made = {"anonymous": Client()}
    for role in ROLES[1:]:
        made[role] = Client()
        made[role].force_login(world.users[role])
    # The API's callers: a writable token of Hauts-de-France (its user is an agent there).
    _, secret = token_create(
        name="Sonde",
        region=Region.objects.get(code="HDF"),
        read_only=False,
        expires_on=timezone.localdate() + timedelta(days=30),
        created_by=world.users["admin"],
    )
    made["api"] = Client(headers={"Authorization": f"Bearer {secret}"})
    return made


def callers(name: str, role: str, index: int) -> set[str]:
    """Who sends a request: the rotating role, the administrator (past most access checks) for
    every other value and, on the API, a token."""
    return {
        role,
        *(["admin"] if index % 2 == 0 else []),
        *(["api"] if name.startswith("api") else []),
    }


def test_the_walk_covers_the_portal_the_api_and_the_admin():
    names = {name for name, _ in ALL}
    assert {"schemes:detail", "instruction:bulk_assign", "api:payment-list"} <= names
    assert "admin:schemes_ruleversion_change" in names
    assert any(name.startswith("account_") for name in names)  # allauth
    assert len(ALL) > 200


def test_the_urls_are_built_with_the_hostile_value_in_the_path():
    assert build("dispositifs/<str:code>/", {"code": "\x00"}) == "/dispositifs/%00/"
    admin_list = next(route for name, route in ALL if name == "admin:app_list")
    assert build(admin_list, {"app_label": "é"}) == "/admin/%C3%A9/"


@pytest.mark.parametrize(
    "query",
    [
        "validated_since=0973-07-03T07:54:24.805-20:15",
        "validated_since=2026-01-01T00:00:00-20:15",
        "validated_since=0001-01-01T00:00:00%2B14:00",
        "validated_since=9999-12-31T23:59:59",
        "validated_since=demain",
    ],
)
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/payments/", "validated_since"),
        ("/api/v1/dossiers/", "updated_since"),
        ("/api/v1/decisions/", "decided_since"),
    ],
)
def test_api_datetime_filters_out_of_range_are_a_400_in_french(query, path, name, world, clients):
    response = clients["api"].get(f"{path}?{query.replace('validated_since', name)}")
    assert response.status_code == 400
    message = " ".join(response.json()[name])
    assert "Date et heure" in message, message


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/payments/abc/",
        "/api/v1/payments/99999999999999999999/",
        "/api/v1/dossiers/%C2%B2/",
        "/api/v1/dossiers/XX-0000-000000/",
    ],
)
def test_api_unknown_or_malformed_ids_are_a_404_in_french(path, world, clients):
    response = clients["api"].get(path)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Introuvable"), response.json()


def test_api_datetime_filter_within_range_is_accepted(world, clients):
    response = clients["api"].get("/api/v1/payments/?validated_since=2020-01-01T00:00:00-09:30")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/instruction/attribuer/", {"dossiers": ["1", "abc"], "agent": "1"}),
        ("/instruction/attribuer/", {"dossiers": ["1e309"], "agent": "1"}),
        ("/instruction/attribuer/", {"dossiers": ["99999999999999999999"], "agent": "1"}),
        ("/instruction/attribuer/", {"dossiers": ["1"], "agent": "²"}),
    ],
)
def test_non_numeric_ids_in_a_form_are_a_400_in_french(url, body, world, clients):
    response = clients["agent_hdf"].post(url, body)
    assert response.status_code == 400
    assert "Identifiant invalide" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/dispositifs/%00/", "/dispositifs/textes/%00", "/dossiers/%00/", "/?q=%00", "/%01/"],
)
def test_control_characters_in_the_address_are_a_400_in_french(url, world, clients):
    for role in ("anonymous", "member_a"):
        response = clients[role].get(url)
        assert response.status_code == 400
        assert "caractère invisible non autorisé" in response.content.decode()


@pytest.mark.parametrize(("name", "route"), ALL, ids=[name for name, _ in ALL])
def test_hostile_values_in_every_url_never_make_a_server_error(name, route, world, clients):
    valid = valid_kwargs(name, world)
    offset = ALL.index((name, route))
    # The admin's ~130 patterns share a handful of views: each takes half of the values, the
    # other half going to its neighbour, so that every value still reaches every admin view.
    values = HOSTILE[offset % 2 :: 2] if name.startswith("admin:") else HOSTILE
    # The valid URL with hostile query parameters, then hostile path parameters.
    url = build(route, valid)
    for index, value in enumerate(values):
        role = ROLES[(index + offset) % len(ROLES)]
        queries = [urlencode(dict.fromkeys(QUERY, value))]
        if name.startswith("api:"):
            # An invalid cursor is refused before the filters run: sent on its own.
            queries.append(urlencode({"cursor": value}))
        for query in queries:
            for who in callers(name, role, index):
                answer = clients[who].get(f"{url}?{query}")
                assert_no_server_error(answer, "GET", f"{url}?{query}", who)
    posts = []
    for param in parameters(route):
        for index, value in enumerate(values):
            hostile_url = build(route, {**valid, param: value})
            role = ROLES[(index + offset) % len(ROLES)]
            for who in callers(name, role, 1):
                assert_no_server_error(clients[who].get(hostile_url), "GET", hostile_url, who)
            posts.append((hostile_url, value, index))
    # POSTs last: one of them may end a session (logout) or change the world for this test only.
    posts += [(url, value, index) for index, value in enumerate(values)]
    for hostile_url, value, index in posts:
        role = ROLES[(index + offset + 3) % len(ROLES)]
        for who in callers(name, role, index + 1):
            response = clients[who].post(hostile_url, dict.fromkeys(FORM, value))
            assert_no_server_error(response, "POST", hostile_url, who)


def test_the_400_page_carries_the_security_headers(world, clients):
    response = clients["anonymous"].get("/dispositifs/%00/")
    assert response.status_code == 400
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
