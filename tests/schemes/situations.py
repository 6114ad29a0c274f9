"""Many situations per scheme, built deterministically: each scheme's typical applicant and
project, then one variation at a time (every NAF entry of the table, every category, each
applicant flag, each kind of history, dates around the validity), and payment requests.
Used by the tests that must see every reason the engine can give (citations, wording)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from schemes.core.catalog import CATEGORIES
from schemes.core.naf import NAF_TABLE

BASE: dict[str, dict[str, Any]] = {
    "INAC": {
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
        "project": {
            "expenses": [
                {"category": "ecommerce_site", "amount": "6000"},
                {"category": "hardware", "device": "computer", "amount": "1200"},
            ]
        },
    },
    "INESS": {
        "scheme": "INESS",
        "filed_on": "2022-03-01",
        "applicant": {
            "kind": "company",
            "legal_form": "SCOP",
            "naf": "10.71C",
            "department": "62",
            "headcount": 8,
            "turnover": "600000",
        },
        "project": {
            "expenses": [
                {"category": "erp", "amount": "10000"},
                {"category": "hardware", "device": "tablet", "amount": "700"},
            ]
        },
    },
    "PDL-IN": {
        "scheme": "PDL-IN",
        "filed_on": "2023-05-02",
        "applicant": {
            "kind": "company",
            "legal_form": "SAS",
            "naf": "25.62B",
            "department": "44",
            "created_on": "2015-01-01",
            "headcount": 12,
            "turnover": "1500000",
        },
        "project": {"expenses": [{"category": "erp", "amount": "20000"}]},
    },
    "IDF-CN2": {
        "scheme": "IDF-CN2",
        "filed_on": "2021-06-15",
        "applicant": {"kind": "commune", "department": "93"},
        "project": {"expenses": [{"category": "commerce_solution", "amount": "13500"}]},
    },
}

Mutation = Callable[[dict[str, Any]], None]


def _applicant(**values: Any) -> Mutation:
    def apply(s: dict[str, Any]) -> None:
        s["applicant"].update(values)

    return apply


def _expenses(*lines: dict[str, Any]) -> Mutation:
    def apply(s: dict[str, Any]) -> None:
        s["project"]["expenses"] = [dict(line) for line in lines]

    return apply


def _history(**values: Any) -> Mutation:
    def apply(s: dict[str, Any]) -> None:
        s["history"] = values

    return apply


def _set(key: str, value: Any) -> Mutation:
    def apply(s: dict[str, Any]) -> None:
        s[key] = value

    return apply


def _project(**values: Any) -> Mutation:
    def apply(s: dict[str, Any]) -> None:
        s["project"].update(values)

    return apply


def _naf_code(prefix: str) -> str:
    code = (prefix + "0000")[:4] + (prefix[4] if len(prefix) == 5 else "Z")
    return f"{code[:2]}.{code[2:]}"


def _mutations(scheme: str) -> list[Mutation]:
    main = {
        "INAC": "ecommerce_site",
        "INESS": "erp",
        "PDL-IN": "erp",
        "IDF-CN2": "commerce_solution",
    }[scheme]
    out: list[Mutation] = [lambda s: None]
    for day in ("2018-06-01", "2019-12-31", "2020-03-11", "2021-10-31", "2023-01-01", "2026-06-01"):
        out.append(_set("filed_on", day))
    for kind in ("company", "association", "commune", "intercommunality"):
        out.append(_applicant(kind=kind))
    out += [
        _applicant(department=None),
        _applicant(department="75"),
        _applicant(department="44"),
        _applicant(department="59"),
        _applicant(naf=None),
    ]
    out += [_applicant(naf=_naf_code(prefix)) for prefix, _f, _l in NAF_TABLE]
    out += [_applicant(naf="46.19B"), _applicant(naf="46.12B"), _applicant(naf="62.02B")]
    out += [
        _applicant(legal_form="SCOP", registered_rcs=True, digital_core=True),
        _applicant(legal_form="SCOP", registered_rcs=True, naf="62.01Z"),
        _applicant(legal_form="SARL", esus=True, registered_rcs=False, digital_core=True),
        _applicant(legal_form="SARL", esus=False, registered_rcs=False, registered_rm=False),
        _applicant(legal_form="GEIQ", registered_rcs=False),
        _applicant(legal_form="EI", registered_rcs=False, registered_rm=False),
        _applicant(siae=True, registered_rcs=False),
        _applicant(kind="association", legal_form="ASSOCIATION", headcount=0),
        _applicant(kind="association", legal_form="ASSOCIATION", market_activity_share="0"),
        _applicant(kind="association", legal_form="ASSOCIATION", market_activity_share="0.6"),
        _applicant(digital_core=True),
        _applicant(aci=True),
        _applicant(in_difficulty=True),
        _applicant(tax_social_up_to_date=False),
        _applicant(project_certified=False),
        _applicant(headcount=25),
        _applicant(headcount=60),
        _applicant(turnover="2500000"),
        _applicant(turnover="12000000"),
        _applicant(turnover="12000000", balance_sheet_total="5000000"),
        _applicant(holdings=[{"share": "0.6", "headcount": 45, "turnover": "9000000"}]),
        _applicant(holdings=[{"share": "0.3", "headcount": 150, "turnover": "9000000"}]),
        _applicant(created_on=None),
        _applicant(created_on="2022-01-01"),
        _applicant(market_activity_share="0.5"),
        _applicant(micro_enterprise=True, certified_accounts=False),
        _applicant(micro_enterprise=True, turnover="15000"),
        _applicant(region_share="0.5"),
        _applicant(region_share="0"),
    ]
    out += [_expenses({"category": c, "amount": "9000"}) for c in sorted(CATEGORIES)]
    out += [
        _expenses({"category": main, "amount": "9000", "mode": "leasing"}),
        _expenses(
            {"category": main, "amount": "9000"},
            {"category": main, "amount": "2400", "mode": "subscription", "months": 24},
        ),
        _expenses(
            {"category": main, "amount": "9000"},
            {"category": "hardware", "device": "computer", "amount": "1500"},
            {"category": "hardware", "device": "computer", "amount": "900"},
            {"category": "hardware", "device": "tablet", "amount": "600"},
            {"category": "hardware", "device": "smartphone", "amount": "500"},
        ),
        _expenses({"category": main, "amount": "9000", "committed_on": "2019-01-01"}),
        _expenses({"category": main, "amount": "9000", "committed_on": "2020-01-01"}),
        _expenses(
            {"category": main, "amount": "9000", "committed_on": "2021-07-01"},
            {"category": main, "amount": "5000", "committed_on": "2022-08-01"},
        ),
        _expenses({"category": main, "amount": "1000"}),
        _expenses({"category": main, "amount": "2500"}),
        _expenses({"category": main, "amount": "4000"}),
        _expenses({"category": main, "amount": "28000"}),
        _expenses({"category": main, "amount": "50000"}),
        _expenses(),
        _project(other_public_funding="5000"),
        _project(other_public_funding="50000"),
        _project(expense_basis="TTC"),
        _history(de_minimis=[{"granted_on": "2021-06-01", "amount": "199000"}]),
        _history(de_minimis=[{"granted_on": "2023-01-01", "amount": "295000"}]),
    ]
    for other in ("INAC", "INESS", "PDL-IN", "IDF-CN2"):
        for status in ("pending", "awarded", "refused"):
            awarded = "15000" if status == "awarded" else None
            app = {"scheme": other, "filed_on": "2021-03-01", "status": status}
            if awarded:
                app.update(awarded=awarded, acknowledged_on="2021-03-15")
            out.append(_history(applications=[app]))
    out += [
        _history(
            applications=[
                {
                    "scheme": "PDL-IN",
                    "filed_on": "2022-01-10",
                    "acknowledged_on": "2022-01-20",
                    "awarded": "10000",
                    "categories": ["erp"],
                }
            ]
        ),
        _history(
            applications=[
                {
                    "scheme": "PDL-IN",
                    "filed_on": "2022-01-10",
                    "acknowledged_on": "2022-01-20",
                    "awarded": "15000",
                }
            ]
        ),
        _history(
            applications=[
                {
                    "scheme": "PDL-IN",
                    "filed_on": "2020-01-10",
                    "acknowledged_on": "2020-01-20",
                    "awarded": "15000",
                }
            ]
        ),
        _history(
            applications=[
                {
                    "scheme": "IDF-CN2",
                    "filed_on": "2021-02-01",
                    "status": "awarded",
                    "awarded": "5000",
                }
            ]
        ),
        _history(
            applications=[
                {"scheme": "IDF-CN2", "filed_on": f"{y}-02-01", "awarded": "5000"}
                for y in (2018, 2019, 2020)
            ]
        ),
    ]
    return out


def situations(scheme: str) -> Iterator[dict[str, Any]]:
    """Every variation of the scheme's base situation (deep copies)."""
    for mutate in _mutations(scheme):
        s = copy.deepcopy(BASE[scheme])
        mutate(s)
        yield s


SETTLE_DATES = {
    "INAC": "2022-05-10",
    "INESS": "2022-03-01",
    "PDL-IN": "2023-05-02",
    "IDF-CN2": "2021-06-15",
}


def settle_requests(scheme: str) -> Iterator[dict[str, Any]]:
    day = SETTLE_DATES[scheme]
    for filed_on in (day, "2018-01-01"):
        for award, planned, actual, paid in (
            ("15000", "30000", None, None),
            ("3000", "6000", None, None),
            ("15000", "30000", "20000", "4500"),
            ("15000", "30000", "5000", "4500"),
            ("10000", "20000", "20000", "0"),
            ("4000", "8000", "3000", "0"),
            ("5000", "13500", "9000", "0"),
        ):
            r: dict[str, Any] = {
                "scheme": scheme,
                "filed_on": filed_on,
                "award": award,
                "planned_base": planned,
            }
            if actual is not None:
                r["actual_base"] = actual
            if paid is not None:
                r["advance_paid"] = paid
            yield r
