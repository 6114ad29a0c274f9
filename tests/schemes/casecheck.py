"""Helpers shared by the rules-core tests (no Django)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def load_cases(folder: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (p.stem, json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((HERE / folder).glob("*.json"))
    ]


def is_settle(data: dict[str, Any]) -> bool:
    return "award" in data and "applicant" not in data


def assert_subset(expected: Any, actual: Any, path: str = "") -> None:
    """Check only the fields given in `expected`, recursively; lists by index."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key}: missing in result"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) >= len(expected), f"{path}: {len(actual)} items < {len(expected)}"
        for i, value in enumerate(expected):
            assert_subset(value, actual[i], f"{path}.{i}")
    else:
        assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"
