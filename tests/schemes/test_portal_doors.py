"""The contract's two doors (manage.py simulate/settle and POST /api/v1/...) on the shared cases."""

import io
import json
import sys
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from schemes.models import RuleVersion
from tests.schemes.casecheck import assert_subset, is_settle, load_cases

pytestmark = pytest.mark.django_db

CASES = load_cases("cases") + load_cases("cases_extra")


def run_command(name: str, payload: str, monkeypatch) -> tuple[int, str, str]:
    """Run a management command with `payload` on standard input; return (status, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload.encode())))
    monkeypatch.setattr(sys, "stderr", err)
    try:
        call_command(name, "-", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name, case", CASES, ids=[n for n, _ in CASES])
def test_case_through_the_command(name, case, monkeypatch):
    command = "settle" if is_settle(case["input"]) else "simulate"
    status, out, err = run_command(command, json.dumps(case["input"]), monkeypatch)
    assert status == 0, err
    assert_subset(case["expect"], json.loads(out))


@pytest.mark.parametrize("name, case", CASES, ids=[n for n, _ in CASES])
def test_case_through_the_api(name, case):
    url = "/api/v1/settle" if is_settle(case["input"]) else "/api/v1/simulate"
    response = Client(enforce_csrf_checks=True).post(
        url, json.dumps(case["input"]), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert_subset(case["expect"], response.json())


def test_an_array_gives_an_array_in_the_same_order(monkeypatch):
    inputs = [case["input"] for _, case in CASES if not is_settle(case["input"])][:5]
    status, out, _ = run_command("simulate", json.dumps(inputs), monkeypatch)
    assert status == 0
    results = json.loads(out)
    assert [r["scheme"] for r in results] == [i["scheme"] for i in inputs]
    api = (
        Client()
        .post("/api/v1/simulate", json.dumps(inputs), content_type="application/json")
        .json()
    )
    assert api == results


BAD_INPUTS = [
    ("{pas du json", None),
    (
        json.dumps(
            {
                "scheme": "XYZ",
                "filed_on": "2022-05-10",
                "applicant": {"kind": "company"},
                "project": {"expenses": []},
            }
        ),
        "scheme",
    ),
    (
        json.dumps(
            {
                "scheme": "INAC",
                "filed_on": "2022-02-30",
                "applicant": {"kind": "company"},
                "project": {"expenses": []},
            }
        ),
        "filed_on",
    ),
    (
        json.dumps({"scheme": "INAC", "filed_on": "2022-05-10", "project": {"expenses": []}}),
        "applicant",
    ),
    (
        json.dumps(
            {
                "scheme": "INAC",
                "filed_on": "2022-05-10",
                "applicant": {"kind": "company"},
                "project": {"expenses": [{"category": "crm", "amount": "-5"}]},
            }
        ),
        "project.expenses.0.amount",
    ),
    (
        json.dumps(
            {
                "scheme": "INAC",
                "filed_on": "2022-05-10",
                "applicant": {"kind": "company"},
                "project": {"expenses": [{"category": "crm", "amount": "douze"}]},
            }
        ),
        "project.expenses.0.amount",
    ),
]


@pytest.mark.parametrize("payload, field", BAD_INPUTS)
def test_bad_input_exits_2_with_a_french_json_error(payload, field, monkeypatch):
    status, out, err = run_command("simulate", payload, monkeypatch)
    assert status == 2
    assert out == ""
    error = json.loads(err)
    assert set(error) == {"error", "field"}
    if field == "applicant":
        assert error["field"] in {"applicant", "applicant.kind"}
    else:
        assert error["field"] == field
    assert isinstance(error["error"], str) and error["error"].rstrip().endswith(".")


@pytest.mark.parametrize("payload, field", BAD_INPUTS)
def test_bad_input_is_a_400_with_the_same_object(payload, field, monkeypatch):
    response = Client().post("/api/v1/simulate", payload, content_type="application/json")
    assert response.status_code == 400
    _, _, err = run_command("simulate", payload, monkeypatch)
    assert response.json() == json.loads(err)


def test_settle_bad_input_is_refused(monkeypatch):
    payload = json.dumps(
        {"scheme": "PDL-IN", "filed_on": "2023-05-02", "award": "-1", "planned_base": "1000"}
    )
    status, _, err = run_command("settle", payload, monkeypatch)
    assert status == 2
    assert json.loads(err)["field"] == "award"


def test_the_command_reads_a_file(tmp_path):
    case = dict(CASES)["inac-basic"]
    path = tmp_path / "situation.json"
    path.write_text(json.dumps(case["input"]))
    out = io.StringIO()
    call_command("simulate", str(path), stdout=out)
    assert json.loads(out.getvalue())["award"] == "3200.00"


def test_the_api_refuses_get():
    assert Client().get("/api/v1/simulate").status_code == 405


def test_an_ineligible_situation_is_not_an_error():
    case = dict(CASES)["inac-basic"]["input"]
    situation = {**case, "filed_on": "2030-01-01"}
    response = Client().post(
        "/api/v1/simulate", json.dumps(situation), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False
    assert body["award"] == "0.00"
    assert body["reasons"]


def test_the_doors_use_the_rule_versions_stored_in_the_database():
    """A scheme manager's change to a stored parameter changes the computed aid."""
    case = dict(CASES)["inac-basic"]["input"]

    def award() -> str:
        return (
            Client()
            .post("/api/v1/simulate", json.dumps(case), content_type="application/json")
            .json()["award"]
        )

    before = award()  # the versions are parsed once per process: the change must still show
    # A published version is immutable (issue 18): the change is a new version, published.
    version = RuleVersion.objects.get(ident="INAC/2021-11-01")
    version.parameters["rate"]["value"] = "0.50"
    version.pk, version.ident, version.valid_from = None, "INAC/2022-01-01", date(2022, 1, 1)
    version.save()
    assert (before, award()) == (dict(CASES)["inac-basic"]["expect"]["award"], "4000.00")
