"""The stored rule versions are parsed once and kept behind a cheap stamp (issue 16, « the engine
twice as fast »); an edit is still seen at once, from this process or from another one."""

from __future__ import annotations

import json

import pytest
from django.db.models.signals import post_save

from schemes import selectors
from schemes.engine import simulate
from schemes.models import RuleVersion
from tests.schemes.casecheck import load_cases

pytestmark = pytest.mark.django_db

CASE = dict(load_cases("cases"))["inac-basic"]


def test_unchanged_versions_cost_one_query(django_assert_num_queries):
    first = selectors.rule_versions()
    with django_assert_num_queries(1):
        again = selectors.rule_versions()
    assert [v.ident for v in again] == [v.ident for v in first]
    assert again[0] is first[0]  # the parsed objects are reused, not rebuilt
    with django_assert_num_queries(1):
        assert [v.scheme for v in selectors.rule_versions(scheme_code="PDL-IN")] == ["PDL-IN"]


def test_unchanged_versions_are_not_read_nor_decoded_again(monkeypatch):
    """Before: every call re-read every stored version, decoded its JSON and hashed it."""
    from django.db.models.fields import json as json_field

    selectors.rule_versions()
    decoded = []
    real_loads = json_field.json.loads
    monkeypatch.setattr(
        json_field.json, "loads", lambda *a, **k: decoded.append(1) or real_loads(*a, **k)
    )
    selectors.rule_versions()
    simulate(CASE["input"])
    assert decoded == []


def _draft_with_rate(rate: str) -> RuleVersion:
    """A draft of INAC's rules with another rate, for 2022 (published versions are immutable
    since issue 18: a change is a new version)."""
    inac = RuleVersion.objects.get(ident="INAC/2021-11-01")
    data = json.loads(json.dumps(inac.parameters))
    data["rate"]["value"] = rate
    return RuleVersion.objects.create(
        scheme=inac.scheme,
        ident="INAC/2022-01-01",
        label="Version d'essai",
        valid_from="2022-01-01",
        valid_to="2022-12-31",
        parameters=data,
        status="draft",
    )


def test_a_publication_in_this_process_is_seen_at_once():
    before = simulate(CASE["input"])["award"]
    version = _draft_with_rate("0.50")
    assert simulate(CASE["input"])["award"] == before  # a draft never reaches the engine
    version.status = "published"
    version.save()
    assert (before, simulate(CASE["input"])["award"]) == (CASE["expect"]["award"], "4000.00")


def test_a_publication_by_another_process_is_seen_through_the_stamp():
    """Another process's save does not reach this process's signals: the stamp (the history row
    the save writes) shows it."""
    version = _draft_with_rate("0.25")
    simulate(CASE["input"])
    post_save.disconnect(sender=RuleVersion, dispatch_uid="forget_rule_versions")
    try:
        version.status = "published"
        version.save()
    finally:
        post_save.connect(
            selectors.forget_rule_versions,
            sender=RuleVersion,
            dispatch_uid="forget_rule_versions",
        )
    assert simulate(CASE["input"])["award"] == "2000.00"


def test_a_new_and_a_deleted_version_are_seen():
    pdl = RuleVersion.objects.get(ident="PDL-IN/2019-01-01")
    data = json.loads(json.dumps(pdl.parameters))
    data["rate"]["value"] = "0.40"
    newer = RuleVersion.objects.create(
        scheme=pdl.scheme,
        ident="PDL-IN/2030-01-01",
        label="Version d'essai",
        valid_from="2030-01-01",
        parameters=data,
    )
    assert "PDL-IN/2030-01-01" in [v.ident for v in selectors.rule_versions()]
    newer.delete()
    assert "PDL-IN/2030-01-01" not in [v.ident for v in selectors.rule_versions()]
