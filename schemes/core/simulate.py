"""`simulate`: one situation (or a list) -> the JSON-ready result of contract section 2b."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .amounts import aid_on_base
from .catalog import BASES, REGION_NAMES, SCHEMES
from .checks import Criterion, checklist
from .eligibility import check_applicant
from .expenses import Line, lines_json, retain_lines
from .fmt import ZERO, fr_date, fr_eur, money
from .history import check_de_minimis, check_history
from .inputs import parse_situation
from .model import InputError, RuleVersion
from .reasons import Trace
from .versions import default_versions, select_version, validity_source


def simulate(data: dict | list, versions: Sequence[RuleVersion] | None = None) -> dict | list:
    """Apply the rules to a situation (dict) or to a list of situations (list, same order)."""
    pool = default_versions() if versions is None else list(versions)
    if isinstance(data, list):
        results = []
        for i, item in enumerate(data):
            try:
                results.append(simulate_one(item, pool))
            except InputError as exc:
                raise exc.prefixed(str(i)) from None
        return results
    return simulate_one(data, pool)


def simulate_one(data: Any, versions: Sequence[RuleVersion]) -> dict[str, Any]:
    s = parse_situation(data)
    info = SCHEMES[s.scheme]
    t = Trace()
    v = select_version(versions, s.scheme, s.filed_on)
    t.say(
        f"Dispositif {s.scheme} — {info.name} ({REGION_NAMES[info.region]}). Dossier déposé "
        f"le {fr_date(s.filed_on)}."
    )
    rules = Criterion(
        t, "rules_in_force", None, "Règles du dispositif en vigueur à la date de dépôt"
    )
    if v is None:
        rules.refuse(
            "no_rules_in_force",
            f"Dossier déposé le {fr_date(s.filed_on)} : aucune version des règles "
            f"{s.scheme} n'est en vigueur.",
            validity_source(versions, s.scheme),
            scheme=s.scheme,
            date=fr_date(s.filed_on),
        )
        lines = [Line(ZERO, "Aucune règle en vigueur à cette date.") for _ in s.project.expenses]
        return _result(s.scheme, None, t, ZERO, ZERO, lines)
    t.say(f"Règles appliquées : {v.ident} — {v.label}.")
    end = f"au {fr_date(v.valid_to)}" if v.valid_to else "sans date de fin"
    rules.passed(
        f"Dossier déposé le {fr_date(s.filed_on)} : règles {v.ident} en vigueur du "
        f"{fr_date(v.valid_from)} {end}.",
        v.source("validity"),
    )

    check_applicant(s, v, t)
    basis = s.project.expense_basis
    bases = v.value("expense_bases", ["HT"])
    presented = Criterion(
        t,
        "expense_basis",
        v.source("expense_bases"),
        "Dépenses présentées " + " ou ".join(f"{BASES[b]} ({b})" for b in bases),
    )
    found = f"Dépenses déclarées {BASES[basis]} ({basis})."
    if basis not in bases:
        presented.refuse(
            "basis_not_accepted",
            found,
            expected=" ou ".join(f"{BASES[b]} ({b})" for b in bases),
            given=f"{BASES[basis]} ({basis})",
        )
    else:
        presented.passed(found)
        if len(bases) > 1:
            kind = "dépenses de fonctionnement" if basis == "TTC" else "dépenses d'investissement"
            t.say(f"Le demandeur présente des {kind}, montants {BASES[basis]} ({basis}).")
    cap = check_history(s, v, t)

    lines = retain_lines(s, v, t, cap.blocked_categories)
    base = sum((line.retained for line in lines), ZERO)
    t.say(f"Assiette éligible : {fr_eur(base)} {basis}.")

    award = aid_on_base(
        v,
        base,
        t,
        region_share=s.applicant.region_share,
        other_public_funding=s.project.other_public_funding,
        cap=cap.remaining,
        basis=basis,
    )
    check_de_minimis(s, v, t, award)
    if award <= 0 and not t.ineligible:
        t.refuse("no_aid", None)
    if t.ineligible:
        award = ZERO
        t.say("Conclusion : la situation n'est pas éligible, aucune aide ne peut être accordée.")
    else:
        t.say(
            f"Conclusion : aide de {fr_eur(award)} pour une assiette éligible de "
            f"{fr_eur(base)} {basis}."
        )
    return _result(s.scheme, v.ident, t, base, award, lines)


def _result(
    scheme: str, ident: str | None, t: Trace, base: Any, award: Any, lines: list[Line]
) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "rules": ident,
        "eligible": not t.ineligible,
        "base": money(base),
        "award": money(award),
        "lines": lines_json(lines),
        "reasons": t.reasons,
        "explanation": t.explanation,
        "checks": checklist(t),
    }
