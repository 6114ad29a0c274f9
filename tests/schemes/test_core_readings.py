"""The open readings of the texts (issue 16): each decided from the text, documented in
docs/rules.md (the parameter's note), and a parameter a region may set otherwise. Each test
checks the decision and the other choice."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemes.core import RuleVersion, default_versions, render_rules_markdown, simulate
from tests.schemes.situations import BASE

READINGS = (
    "hardware_one_per_type",
    "non_cumulative_years",
    "cap_counts_years",
    "early_commitment",
    "floor_on_prorated_base",
    "region_share_before_cap",
)


def _versions(scheme: str | None = None, **changes: Any) -> list[RuleVersion]:
    out = []
    for v in default_versions():
        if v.scheme == scheme and changes:
            data = json.loads(json.dumps(v.to_json()))
            for name, value in changes.items():
                data["parameters"][name]["value"] = value
            v = RuleVersion.from_json(data)
        out.append(v)
    return out


INAC = {
    "scheme": "INAC",
    "filed_on": "2022-05-10",
    "applicant": {
        "kind": "company",
        "legal_form": "SARL",
        "naf": "47.71Z",
        "department": "59",
        "headcount": 4,
        "turnover": "380000",
        "registered_rcs": True,
    },
    "project": {"expenses": [{"category": "ecommerce_site", "amount": "6000"}]},
}
PDL = BASE["PDL-IN"]  # the typical PDL-IN company and project (copied by _with)


def _with(base: dict[str, Any], **parts: Any) -> dict[str, Any]:
    s = json.loads(json.dumps(base))
    for key, value in parts.items():
        if key in ("applicant", "project"):
            s[key].update(value)
        else:
            s[key] = value
    return s


CONCERNED = {
    "hardware_one_per_type": ("INAC", "INESS"),
    "non_cumulative_years": ("INAC", "INESS"),
    "cap_counts_years": ("PDL-IN",),
    "early_commitment": ("INAC", "INESS", "PDL-IN"),
    "floor_on_prorated_base": ("PDL-IN",),
    "region_share_before_cap": ("PDL-IN",),
}


@pytest.mark.parametrize("name", READINGS)
def test_each_reading_is_a_cited_documented_parameter(name: str) -> None:
    docs = render_rules_markdown()
    for v in default_versions():
        assert name in v.parameters
        if v.scheme in CONCERNED[name]:
            param = v.parameters[name]
            assert param.note and "«" in param.source.passage, (v.scheme, name)
            assert param.note.split(" : ")[0] in docs
    assert f"`{name}`" in docs


# 1. « deux des trois matériels … dans la limite de 800 € HT par matériel »

TWO_COMPUTERS = _with(
    INAC,
    project={
        "expenses": [
            {"category": "ecommerce_site", "amount": "6000"},
            {"category": "hardware", "device": "computer", "amount": "900"},
            {"category": "hardware", "device": "computer", "amount": "700"},
        ]
    },
)


def test_two_computers_one_is_retained() -> None:
    r = simulate(TWO_COMPUTERS)
    assert [line["retained"] for line in r["lines"]] == ["6000.00", "800.00", "0.00"]
    assert "hardware_same_type" in {x["code"] for x in r["reasons"]}


def test_a_region_reading_two_devices_of_any_kind_keeps_both() -> None:
    r = simulate(TWO_COMPUTERS, _versions("INAC", hardware_one_per_type=False))
    assert [line["retained"] for line in r["lines"]] == ["6000.00", "800.00", "700.00"]


# 2. PDL: a first award below 15 000 € limits the later projects until the cap is reached.

FIRST_AWARD = {
    "applications": [
        {
            "scheme": "PDL-IN",
            "filed_on": "2019-03-01",
            "acknowledged_on": "2019-03-15",
            "awarded": "10000",
        }
    ]
}


def test_pdl_first_award_below_the_cap_still_limits_four_years_later() -> None:
    r = simulate(_with(PDL, history=FIRST_AWARD))
    assert r["award"] == "5000.00"
    assert "cap_remaining" in {x["code"] for x in r["reasons"]}


def test_a_region_may_stop_counting_old_awards() -> None:
    r = simulate(_with(PDL, history=FIRST_AWARD), _versions("PDL-IN", cap_counts_years=3))
    assert r["award"] == "10000.00"


# 3. INAC <-> INESS non-cumulation: any dossier of the other volet, whatever its date.

OLD_INESS = {"applications": [{"scheme": "INESS", "filed_on": "2019-01-10", "awarded": "4000"}]}


def test_non_cumulation_has_no_period_in_the_text() -> None:
    r = simulate(_with(INAC, history=OLD_INESS))
    assert not r["eligible"]
    assert "not_cumulative" in {x["code"] for x in r["reasons"]}


def test_a_region_may_bound_the_non_cumulation() -> None:
    r = simulate(_with(INAC, history=OLD_INESS), _versions("INAC", non_cumulative_years=2))
    assert r["eligible"]


# 4. PDL FAQ 16: a quote signed before filing removes that expense, not the dossier.

SIGNED_EARLY = _with(
    PDL,
    project={
        "expenses": [
            {"category": "erp", "amount": "20000", "committed_on": "2023-04-30"},
            {"category": "crm", "amount": "6000", "committed_on": "2023-05-02"},
        ]
    },
)


def test_pdl_quote_signed_before_filing_removes_only_that_expense() -> None:
    r = simulate(SIGNED_EARLY)
    assert (r["eligible"], r["award"]) == (True, "3000.00")


def test_a_region_may_refuse_the_whole_dossier() -> None:
    r = simulate(SIGNED_EARLY, _versions("PDL-IN", early_commitment="dossier"))
    assert (r["eligible"], r["award"]) == (False, "0.00")
    [reason] = [x for x in r["reasons"] if x["code"] == "committed_before_filing"]
    assert reason["effect"] == "ineligible" and "ligne 1" in reason["message"]


# 5. PDL secondary establishment (FAQ 6): floor on the whole base, proration before the cap.


def test_pdl_floor_is_on_the_whole_base() -> None:
    r = simulate(
        _with(
            PDL,
            applicant={"region_share": "0.4"},
            project={"expenses": [{"category": "erp", "amount": "8000"}]},
        )
    )
    assert (r["eligible"], r["award"]) == (True, "1600.00")
    r = simulate(
        _with(
            PDL,
            applicant={"region_share": "0.4"},
            project={"expenses": [{"category": "erp", "amount": "8000"}]},
        ),
        _versions("PDL-IN", floor_on_prorated_base=True),
    )
    assert not r["eligible"] and "below_floor" in {x["code"] for x in r["reasons"]}


def test_pdl_proration_comes_before_the_remaining_cap() -> None:
    situation = _with(
        PDL,
        applicant={"region_share": "0.5"},
        project={"expenses": [{"category": "erp", "amount": "30000"}]},
        history=FIRST_AWARD,
    )
    assert simulate(situation)["award"] == "5000.00"  # min(15 000 × 50 %, 5 000)
    other = simulate(situation, _versions("PDL-IN", region_share_before_cap=False))
    assert other["award"] == "2500.00"  # min(15 000, 5 000) × 50 %
