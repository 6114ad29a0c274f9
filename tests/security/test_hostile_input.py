"""Hostile input: no body, form or URL argument makes the portal answer with a server error.

The public API (contract: /work/shared/contracts/simulate.md) answers 200 or 400 with a JSON
body `{"error": str, "field": str | None}`; the main forms answer a page, a redirect or a
refusal, never a 500. The Django test client re-raises any exception of a view, so a crash
fails the test with hypothesis' smallest falsifying example.
"""

import copy
import json
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SIMULATE = {
    "scheme": "INAC",
    "filed_on": "2022-05-10",
    "applicant": {
        "kind": "company",
        "legal_form": "SARL",
        "naf": "47.71Z",
        "department": "59",
        "created_on": "2015-03-01",
        "headcount": 4,
        "turnover": "380000",
        "balance_sheet_total": None,
        "registered_rcs": True,
        "tax_social_up_to_date": True,
        "market_activity_share": "1",
        "region_share": "1",
        "holdings": [{"share": "0.30", "headcount": 12, "turnover": "900000"}],
    },
    "project": {
        "expense_basis": "HT",
        "expenses": [
            {"category": "ecommerce_site", "amount": "6000"},
            {"category": "hardware", "device": "computer", "amount": "1200"},
            {"category": "crm", "mode": "subscription", "months": 24, "amount": "2400"},
        ],
        "other_public_funding": "0",
    },
    "history": {
        "de_minimis": [{"granted_on": "2021-06-01", "amount": "15000"}],
        "applications": [
            {
                "scheme": "INAC",
                "filed_on": "2019-02-01",
                "acknowledged_on": "2019-02-15",
                "awarded": "4000",
            }
        ],
    },
}
SETTLE = {
    "scheme": "PDL-IN",
    "filed_on": "2023-05-02",
    "award": "15000",
    "planned_base": "30000",
    "actual_base": "20000",
    "advance_paid": "4500",
    "expense_basis": "HT",
}


def paths(value, prefix=()):
    """Every documented path of a body: dict keys and list indexes, recursively."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from paths(inner, (*prefix, index))


SIMULATE_PATHS = list(paths(SIMULATE))
SETTLE_PATHS = list(paths(SETTLE))

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters
    st.sampled_from(
        [
            "",
            "-1",
            "-0.01",
            "NaN",
            "nan",
            "Infinity",
            "-Infinity",
            "1e309",
            "1e-400",
            "9" * 20,
            "1 234,56",
            "1,5",
            "0x10",
            "²",
            "٣",
            "2022-02-30",
            "2023-13-01",
            "0000-00-00",
            "2022-5-1",
            "10/05/2022",
            "9999-12-31",
            "0001-01-01",
            "\x00",
            "\ud7ff\ufffd",
            "INAC\u200b",
            "inac",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)


def mutate(base: dict, path: tuple, value):
    body = copy.deepcopy(base)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def assert_contract(response):
    assert response.status_code in (200, 400), response.status_code
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    payload = json.loads(response.content)
    if response.status_code == 400:
        assert set(payload) == {"error", "field"}, payload
        assert isinstance(payload["error"], str) and payload["error"]
        assert payload["field"] is None or isinstance(payload["field"], str)


API = {"simulate": (SIMULATE, SIMULATE_PATHS), "settle": (SETTLE, SETTLE_PATHS)}


@pytest.fixture
def api_client(db):
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("door", list(API))
def test_api_answers_200_for_the_documented_example(door, api_client):
    response = api_client.post(
        f"/api/v1/{door}", json.dumps(API[door][0]), content_type="application/json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("door", list(API))
@FUZZ
@given(data=st.data())
def test_api_wrong_value_at_any_documented_field_is_200_or_a_400_json_error(door, api_client, data):
    base, where = API[door]
    path = data.draw(st.sampled_from(where), label="path")
    value = data.draw(json_values, label="value")
    body = mutate(base, path, value)
    response = api_client.post(f"/api/v1/{door}", json.dumps(body), content_type="application/json")
    assert_contract(response)


@pytest.mark.parametrize("door", list(API))
@FUZZ
@given(body=json_values)
def test_api_arbitrary_json_is_200_or_a_400_json_error(door, api_client, body):
    response = api_client.post(f"/api/v1/{door}", json.dumps(body), content_type="application/json")
    assert_contract(response)


@pytest.mark.parametrize("door", list(API))
@FUZZ
@given(raw=st.binary(max_size=200))
@example(raw=b"")
@example(raw=b"\xff\xfe\x00{")
@example(raw=b'{"scheme": "INAC", "filed_on": "2022-02-30"}')
@example(raw=b'{"scheme": NaN}')
@example(raw=b'{"award": 1e999999}')
def test_api_raw_bytes_non_utf8_and_empty_bodies_are_400_json(door, api_client, raw):
    response = api_client.post(f"/api/v1/{door}", raw, content_type="application/json")
    assert_contract(response)


HUGE = [
    ("simulate", ("applicant", "turnover")),
    ("simulate", ("applicant", "headcount")),
    ("simulate", ("project", "expenses", 0, "amount")),
    ("simulate", ("project", "other_public_funding")),
    ("simulate", ("history", "de_minimis", 0, "amount")),
    ("settle", ("award",)),
    ("settle", ("planned_base",)),
    ("settle", ("actual_base",)),
    ("settle", ("advance_paid",)),
]


@pytest.mark.parametrize(
    ("door", "path"),
    [pytest.param(door, path) for door, path in HUGE],
    ids=[f"{door}-{'.'.join(map(str, path))}" for door, path in HUGE],
)
@pytest.mark.parametrize("value", [10**30, "9" * 400], ids=["number", "string"])
def test_api_huge_amount_is_a_400_json_error(door, path, value, api_client):
    body = mutate(API[door][0], path, value)
    response = api_client.post(f"/api/v1/{door}", json.dumps(body), content_type="application/json")
    assert_contract(response)


@pytest.mark.parametrize(
    "door",
    [door for door in API],
)
def test_api_deeply_nested_json_is_a_400_json_error(door, api_client):
    response = api_client.post(f"/api/v1/{door}", b"[" * 5000, content_type="application/json")
    assert_contract(response)


@pytest.mark.parametrize("door", list(API))
def test_api_list_of_situations_with_one_bad_item_is_a_json_answer(door, api_client):
    base = API[door][0]
    body = [base, mutate(base, ("filed_on",), "2022-02-30")]
    response = api_client.post(f"/api/v1/{door}", json.dumps(body), content_type="application/json")
    assert_contract(response)


# --- Forms ---------------------------------------------------------------------------------------

form_values = st.one_of(hostile_text, st.integers().map(str), st.just("on"))


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken"}
    return sorted(names)


def _numeric_total_with_add_line(body: dict) -> dict:
    """The "add a line" button with a tampered form count is tested on its own below."""
    if "add_line" in body:
        for key in body:
            if (
                key.endswith("TOTAL_FORMS")
                and not body[key].isascii()
                or (key.endswith("TOTAL_FORMS") and not body[key].lstrip("-").isdigit())
            ):
                body[key] = "1"
    return body


def form_data(names):
    """Random values for a random subset of the page's fields (plus an unknown field)."""
    keys = st.sampled_from([*names, "add_line", "lookup", "unexpected-field"])
    return st.dictionaries(keys, form_values, max_size=len(names) + 3).map(
        _numeric_total_with_add_line
    )


def assert_no_crash(response):
    assert response.status_code < 500, response.status_code


@pytest.fixture
def member_client(world):
    client = Client()
    client.force_login(world.a.member)
    return client


@FUZZ
@given(data=st.data())
def test_signup_form_never_crashes(data, db):
    client = Client()
    url = reverse("account_signup")
    names = field_names(client.get(url).content.decode())
    assert_no_crash(client.post(url, data.draw(form_data(names))))


@FUZZ
@given(data=st.data())
def test_organisation_form_with_siret_never_crashes(data, member_client):
    url = reverse("organisations:add")
    names = field_names(member_client.get(url).content.decode())
    body = data.draw(form_data(names))
    body.setdefault("siret", data.draw(st.one_of(hostile_text, st.from_regex(r"\A\d{14}\Z"))))
    assert_no_crash(member_client.post(url, body))


@FUZZ
@given(data=st.data())
def test_simulator_form_never_crashes(data, db):
    client = Client()
    url = reverse("schemes:simulator")
    names = field_names(client.get(url).content.decode())
    assert_no_crash(client.post(url, data.draw(form_data(names))))


@pytest.mark.parametrize(
    "step", ["step_organisation", "step_eligibility", "step_project", "step_funding", "step_bank"]
)
@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_dossier_step_forms_never_crash(step, data, world, member_client):
    url = reverse(f"applications:{step}", args=[world.a.draft.pk])
    # A step saves whatever is valid in a post (issue 21): each example is rolled back, so that
    # every example starts from the same draft and the same page (Hypothesis replays them).
    with transaction.atomic():
        names = field_names(member_client.get(url).content.decode())
        assert_no_crash(member_client.post(url, data.draw(form_data(names))))
        transaction.set_rollback(True)


@FUZZ
@given(
    action=st.one_of(
        st.from_regex(r"\A[-a-zA-Z0-9_]{1,30}\Z"),
        st.sampled_from(
            [
                "take",
                "assign",
                "admissible",
                "propose",
                "accept",
                "reject",
                "complements",
                "note",
                "message",
                "reopen",
                "release",
                "retain",
                "check",
                "withdraw",
            ]
        ),
    ),
    body=st.dictionaries(
        st.sampled_from(
            [
                "version",
                "comment",
                "award",
                "favourable",
                "agent",
                "items",
                "due_on",
                "body",
                "reason",
                "criterion",
                "status",
                "line",
                "amount",
                "text",
                "decision",
            ]
        ),
        form_values,
        max_size=6,
    ),
)
def test_agent_action_endpoint_never_crashes(action, body, world, db):
    client = Client()
    client.force_login(world.users["agent_hdf"])
    url = reverse("instruction:action", args=[world.a.dossier.pk, action])
    assert_no_crash(client.post(url, body))


def test_simulator_add_line_with_a_non_numeric_total_is_not_a_500(db):
    response = Client().post(
        reverse("schemes:simulator"), {"add_line": "on", "expenses-TOTAL_FORMS": "on"}
    )
    assert_no_crash(response)


def test_dossier_project_step_add_line_with_a_non_numeric_total_is_not_a_500(world, member_client):
    url = reverse("applications:step_project", args=[world.a.draft.pk])
    assert_no_crash(member_client.post(url, {"add_line": "on", "expenses-TOTAL_FORMS": "x"}))
