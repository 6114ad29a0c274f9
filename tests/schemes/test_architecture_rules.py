"""No rule outside the rules core (issue 16): outside schemes/core, migrations, tests and demo
data, no Python module names a scheme code or a rule's number as a literal.

The scan reads the syntax tree of every first-party module and reports:
- a string literal equal to a scheme code ("INAC", "PDL-IN"...);
- a rule's number where the code treats it as one: an argument of `Decimal(...)`, a side of a
  comparison, or a `months=` / `years=` / `days=` duration, equal to a value of the core's
  parameters that is distinctive (a rate between 0 and 1, an amount of 800 or more, a duration
  of the texts). Plain integers elsewhere (a page size of 20, a timeout of 2000 ms) are not
  rules and are not reported.
"""

from __future__ import annotations

import ast
from decimal import Decimal, InvalidOperation
from pathlib import Path

from schemes.core import SCHEMES, default_versions

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "tests", "migrations", "node_modules", "static", "bench", ".git"}
DEMO_DATA = {
    # Demo and load-test data: dossiers of each scheme, by design.
    "demo/dossiers.py",
    "portal/management/commands/seed_demo.py",
    "instruction/management/commands/seed_load.py",
}
# (module, literal): presentation keyed by scheme, not rules, each with why it stays. Empty since
# the questions, report sections, audiences, exclusive choices, worked examples and offers became
# `Scheme` fields filled by a data migration (schemes/0005).
ALLOWED: set[tuple[str, str]] = set()


def _numbers(value: object, out: set[Decimal]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | Decimal):
        out.add(Decimal(value))
    elif isinstance(value, list | tuple):
        for item in value:
            _numbers(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            _numbers(item, out)


def _rule_numbers() -> tuple[set[Decimal], set[int]]:
    values: set[Decimal] = set()
    durations: set[int] = set()
    for v in default_versions():
        for name, p in v.parameters.items():
            _numbers(p.value, values)
            if (name.endswith(("_months", "_years")) or "_months_" in name) and isinstance(
                p.value, int
            ):
                durations.add(p.value)
    amounts = {d for d in values if 0 < d < 1 or d >= 800}
    return amounts, durations


def _as_number(node: ast.AST) -> Decimal | None:
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        try:
            return Decimal(str(node.value)) if isinstance(node.value, int | float | str) else None
        except InvalidOperation:
            return None
    return None


def _modules() -> list[Path]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if set(rel.parts) & SKIPPED_DIRS or rel.parts[:2] == ("schemes", "core"):
            continue
        if rel.as_posix() in DEMO_DATA or rel.parts[0] == "scripts":
            continue
        out.append(path)
    return out


def scan(
    source: str, amounts: set[Decimal], durations: set[int], codes: set[str] | None = None
) -> list[tuple[int, str]]:
    codes = set(SCHEMES) if codes is None else codes
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in codes:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.Call):
            func = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if func == "Decimal" and node.args:
                number = _as_number(node.args[0])
                if number is not None and number in amounts:
                    found.append((node.lineno, f"Decimal({node.args[0].value!r})"))  # type: ignore[attr-defined]
            for kw in node.keywords:
                if kw.arg in ("months", "years", "days"):
                    number = _as_number(kw.value)
                    if number is not None and number in durations and kw.arg != "days":
                        found.append((node.lineno, f"{kw.arg}={number}"))
        elif isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                number = _as_number(side)
                if number is not None and number in amounts and not isinstance(side.value, str):  # type: ignore[attr-defined]
                    found.append((node.lineno, f"comparison with {number}"))
    return found


def test_no_scheme_code_or_rule_number_outside_the_core() -> None:
    amounts, durations = _rule_numbers()
    offenders = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, literal in scan(path.read_text(encoding="utf-8"), amounts, durations):
            if (rel, literal) not in ALLOWED:
                offenders.append(f"{rel}:{line}: {literal}")
    assert not offenders, "rules outside schemes/core:\n" + "\n".join(offenders)


def test_the_allow_list_is_still_needed() -> None:
    """An entry that no longer matches anything is removed (the list stays short and true)."""
    amounts, durations = _rule_numbers()
    seen = set()
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        seen |= {(rel, literal) for _, literal in scan(path.read_text("utf-8"), amounts, durations)}
    assert ALLOWED <= seen, ALLOWED - seen


def test_the_scan_finds_what_the_apps_used_to_write() -> None:
    amounts, durations = _rule_numbers()
    old = """
COMMISSION_SCHEMES = {"IDF-CN2"}
PER_SCHEME = {"PDL-IN": {"realisation_months_after_award": 24}}
end = decided_on + relativedelta(months=24)
if award > Decimal("4000"):
    advance = award * Decimal("0.30")
"""
    found = {literal for _, literal in scan(old, amounts, durations)}
    assert {"IDF-CN2", "PDL-IN", "months=24", "Decimal('4000')", "Decimal('0.30')"} <= found
    assert not scan("page_size = 20\ntimeout = 2000\nlimit = Decimal('1')\n", amounts, durations)


# Reference data read by the territories migrations (the regions' seed), not code that branches.
REGION_DATA = {"territories/data.py"}


def test_no_region_code_outside_data() -> None:
    """Issue 17: a region's facts (colour, award prefix, court, SIRET, signatory) are `Region`
    fields, so no module branches on a region code or keys a dict by one."""
    regions = {info.region for info in SCHEMES.values()}
    offenders = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel in REGION_DATA:
            continue
        for line, literal in scan(path.read_text("utf-8"), set(), set(), codes=regions):
            offenders.append(f"{rel}:{line}: {literal}")
    assert not offenders, "region codes outside the data:\n" + "\n".join(offenders)
