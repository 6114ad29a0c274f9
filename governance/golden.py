"""Golden cases run on a draft: each case's situation evaluated under the draft's rules."""

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from schemes import core
from schemes.models import GoldenCase, GoldenCaseAmendment, RuleVersion
from schemes.selectors import rule_versions

EXPECTATION_LABELS = {
    "eligible": "Éligible",
    "award": "Aide",
    "base": "Assiette éligible",
    "final_award": "Aide finale",
    "balance": "Solde",
    "to_recover": "À reverser",
}
EARLIEST = date(1900, 1, 1)


@dataclass
class CaseRun:
    case: GoldenCase
    expected: dict
    actual: dict
    passed: bool
    explanation: list[str]
    amendment: GoldenCaseAmendment | None = None
    error: str = ""

    def rows(self) -> list[dict]:
        """Each checked field: label, expected, obtained, as a person reads them."""
        return [
            {
                "label": EXPECTATION_LABELS.get(key, key),
                "expected": _shown(key, self.expected.get(key)),
                "actual": _shown(key, self.actual.get(key)),
                "ok": self.expected.get(key) == self.actual.get(key),
            }
            for key in self.expected
        ]


def _shown(key: str, value: Any) -> str:
    from schemes.templatetags.aides import euros

    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    return euros(value)


def versions_with(version: core.RuleVersion) -> list[core.RuleVersion]:
    """The published versions of the other schemes, and `version` for its scheme at any date:
    a golden case keeps its own dates and is judged by the draft's rules."""
    others = [v for v in rule_versions() if v.scheme != version.scheme]
    return [*others, dataclasses.replace(version, valid_from=EARLIEST, valid_to=None)]


def expectation_for(case: GoldenCase, amendments: dict[int, GoldenCaseAmendment]) -> dict:
    amendment = amendments.get(case.pk)
    return amendment.expected if amendment else case.expected


def run_cases(version: RuleVersion) -> list[CaseRun]:
    core_version = version.as_core()
    versions = versions_with(core_version)
    amendments = {a.case_id: a for a in version.amendments.order_by("at", "id")}
    runs = []
    for case in version.scheme.golden_cases.all():
        expected = expectation_for(case, amendments)
        try:
            run = core.settle if case.is_settle else core.simulate
            result = run(case.situation, versions=versions)
        except core.InputError as exc:
            runs.append(
                CaseRun(case, expected, {}, False, [], amendments.get(case.pk), exc.message)
            )
            continue
        actual = {key: result.get(key) for key in expected}
        runs.append(
            CaseRun(
                case=case,
                expected=expected,
                actual=actual,
                passed=actual == expected,
                explanation=list(result.get("explanation", [])),
                amendment=amendments.get(case.pk),
            )
        )
    return runs
