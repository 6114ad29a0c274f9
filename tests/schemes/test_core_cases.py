"""Golden cases: the shared cases (unchanged copies) and our extra cases, one parametrised test."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from schemes.core import settle, simulate

from .casecheck import assert_subset, is_settle, load_cases

CASES = load_cases("cases") + load_cases("cases_extra")


@pytest.mark.parametrize(("name", "case"), CASES, ids=[name for name, _ in CASES])
def test_case(name: str, case: dict[str, Any]) -> None:
    run = settle if is_settle(case["input"]) else simulate
    result = run(case["input"])
    assert_subset(case["expect"], result)
    json.dumps(result)  # JSON-ready


def test_shared_cases_are_all_copied() -> None:
    names = {name for name, _ in load_cases("cases")}
    assert len(names) >= 13


@pytest.mark.parametrize(("name", "case"), load_cases("cases"), ids=lambda x: str(x)[:40])
def test_same_result_with_decimal_parsed_json(name: str, case: dict[str, Any]) -> None:
    """Callers may parse JSON with parse_float=Decimal or as floats: same result."""
    text = json.dumps(case["input"])
    run = settle if is_settle(case["input"]) else simulate
    as_decimal = run(json.loads(text, parse_float=Decimal))
    assert as_decimal == run(case["input"])


def test_list_input_keeps_order() -> None:
    inputs = [c["input"] for _, c in load_cases("cases") if not is_settle(c["input"])]
    results = simulate(inputs)
    assert isinstance(results, list)
    assert results == [simulate(i) for i in inputs]


def test_settle_list_input() -> None:
    inputs = [c["input"] for _, c in load_cases("cases") if is_settle(c["input"])]
    assert settle(inputs) == [settle(i) for i in inputs]
