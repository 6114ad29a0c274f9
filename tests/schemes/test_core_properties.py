"""Hypothesis properties of the rules: caps, reasons, ineligible lines, order independence."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemes.core import default_versions, select_version, simulate
from schemes.core.catalog import CATEGORIES, DEVICES

VERSIONS = default_versions()
DATES = {
    "INAC": "2022-05-10",
    "INESS": "2022-03-01",
    "PDL-IN": "2023-05-02",
    "IDF-CN2": "2021-06-15",
}
APPLICANTS = {
    "INAC": {
        "kind": "company",
        "legal_form": "SARL",
        "naf": "47.71Z",
        "department": "59",
        "headcount": 4,
        "turnover": "380000",
        "registered_rcs": True,
    },
    "INESS": {
        "kind": "company",
        "legal_form": "SCOP",
        "naf": "10.71C",
        "department": "62",
        "headcount": 8,
        "turnover": "600000",
    },
    "PDL-IN": {
        "kind": "company",
        "legal_form": "SAS",
        "naf": "25.62B",
        "department": "44",
        "created_on": "2015-01-01",
        "headcount": 12,
        "turnover": "1500000",
    },
    "IDF-CN2": {"kind": "commune", "department": "93"},
}

amounts = st.decimals(
    min_value=Decimal("0"),
    max_value=Decimal("40000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
expense = st.fixed_dictionaries(
    {"category": st.sampled_from(sorted(CATEGORIES)), "amount": amounts.map(str)},
    optional={
        "mode": st.sampled_from(["purchase", "service", "subscription", "leasing"]),
        "months": st.integers(min_value=0, max_value=48),
        "device": st.sampled_from(sorted(DEVICES)),
    },
)
situation = st.builds(
    lambda scheme, expenses, other, share, basis: {
        "scheme": scheme,
        "filed_on": DATES[scheme],
        "applicant": {**APPLICANTS[scheme], "region_share": str(share)},
        "project": {
            "expenses": expenses,
            "other_public_funding": str(other),
            "expense_basis": basis if scheme == "IDF-CN2" else "HT",
        },
    },
    st.sampled_from(sorted(DATES)),
    st.lists(expense, min_size=0, max_size=8),
    st.sampled_from([Decimal("0"), Decimal("0"), Decimal("1500"), Decimal("9000")]),
    st.sampled_from([Decimal("1"), Decimal("1"), Decimal("0.5"), Decimal("0.33")]),
    st.sampled_from(["HT", "TTC"]),
)


def _version(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    from datetime import date

    return select_version(VERSIONS, data["scheme"], date.fromisoformat(data["filed_on"]))


@settings(max_examples=300, deadline=None)
@given(situation)
def test_award_within_ceiling_rate_and_public_aid_cap(data: dict[str, Any]) -> None:
    r = simulate(data, VERSIONS)
    v = _version(data)
    award, base = Decimal(r["award"]), Decimal(r["base"])
    assert award >= 0
    assert award <= v.value("ceiling")
    if v.value("rate") is not None:
        assert award <= (v.value("rate") * base).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if v.value("public_aid_cap_rate") is not None:
        other = Decimal(data["project"]["other_public_funding"])
        cap = (v.value("public_aid_cap_rate") * base).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert award <= cap - other or award == 0
    if r["eligible"]:
        assert award > 0
    assert base == sum(Decimal(line["retained"]) for line in r["lines"])
    json.dumps(r)


@settings(max_examples=300, deadline=None)
@given(situation)
def test_ineligible_has_a_reason_with_source(data: dict[str, Any]) -> None:
    r = simulate(data, VERSIONS)
    if not r["eligible"]:
        assert r["award"] == "0.00"
        assert r["reasons"]
    for reason in r["reasons"]:
        assert reason["code"] and reason["message"] and reason["source"]


@settings(max_examples=200, deadline=None)
@given(situation, st.data())
def test_adding_an_ineligible_expense_keeps_the_award(data: dict[str, Any], draw: Any) -> None:
    v = _version(data)
    not_listed = sorted(set(CATEGORIES) - set(v.value("eligible_categories")))
    extra = draw.draw(
        st.one_of(
            st.builds(
                lambda c, a: {"category": c, "amount": str(a)}, st.sampled_from(not_listed), amounts
            ),
            st.builds(
                lambda a: {
                    "category": v.value("eligible_categories")[0],
                    "mode": "leasing",
                    "amount": str(a),
                },
                amounts,
            ),
        )
    )
    position = draw.draw(st.integers(min_value=0, max_value=len(data["project"]["expenses"])))
    before = simulate(data, VERSIONS)
    more = json.loads(json.dumps(data))
    more["project"]["expenses"].insert(position, extra)
    after = simulate(more, VERSIONS)
    assert after["award"] == before["award"]
    assert after["base"] == before["base"]
    assert after["eligible"] == before["eligible"]
    assert after["lines"][position]["retained"] == "0.00"


@settings(max_examples=200, deadline=None)
@given(situation, st.randoms(use_true_random=False))
def test_order_of_expenses_does_not_matter(data: dict[str, Any], rnd: Any) -> None:
    expenses = data["project"]["expenses"]
    order = list(range(len(expenses)))
    rnd.shuffle(order)
    shuffled = json.loads(json.dumps(data))
    shuffled["project"]["expenses"] = [expenses[i] for i in order]
    a, b = simulate(data, VERSIONS), simulate(shuffled, VERSIONS)
    assert (a["award"], a["base"], a["eligible"]) == (b["award"], b["base"], b["eligible"])

    # lines permuted accordingly (identical input lines are interchangeable, defaults applied:
    # mode "purchase", and "months" 0 is no duration, as when absent)
    def key(line: dict[str, Any]) -> str:
        line = {"mode": "purchase", **line}
        if not line.get("months"):
            line.pop("months", None)
        return json.dumps(line, sort_keys=True)

    pairs_a = sorted((key(expenses[i]), a["lines"][i]["retained"]) for i in range(len(expenses)))
    pairs_b = sorted(
        (key(shuffled["project"]["expenses"][k]), b["lines"][k]["retained"])
        for k in range(len(expenses))
    )
    assert pairs_a == pairs_b
