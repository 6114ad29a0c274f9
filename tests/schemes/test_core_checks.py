"""The criteria checklist (`checks` in a simulate result): consistent with `eligible` and with
the reasons (same source), in a stable order, sourced, registered and documented."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemes.core import CHECKS, REASONS, default_versions, render_rules_markdown, simulate
from schemes.core.catalog import KINDS
from schemes.core.checks import NOT_A_CRITERION

from .casecheck import is_settle, load_cases

CORE = Path(__file__).resolve().parents[2] / "schemes" / "core"
VERSIONS = default_versions()
SIMULATE_CASES = [
    (name, case)
    for name, case in load_cases("cases") + load_cases("cases_extra")
    if not is_settle(case["input"])
]
CONTRACT_KEYS = ["scheme", "rules", "eligible", "base", "award", "lines", "reasons", "explanation"]
# A reason that can also merely reduce the award (then its check passes).
REDUCING = {"public_aid_cap"}
MAPPED = {r for d in CHECKS.values() for r in d.reasons}
ORDER = list(CHECKS)


def assert_consistent(result: dict[str, Any]) -> None:
    """The checklist's invariants for one simulate result."""
    assert list(result) == [*CONTRACT_KEYS, "checks"]
    checks = result["checks"]
    codes = [c["code"] for c in checks]
    assert len(codes) == len(set(codes)), codes
    assert codes == sorted(codes, key=ORDER.index), "checklist order is not the registry order"
    assert codes[0] == "rules_in_force"
    for c in checks:
        assert list(c) == ["code", "label", "passed", "detail", "source"]
        assert c["code"] in CHECKS
        assert c["passed"] in (True, False, None)
        for key in ("label", "detail", "source"):
            assert isinstance(c[key], str) and c[key].strip(), (c["code"], key)
        assert c["detail"].endswith("."), c
    failed = [c for c in checks if c["passed"] is False]
    reasons = result["reasons"]
    # eligible iff no failed check; the only ineligibility without a criterion is "no aid left".
    if result["eligible"]:
        assert not failed, failed
    elif not failed:
        assert {r["code"] for r in reasons} & set(NOT_A_CRITERION), reasons
    # every failed check has its reason, with the same source
    for c in failed:
        matching = [r for r in reasons if r["code"] in CHECKS[c["code"]].reasons]
        assert matching, f"failed check {c['code']} has no reason"
        assert c["source"] in {r["source"] for r in matching}, (c, matching)
    # every refusal reason that maps to a criterion shows up as a failed check
    for r in reasons:
        if r["code"] in MAPPED and r["code"] not in REDUCING:
            owners = [c for c in failed if r["code"] in CHECKS[c["code"]].reasons]
            assert owners, f"reason {r['code']} has no failed check"
            assert r["source"] in {c["source"] for c in owners}, (r, owners)
    json.dumps(result)


@pytest.mark.parametrize(("name", "case"), SIMULATE_CASES, ids=[n for n, _ in SIMULATE_CASES])
def test_checks_match_eligibility_and_reasons(name: str, case: dict[str, Any]) -> None:
    assert_consistent(simulate(case["input"]))


def test_every_ineligible_golden_case_shows_a_failed_check() -> None:
    ineligible = [simulate(c["input"]) for _, c in SIMULATE_CASES]
    ineligible = [r for r in ineligible if not r["eligible"]]
    assert len(ineligible) > 30
    for r in ineligible:
        assert any(c["passed"] is False for c in r["checks"]), r["reasons"]


def _case(name: str) -> dict[str, Any]:
    return next(c for n, c in SIMULATE_CASES if n == name)["input"]


def _by_code(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in result["checks"]}


EXPECTED_CODES = {
    "inac-basic": [
        "rules_in_force",
        "kind",
        "department",
        "profile",
        "registration",
        "headcount",
        "turnover",
        "excluded_activity",
        "aci",
        "digital_core",
        "in_difficulty",
        "tax_social",
        "certification",
        "expense_basis",
        "reapplication_wait",
        "non_cumulation",
        "floor",
        "public_aid_cap",
        "de_minimis",
    ],
    "iness-basic": [
        "rules_in_force",
        "kind",
        "department",
        "profile",
        "headcount",
        "turnover",
        "excluded_activity",
        "aci",
        "digital_core",
        "in_difficulty",
        "tax_social",
        "expense_basis",
        "reapplication_wait",
        "non_cumulation",
        "floor",
        "public_aid_cap",
        "de_minimis",
    ],
    "pdl-faq10-project-20k": [
        "rules_in_force",
        "kind",
        "department",
        "min_age",
        "market_activity",
        "micro_accounts",
        "micro_turnover",
        "sme_headcount",
        "sme_turnover",
        "in_difficulty",
        "tax_social",
        "expense_basis",
        "pending_dossier",
        "cap_cycle",
        "floor",
        "regional_activity",
        "de_minimis",
    ],
    "idf-tier-13500": [
        "rules_in_force",
        "kind",
        "department",
        "expense_basis",
        "once_per_year",
        "max_years",
        "floor",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_CODES))
def test_each_scheme_lists_the_criteria_of_its_version(name: str) -> None:
    result = simulate(_case(name))
    assert [c["code"] for c in result["checks"]] == EXPECTED_CODES[name]
    assert result["eligible"] and all(c["passed"] is not False for c in result["checks"])


def test_inac_headcount_check_reads_like_the_text() -> None:
    checks = _by_code(simulate(_case("inac-basic")))
    assert checks["headcount"] == {
        "code": "headcount",
        "label": "Effectif inférieur à 20 salariés",
        "passed": True,
        "detail": "Effectif déclaré : 4 salariés.",
        "source": "hdf-deliberation-2021-01652-annexe.txt, 1) Volet destiné aux "
        "artisans-commerçants : « < 20 salariés »",
    }
    assert (
        checks["turnover"]["label"] == "Chiffre d'affaires inférieur à 2\u00a0000\u00a0000\u00a0€"
    )
    assert checks["digital_core"]["passed"] is None  # artisan-commerçant: ESS-only exclusion
    assert checks["de_minimis"]["source"].startswith("Règlement (UE) n° 1407/2013")


def test_headcount_of_20_fails_with_the_reason_source() -> None:
    result = simulate(_case("inac-headcount-20"))
    check = _by_code(result)["headcount"]
    reason = next(r for r in result["reasons"] if r["code"] == "headcount_too_high")
    assert check["passed"] is False
    assert check["detail"] == "Effectif déclaré : 20 salariés."
    assert check["source"] == reason["source"]


def test_unregistered_company_fails_on_registration_not_on_profile() -> None:
    checks = _by_code(simulate(_case("inac-not-registered")))
    assert checks["registration"]["passed"] is False
    assert checks["profile"]["passed"] is None


def test_ess_routes_are_named_in_the_profile_detail() -> None:
    for name, route in [
        ("iness-basic", "SCOP"),
        ("iness-geiq", "groupement d'employeurs"),
        ("iness-sas-with-esus", "agréée ESUS"),
        ("inac-ess-association", "association employeuse"),
    ]:
        check = _by_code(simulate(_case(name)))["profile"]
        assert check["passed"] is True and route in check["detail"], (name, check)
    refused = _by_code(simulate(_case("iness-sas-without-esus")))["profile"]
    assert refused["passed"] is False and "ESUS non déclaré" in refused["detail"]


def test_sme_aggregation_is_shown_and_turnover_not_evaluated_after_headcount() -> None:
    checks = _by_code(simulate(_case("pdl-sme-linked")))
    assert checks["sme_headcount"]["passed"] is False
    assert "partenaires et liées" in checks["sme_headcount"]["detail"]
    assert checks["sme_turnover"]["passed"] is None


def test_below_floor_leaves_later_steps_not_evaluated() -> None:
    checks = _by_code(simulate(_case("inac-below-floor")))
    assert checks["floor"]["passed"] is False
    assert checks["public_aid_cap"]["passed"] is None
    assert checks["de_minimis"]["passed"] is None


def test_no_rules_in_force_gives_a_single_failed_check() -> None:
    result = simulate(_case("inac-after-validity"))
    assert [(c["code"], c["passed"]) for c in result["checks"]] == [("rules_in_force", False)]
    assert result["checks"][0]["source"] == result["reasons"][0]["source"]


def test_checks_do_not_change_the_contract_fields() -> None:
    """The checklist only adds a key: the contract's fields are the ones computed before."""
    for _, case in SIMULATE_CASES:
        result = simulate(case["input"])
        assert list(result)[: len(CONTRACT_KEYS)] == CONTRACT_KEYS


# --- registry and documentation ------------------------------------------------------------


def test_every_check_code_used_in_the_core_is_registered() -> None:
    pattern = re.compile(r"""Criterion\(\s*t,\s*["']([a-z_]+)["']""")
    used: set[str] = set()
    for path in CORE.glob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used == set(CHECKS), set(CHECKS) ^ used


def test_every_check_maps_to_registered_reasons() -> None:
    for code, d in CHECKS.items():
        assert d.title and d.reasons, code
        assert set(d.reasons) <= set(REASONS), code
    assert set(NOT_A_CRITERION) <= set(REASONS)
    assert not set(NOT_A_CRITERION) & MAPPED


def test_docs_list_every_check_code() -> None:
    text = render_rules_markdown()
    assert "## Critères vérifiés (liste de contrôle)" in text
    for code in CHECKS:
        assert f"| `{code}` |" in text


# --- property: random situations, including ineligible ones --------------------------------

holding = st.fixed_dictionaries(
    {
        "share": st.sampled_from(["0.2", "0.25", "0.4", "0.6"]),
        "headcount": st.sampled_from([0, 5, 45]),
        "turnover": st.sampled_from(["100000", "9500000"]),
    }
)
applicant = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(sorted(KINDS)),
        "legal_form": st.sampled_from(["SARL", "SAS", "SCOP", "GE", "GEIQ", "ASSOCIATION", "EI"]),
        "department": st.sampled_from(["59", "62", "44", "93", "75", "13"]),
        "headcount": st.sampled_from([0, 1, 4, 19, 20, 49, 50]),
        "turnover": st.sampled_from(["0", "15000", "380000", "2000000", "12000000"]),
        "market_activity_share": st.sampled_from(["0", "0.5", "0.8", "1"]),
        "region_share": st.sampled_from(["0", "0.5", "1"]),
    },
    optional={
        "naf": st.sampled_from(["47.71Z", "62.01Z", "46.90Z", "70.22Z", "10.71C", "86.21Z"]),
        "created_on": st.sampled_from(["2015-01-01", "2022-06-01"]),
        "registered_rcs": st.booleans(),
        "registered_rm": st.booleans(),
        "esus": st.booleans(),
        "siae": st.booleans(),
        "aci": st.booleans(),
        "digital_core": st.booleans(),
        "in_difficulty": st.booleans(),
        "tax_social_up_to_date": st.booleans(),
        "micro_enterprise": st.booleans(),
        "certified_accounts": st.booleans(),
        "project_certified": st.booleans(),
        "holdings": st.lists(holding, max_size=2),
    },
)
past = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(["INAC", "INESS", "PDL-IN", "IDF-CN2"]),
        "filed_on": st.sampled_from(["2019-02-01", "2021-03-01", "2021-12-01", "2022-02-01"]),
    },
    optional={
        "acknowledged_on": st.sampled_from(["2019-02-15", "2021-03-15"]),
        "awarded": st.sampled_from(["0", "4000", "15000"]),
        "status": st.sampled_from(["pending", "awarded", "refused", "withdrawn"]),
    },
)
expense = st.fixed_dictionaries(
    {
        "category": st.sampled_from(["ecommerce_site", "crm", "hardware", "commerce_solution"]),
        "amount": st.sampled_from(["500", "2500", "9000", "40000"]),
    },
    optional={"device": st.sampled_from(["computer", "tablet"])},
)
situation = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(["INAC", "INESS", "PDL-IN", "IDF-CN2"]),
        "filed_on": st.sampled_from(["2020-01-10", "2021-06-15", "2022-05-10", "2023-05-02"]),
        "applicant": applicant,
        "project": st.fixed_dictionaries(
            {
                "expenses": st.lists(expense, max_size=4),
                "other_public_funding": st.sampled_from(["0", "2000", "50000"]),
                "expense_basis": st.sampled_from(["HT", "HT", "TTC"]),
            }
        ),
        "history": st.fixed_dictionaries(
            {
                "applications": st.lists(past, max_size=3),
                "de_minimis": st.lists(
                    st.fixed_dictionaries(
                        {
                            "granted_on": st.sampled_from(["2021-06-01", "2023-01-01"]),
                            "amount": st.sampled_from(["15000", "199000", "299000"]),
                        }
                    ),
                    max_size=2,
                ),
            }
        ),
    }
)


@settings(max_examples=400, deadline=None)
@given(situation)
def test_checks_are_consistent_on_random_situations(data: dict[str, Any]) -> None:
    assert_consistent(simulate(data, VERSIONS))
