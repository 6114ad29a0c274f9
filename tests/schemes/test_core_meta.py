"""Every parameter and reason is sourced, versions round-trip through JSON, docs are current,
and the core stays pure (no Django, no clock, no I/O)."""

from __future__ import annotations

import ast
import json
import re
from datetime import date
from pathlib import Path

import pytest

from schemes.core import (
    CATEGORIES,
    DEVICES,
    MODES,
    REASONS,
    SCHEMES,
    RuleVersion,
    default_versions,
    render_rules_markdown,
    simulate,
)
from schemes.core.naf import FAMILIES, NAF_TABLE, normalize_naf

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "schemes" / "core"
SEEDS = {
    "hdf-deliberation-2021-01652-annexe.txt",
    "hdf-inac-fiche.md",
    "hdf-iness-fiche.md",
    "pdl-investissement-numerique-faq.md",
    "idf-cheque-numerique-volet2.md",
}
REQUIRED_PARAMS = {
    "rate",
    "floor",
    "ceiling",
    "base_ceiling",
    "tiers",
    "eligible_categories",
    "required_documents",
    "applicant_kinds",
    "departments",
    "expense_bases",
    "eligible_modes",
    "subscription_months_cap",
    "hardware_max_devices",
    "hardware_device_cap",
    "expenses_after_filing",
    "expenses_from",
    "public_aid_cap_rate",
    "excluded_activities",
    "de_minimis",
    "de_minimis_regimes",
    "advance_rate",
    "advance_threshold",
    "validity",
    "reapplication_wait_years",
    "non_cumulative_with",
    "region_share_proration",
}


def _documents(source_document: str) -> list[str]:
    return [d.strip() for d in source_document.split(";")]


@pytest.mark.parametrize("version", default_versions(), ids=lambda v: v.ident)
def test_every_param_has_a_source(version: RuleVersion) -> None:
    assert REQUIRED_PARAMS <= set(version.parameters)
    for name, param in version.parameters.items():
        assert param.source.document.strip(), name
        assert param.source.passage.strip(), name
        for document in _documents(param.source.document):
            assert document in SEEDS or document.startswith("Règlement"), (name, document)


@pytest.mark.parametrize("version", default_versions(), ids=lambda v: v.ident)
def test_version_json_round_trip(version: RuleVersion) -> None:
    encoded = json.loads(json.dumps(version.to_json()))
    back = RuleVersion.from_json(encoded)
    assert back == version
    assert back.to_json() == version.to_json()


def test_versions_passed_back_give_the_same_results() -> None:
    stored = [
        RuleVersion.from_json(json.loads(json.dumps(v.to_json()))) for v in default_versions()
    ]
    case = json.loads((Path(__file__).parent / "cases" / "inac-basic.json").read_text())
    assert simulate(case["input"], stored) == simulate(case["input"])


def test_hdf_validity_is_exactly_the_deliberation() -> None:
    for v in default_versions():
        if v.scheme in ("INAC", "INESS"):
            assert (v.valid_from, v.valid_to) == (date(2021, 11, 1), date(2022, 12, 31))


def test_every_reason_code_is_registered_with_a_source() -> None:
    for code, (message, source) in REASONS.items():
        assert message and source.document and source.passage, code
    used = set()
    pattern = re.compile(r"""(?:refuse|reason|line_reason)\(\s*["']([a-z_]+)["']""")
    for path in CORE.glob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used, "no reason code found"
    assert used <= set(REASONS), used - set(REASONS)


def test_core_imports_no_django_and_does_no_io() -> None:
    forbidden = {"django", "os", "io", "pathlib", "socket", "time", "random", "requests"}
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, (path.name, name)
        text = path.read_text(encoding="utf-8")
        assert "date.today" not in text and "datetime.now" not in text, path.name
        assert "open(" not in text, path.name


def test_docs_rules_md_is_up_to_date() -> None:
    docs = ROOT / "docs" / "rules.md"
    assert docs.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: regenerate it with "
        "python -c 'from schemes.core import render_rules_markdown as r; "
        'open("docs/rules.md", "w").write(r())\''
    )


def test_catalogues_are_french_and_complete() -> None:
    assert len(CATEGORIES) == 22
    assert set(DEVICES) == {"computer", "tablet", "smartphone"}
    assert set(MODES) == {"purchase", "service", "subscription", "leasing"}
    for v in default_versions():
        info = SCHEMES[v.scheme]
        assert list(info.departments) == v.value("departments")
        assert list(info.applicant_kinds) == v.value("applicant_kinds")
        assert set(v.value("eligible_categories")) <= set(CATEGORIES)
        for doc in v.value("required_documents"):
            assert doc["code"] and doc["label"]


def test_naf_table_is_consistent() -> None:
    for prefix, family, label in NAF_TABLE:
        assert family in FAMILIES and label
        assert re.fullmatch(r"\d{2,4}[A-Z]?", prefix)
    for version in default_versions():
        assert set(version.value("excluded_activities")) <= set(FAMILIES)
    assert normalize_naf("47.71Z") == normalize_naf("4771z") == "4771Z"
    assert normalize_naf("47.7") is None


def test_seed_documents_exist_when_available() -> None:
    # The shared folder beside the repository (as laid out for development and CI).
    seeds = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip(f"seed texts not available here ({seeds})")
    assert SEEDS <= {p.name for p in seeds.iterdir()}


def test_all_versions_share_the_same_parameter_names() -> None:
    names = [set(v.parameters) for v in default_versions()]
    assert all(n == names[0] for n in names)


def test_required_documents_follow_the_situation() -> None:
    from schemes.core import required_documents

    micro = {
        "scheme": "PDL-IN",
        "filed_on": "2023-05-02",
        "applicant": {"kind": "company", "micro_enterprise": True},
        "project": {"expenses": []},
    }
    codes = {d["code"] for d in required_documents(micro)}
    assert "micro_income_statements" in codes and "establishment_split" not in codes
    inac = {**micro, "scheme": "INAC", "filed_on": "2022-05-10"}
    assert "project_certification" in {d["code"] for d in required_documents(inac)}
    idf = {**micro, "scheme": "IDF-CN2", "applicant": {"kind": "commune"}}
    assert "council_deliberation" in {d["code"] for d in required_documents(idf)}
