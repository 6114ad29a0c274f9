"""Bad input raises InputError with a French message and the dotted path of the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from schemes.core import InputError, settle, simulate

BASE: dict[str, Any] = {
    "scheme": "INAC",
    "filed_on": "2022-05-10",
    "applicant": {
        "kind": "company",
        "legal_form": "SARL",
        "department": "59",
        "registered_rcs": True,
    },
    "project": {
        "expenses": [{"category": "erp", "amount": "10000"}, {"category": "crm", "amount": 2000}]
    },
}


def _with(path: str, value: Any, delete: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if delete:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


BAD = [
    ("project.expenses.1.amount", -5, "project.expenses.1.amount"),
    ("project.expenses.1.amount", "12,50", "project.expenses.1.amount"),
    ("project.expenses.0.amount", "abc", "project.expenses.0.amount"),
    ("project.expenses.0.amount", True, "project.expenses.0.amount"),
    ("project.expenses.0.amount", "NaN", "project.expenses.0.amount"),
    ("project.expenses.0.category", "spaceship", "project.expenses.0.category"),
    ("project.expenses.0.mode", "rent", "project.expenses.0.mode"),
    ("project.expenses.0.months", 1.5, "project.expenses.0.months"),
    ("project.expenses.0.committed_on", "2022-02-30", "project.expenses.0.committed_on"),
    ("project.expenses.0", "erp", "project.expenses.0"),
    ("project.expenses", {"a": 1}, "project.expenses"),
    ("project.expense_basis", "HTT", "project.expense_basis"),
    ("project.other_public_funding", "-1", "project.other_public_funding"),
    ("filed_on", "2022-13-01", "filed_on"),
    ("filed_on", "10/05/2022", "filed_on"),
    ("filed_on", 20220510, "filed_on"),
    ("scheme", "XYZ", "scheme"),
    ("scheme", None, "scheme"),
    ("applicant.kind", "person", "applicant.kind"),
    ("applicant.kind", None, "applicant.kind"),
    ("applicant.naf", "ABCDE", "applicant.naf"),
    ("applicant.department", "Nord", "applicant.department"),
    ("applicant.esus", "yes", "applicant.esus"),
    ("applicant.region_share", "1.5", "applicant.region_share"),
    ("applicant.turnover", [], "applicant.turnover"),
    ("applicant.created_on", "2015-02-29", "applicant.created_on"),
    ("applicant.holdings", [{"share": "2"}], "applicant.holdings.0.share"),
    ("history", {"de_minimis": [{"granted_on": "2021-01-01"}]}, "history.de_minimis.0.amount"),
    (
        "history",
        {"applications": [{"scheme": "NOPE", "filed_on": "2021-01-01"}]},
        "history.applications.0.scheme",
    ),
    ("applicant", "company", "applicant"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD)
def test_bad_value_names_the_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(InputError) as exc:
        simulate(_with(path, value))
    assert exc.value.field == field
    assert exc.value.message and isinstance(exc.value.message, str)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("scheme", "scheme"),
        ("filed_on", "filed_on"),
        ("applicant.kind", "applicant.kind"),
        ("project.expenses", "project.expenses"),
        ("project.expenses.0.amount", "project.expenses.0.amount"),
        ("project.expenses.0.category", "project.expenses.0.category"),
        ("applicant", "applicant.kind"),
        ("project", "project.expenses"),
    ],
)
def test_missing_required_field(path: str, field: str) -> None:
    with pytest.raises(InputError) as exc:
        simulate(_with(path, None, delete=True))
    assert exc.value.field == field
    assert "obligatoire" in exc.value.message


@pytest.mark.parametrize("data", [[1, 2], "text", 42, None])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(InputError) as exc:
        simulate(data)
    assert "objet" in exc.value.message


def test_list_input_prefixes_the_index() -> None:
    bad = _with("project.expenses.0.amount", "-3")
    with pytest.raises(InputError) as exc:
        simulate([BASE, BASE, bad])
    assert exc.value.field == "2.project.expenses.0.amount"
    with pytest.raises(InputError) as exc:
        simulate([BASE, "nope"])
    assert exc.value.field == "1"


def test_accepts_numbers_floats_and_strings() -> None:
    as_float = _with("project.expenses.0.amount", 10000.0)
    assert simulate(as_float)["award"] == simulate(BASE)["award"] == "4800.00"


def test_naf_written_both_ways() -> None:
    a = simulate(_with("applicant.naf", "47.73Z"))
    b = simulate(_with("applicant.naf", "4773Z"))
    assert a == b
    assert a["reasons"][0]["code"] == "activity_excluded"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("award", "-1"),
        ("actual_base", "x"),
        ("advance_paid", -2),
        ("filed_on", "2023-02-31"),
    ],
)
def test_settle_bad_input(key: str, value: Any) -> None:
    data = {
        "scheme": "PDL-IN",
        "filed_on": "2023-05-02",
        "award": "15000",
        "planned_base": "30000",
        key: value,
    }
    with pytest.raises(InputError) as exc:
        settle(data)
    assert exc.value.field == key


def test_settle_missing_award() -> None:
    with pytest.raises(InputError) as exc:
        settle({"scheme": "PDL-IN", "filed_on": "2023-05-02"})
    assert exc.value.field == "award"


def test_error_to_json() -> None:
    err = InputError("Message", "a.b")
    assert err.to_json() == {"error": "Message", "field": "a.b"}
