"""The procedure's rules, now cited parameters of the core (issue 16, « Rules that live outside
the core »): realisation and proof deadlines, commission permanente, de minimis, advance,
closing documents."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from schemes.core import RuleVersion, default_versions, procedure

VERSIONS = default_versions()


def _v(scheme: str) -> RuleVersion:
    [version] = [v for v in VERSIONS if v.scheme == scheme]
    return version


def test_pdl_deadlines_are_faq_27s_example() -> None:
    """« si vous avez été autorisé à commencer le 25/03/2021 et que vous recevez votre arrêté le
    16/04/2021, votre investissement doit être réalisé entre le 25/03/2021 et le 16/04/2023.
    Suite à cela, vous avez six mois pour nous transmettre les justificatifs »"""
    end, proofs = procedure.realisation_deadlines(
        _v("PDL-IN"), decided_on=date(2021, 4, 16), expense_start=date(2021, 3, 25)
    )
    assert end == date(2023, 4, 16)
    assert proofs == date(2023, 10, 16)
    assert "question 27" in _v("PDL-IN").source("realisation_months_after_award").passage


def test_idf_realisation_is_one_year_from_the_first_expense() -> None:
    end, proofs = procedure.realisation_deadlines(
        _v("IDF-CN2"), decided_on=date(2021, 9, 1), expense_start=date(2021, 6, 15)
    )
    assert end == date(2022, 6, 15)
    assert proofs == date(2022, 12, 15)
    assert (
        "durée maximale d'un an" in _v("IDF-CN2").source("realisation_months_after_start").passage
    )


def test_idf_without_a_start_has_no_deadline_and_a_month_end_is_clamped() -> None:
    v = _v("IDF-CN2")
    assert procedure.realisation_deadlines(v, decided_on=date(2021, 9, 1), expense_start=None) == (
        None,
        None,
    )
    end, proofs = procedure.realisation_deadlines(
        v, decided_on=date(2023, 9, 1), expense_start=date(2023, 2, 28)
    )
    assert (end, proofs) == (date(2024, 2, 28), date(2024, 8, 28))
    end, _ = procedure.months_deadlines(
        {"realisation_months_after_award": 1, "proofs_months": None},
        decided_on=date(2023, 1, 31),
        expense_start=None,
    )
    assert end == date(2023, 2, 28)


@pytest.mark.parametrize("scheme", ["INAC", "INESS"])
def test_hauts_de_france_sets_no_deadline(scheme: str) -> None:
    assert procedure.realisation_deadlines(
        _v(scheme), decided_on=date(2022, 6, 1), expense_start=date(2022, 5, 1)
    ) == (None, None)


def test_only_idf_goes_to_the_commission_permanente() -> None:
    assert procedure.commission_schemes(VERSIONS) == {"IDF-CN2"}
    assert "commission permanente" in _v("IDF-CN2").source("commission_permanente").passage
    assert "délégation donnée au Président" in _v("INAC").source("commission_permanente").passage


def test_de_minimis_schemes_follow_the_parameter() -> None:
    assert procedure.de_minimis_schemes(VERSIONS) == ("INAC", "INESS", "PDL-IN")


@pytest.mark.parametrize(
    ("on", "regulation", "start"),
    [
        (date(2023, 12, 31), "Règlement (UE) n° 1407/2013", date(2021, 1, 1)),
        (date(2024, 1, 1), "Règlement (UE) 2023/2831", date(2021, 1, 2)),
        (date(2024, 2, 29), "Règlement (UE) 2023/2831", date(2021, 3, 1)),
    ],
)
def test_de_minimis_window(on: date, regulation: str, start: date) -> None:
    regime, first, last = procedure.de_minimis_window(_v("PDL-IN").value("de_minimis_regimes"), on)
    assert (regime["regulation"], first, last) == (regulation, start, on)


@pytest.mark.parametrize(
    ("award", "allowed", "amount"),
    [("4000", False, "0"), ("4000.01", True, "1200.00"), ("15000", True, "4500.00")],
)
def test_pdl_advance_is_30_percent_above_4000(award: str, allowed: bool, amount: str) -> None:
    assert procedure.advance(_v("PDL-IN"), Decimal(award)) == (allowed, Decimal(amount))
    assert procedure.advance_rate_label(_v("PDL-IN")) == "30 %"


@pytest.mark.parametrize("scheme", ["INAC", "INESS", "IDF-CN2"])
def test_the_other_schemes_pay_once(scheme: str) -> None:
    assert procedure.advance(_v(scheme), Decimal("15000")) == (False, Decimal("0"))
    assert procedure.advance_rate_label(_v(scheme)) == ""
    assert not procedure.needs_closing_documents(_v(scheme))


def test_pdl_balance_needs_the_closing_documents() -> None:
    assert procedure.needs_closing_documents(_v("PDL-IN"))


def test_a_version_stored_before_the_parameters_takes_the_cited_defaults() -> None:
    data = json.loads(json.dumps(_v("PDL-IN").to_json()))
    for name in procedure.PROCEDURE_NAMES:
        data["parameters"].pop(name)
    old = RuleVersion.from_json(data)
    assert procedure.realisation_months(old) == procedure.realisation_months(_v("PDL-IN"))
    assert procedure.needs_closing_documents(old)


def test_an_edited_version_changes_the_deadlines() -> None:
    data = json.loads(json.dumps(_v("PDL-IN").to_json()))
    data["parameters"]["proofs_months"]["value"] = 3
    edited = RuleVersion.from_json(data)
    _, proofs = procedure.realisation_deadlines(
        edited, decided_on=date(2021, 4, 16), expense_start=None
    )
    assert proofs == date(2023, 7, 16)


def test_version_for_a_decision_after_the_filing_period() -> None:
    v = procedure.version_for("INAC", date(2023, 6, 1), VERSIONS)
    assert v is not None and v.ident == "INAC/2021-11-01"
    assert procedure.version_for("INAC", date(2023, 6, 1), []) is None
