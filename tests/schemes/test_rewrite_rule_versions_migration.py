"""Migration schemes/0006 rewrites the rule versions an existing database stored from an earlier
seed with the corrected parameters and citations (issue 16's leftover b), and leaves alone — and
reports — a version someone changed by hand.

The database is built as it was: migrated back to the state before 0006, given the parameters
the seed wrote before issue 16 (tests/schemes/data, taken from schemes/core at 0db21bf, the
core of the release e2f2321), then migrated forward.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from schemes import core
from schemes.core import procedure
from schemes.models import RuleVersion
from tests.reference import reseed

BEFORE = ("schemes", "0005_fill_scheme_content")
OLD_SEED = json.loads(
    (Path(__file__).parent / "data" / "rule_versions_seeded_before_issue16.json").read_text("utf-8")
)
PDL, INESS, IDF = "PDL-IN/2019-01-01", "INESS/2021-11-01", "IDF-CN2/2020-03-12"


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_forward() -> None:
    """Through 0006 to the latest migrations of every app (later ones, e.g. issue 18's rule
    version status and the apps depending on it, were unapplied by the step back)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_database(transactional_db):
    """The four seeded versions as an existing database holds them; PDL-IN's rate edited by hand."""
    reseed()
    _migrate(BEFORE)
    state = MigrationExecutor(connection).loader.project_state(BEFORE)
    OldRuleVersion = state.apps.get_model("schemes", "RuleVersion")
    for ident, parameters in OLD_SEED.items():
        OldRuleVersion.objects.filter(ident=ident).update(parameters=parameters)
    edited = json.loads(json.dumps(OLD_SEED[PDL]))
    edited["rate"]["value"] = "0.45"
    OldRuleVersion.objects.filter(ident=PDL).update(parameters=edited)
    yield
    _migrate_forward()  # leave the database at its latest state whatever happened


def corrected(ident: str) -> dict:
    return next(v for v in core.default_versions() if v.ident == ident).to_json()["parameters"]


@pytest.mark.django_db(transaction=True)
def test_the_old_seed_is_rewritten_and_a_hand_edit_is_kept_and_reported(old_database, capsys):
    stored = dict(RuleVersion.objects.values_list("ident", "parameters"))
    assert stored[INESS] != corrected(INESS)  # the old INESS values and no procedure parameters
    assert "commission_permanente" not in stored[IDF]

    _migrate_forward()
    output = capsys.readouterr().out

    stored = {v.ident: v for v in RuleVersion.objects.all()}
    for ident in ("INAC/2021-11-01", INESS, IDF):
        assert stored[ident].parameters == corrected(ident), ident
        assert f"Rule version {ident}: corrected parameters and citations written" in output
    # The corrected parameters are what the portal now reads.
    idf = stored[IDF].as_core()
    assert procedure.goes_to_commission(idf)
    assert idf.parameters["commission_permanente"].source.passage.startswith("« DEMARCHES »")
    # Each rewrite leaves a history row saying why.
    reasons = stored[INESS].history.values_list("history_change_reason", flat=True)
    assert "Paramètres corrigés du noyau de règles (migration 0006)" in reasons

    # The version edited by hand is left exactly as it was, and named with the edited parameter.
    assert stored[PDL].parameters["rate"]["value"] == "0.45"
    assert "commission_permanente" not in stored[PDL].parameters
    assert f"Rule version {PDL} NOT rewritten: changed by hand (rate)" in output
    assert stored[PDL].as_core().value("rate") == Decimal("0.45")


@pytest.mark.django_db(transaction=True)
def test_a_database_already_corrected_is_left_untouched(transactional_db, capsys):
    reseed()
    _migrate(BEFORE)
    before = dict(RuleVersion.objects.values_list("ident", "parameters"))
    history = RuleVersion.history.count()
    _migrate_forward()
    assert dict(RuleVersion.objects.values_list("ident", "parameters")) == before
    assert RuleVersion.history.count() == history
    assert "Rule version" not in capsys.readouterr().out
