"""Rewrite the rule versions an existing database stored from an earlier seed with the corrected
parameters and citations of the rules core (issue 16: NAF codes, ESS digital-core exclusion,
citations, open readings, procedure parameters). A fresh database got them from the seed migration
(0002), so there is nothing to do there.

A stored version is rewritten only when each of its parameters is either already the corrected
value or exactly what one of the earlier seeds wrote (recognised by the digests below, taken from
every earlier state of `schemes/core` since the first seed). A version someone changed by hand —
one parameter unlike any seed — is left alone and reported on the migration's output, so that
its manager reconciles it in the admin. The rewrite keeps a history row (who: this migration).
"""

import hashlib
import json
import sys

from django.db import migrations
from django.utils import timezone

REASON = "Paramètres corrigés du noyau de règles (migration 0006)"

# ident -> parameter -> first 16 hex digits of the SHA-256 of each value an earlier seed stored
# (canonical JSON: sorted keys, no spaces) that differs from the corrected one.
EARLIER_SEEDS = {
    "IDF-CN2/2020-03-12": {
        "ceiling": ["3c332b7ab5401cbf"],
        "eligible_modes": ["686c0cfbe26636e1"],
        "tiers": ["2a44d518b180f95d"],
    },
    "INESS/2021-11-01": {
        "base_ceiling": ["264a2d838469c98c"],
        "cap_wait_years": ["3f66ee6245d98104"],
        "ceiling": ["70d174fba3e81fe3"],
        "ceiling_per_company": ["ba5ef5fd688984ec"],
        "de_minimis": ["098377b7625f94de"],
        "expense_bases": ["c695b8def62b11ae"],
        "floor": ["90ed1fb7c1244ab3"],
        "public_aid_cap_rate": ["91e8a6b3479870a9"],
        "rate": ["8ca78297bbab56f2"],
        "reapplication_wait_years": ["cb1251dd50cc24c5"],
        "tiers": ["1791ff6ddb9ffb61"],
    },
    "PDL-IN/2019-01-01": {"eligible_modes": ["9ed830c1c80ad48e"]},
}


def digest(param) -> str:
    text = json.dumps(param, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def hand_changed(ident: str, stored: dict, corrected: dict) -> list[str]:
    """The parameters of a stored version that neither the correction nor any seed wrote."""
    earlier = EARLIER_SEEDS.get(ident, {})
    return sorted(
        name
        for name, param in stored.items()
        if corrected.get(name) != param and digest(param) not in earlier.get(name, ())
    )


def rewrite(apps, schema_editor):
    from schemes import core

    RuleVersion = apps.get_model("schemes", "RuleVersion")
    History = apps.get_model("schemes", "HistoricalRuleVersion")
    corrected = {v.ident: v.to_json()["parameters"] for v in core.default_versions()}
    rewritten, kept = [], []
    for version in RuleVersion.objects.filter(ident__in=list(corrected)).order_by("ident"):
        target = corrected[version.ident]
        if version.parameters == target:
            continue
        changed = hand_changed(version.ident, version.parameters or {}, target)
        if changed:
            kept.append((version.ident, changed))
            continue
        RuleVersion.objects.filter(pk=version.pk).update(parameters=target)
        History.objects.create(
            id=version.pk,
            ident=version.ident,
            label=version.label,
            valid_from=version.valid_from,
            valid_to=version.valid_to,
            parameters=target,
            is_demo=version.is_demo,
            scheme_id=version.scheme_id,
            history_date=timezone.now(),
            history_change_reason=REASON,
            history_type="~",
        )
        rewritten.append(version.ident)
    for ident in rewritten:
        sys.stdout.write(f"\n  Rule version {ident}: corrected parameters and citations written.")
    for ident, names in kept:
        sys.stdout.write(
            f"\n  Rule version {ident} NOT rewritten: changed by hand ({', '.join(names)}); "
            "compare it with the rules core's version in the admin."
        )


class Migration(migrations.Migration):
    dependencies = [("schemes", "0005_fill_scheme_content")]
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
