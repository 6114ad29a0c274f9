"""`settle`: advance, final aid recomputed on the justified expenses, balance or recovery
(contract section 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .amounts import aid_on_base
from .fmt import ZERO, fr_date, fr_eur, fr_pct, money
from .inputs import parse_settle
from .model import InputError, RuleVersion, Source
from .procedure import advance as advance_on
from .procedure import param
from .reasons import INELIGIBLE, Trace
from .versions import default_versions, select_version, validity_source


def settle(data: dict | list, versions: Sequence[RuleVersion] | None = None) -> dict | list:
    """Payment computation for one award (dict) or a list of them (list, same order)."""
    pool = default_versions() if versions is None else list(versions)
    if isinstance(data, list):
        results = []
        for i, item in enumerate(data):
            try:
                results.append(settle_one(item, pool))
            except InputError as exc:
                raise exc.prefixed(str(i)) from None
        return results
    return settle_one(data, pool)


def settle_one(data: Any, versions: Sequence[RuleVersion]) -> dict[str, Any]:
    r = parse_settle(data)
    t = Trace()
    v = select_version(versions, r.scheme, r.filed_on)
    t.say(
        f"Aide accordée : {fr_eur(r.award)} (dispositif {r.scheme}, dossier déposé le "
        f"{fr_date(r.filed_on)})."
    )
    if v is None:
        t.reason(
            "no_rules_in_force",
            validity_source(versions, r.scheme),
            effect=INELIGIBLE,
            scheme=r.scheme,
            date=fr_date(r.filed_on),
        )
        t.say("Aucune règle en vigueur à cette date : le paiement ne peut pas être calculé.")
        return _result(r.scheme, None, False, ZERO, None, None, None, t)
    t.say(f"Règles appliquées : {v.ident}. Modalités : {v.value('payment_terms', '')}")

    rate = v.value("advance_rate") or ZERO
    threshold = v.value("advance_threshold")
    allowed, advance = advance_on(v, r.award)
    if rate <= 0:
        t.reason(
            "advance_not_provided",
            v.source("advance_rate"),
            detail=str(v.value("payment_terms", "")).rstrip(".").lower(),
        )
        t.say("Pas d'avance : versement en une seule fois.")
    elif not allowed:
        t.reason(
            "advance_below_threshold", v.source("advance_threshold"), threshold=fr_eur(threshold)
        )
        t.say(f"Aide inférieure ou égale à {fr_eur(threshold)} : versement en une seule fois.")
    else:
        t.say(
            f"Avance possible sur devis signé : {fr_pct(rate)} × {fr_eur(r.award)} = "
            f"{fr_eur(advance)}."
        )

    if r.actual_base is None:
        t.say("Dépenses justifiées non encore connues : seule l'avance est calculée.")
        return _result(r.scheme, v.ident, allowed, advance, None, None, None, t)

    t.say(
        f"Dépenses justifiées retenues : {fr_eur(r.actual_base)} {r.expense_basis}"
        + (f" (prévues : {fr_eur(r.planned_base)})." if r.planned_base is not None else ".")
    )
    recomputed = aid_on_base(
        v,
        r.actual_base,
        t,
        region_share=r.region_share,
        other_public_funding=r.other_public_funding,
        apply_floor=False,
        basis=r.expense_basis,
    )
    final = min(recomputed, r.award)
    if final < r.award:
        planned = fr_eur(r.planned_base) if r.planned_base is not None else "non précisées"
        t.reason(
            "final_prorated",
            _proration_source(v),
            actual=fr_eur(r.actual_base),
            planned=planned,
            final=fr_eur(final),
        )
        t.say(f"Aide finale recalculée sur les dépenses justifiées : {fr_eur(final)}.")
    else:
        t.say(f"Aide finale : {fr_eur(final)} (jamais plus que l'aide accordée).")
    balance = max(final - r.advance_paid, ZERO)
    to_recover = max(r.advance_paid - final, ZERO)
    if r.advance_paid > 0:
        t.say(f"Déjà versé : {fr_eur(r.advance_paid)}.")
    if to_recover > 0:
        t.reason(
            "advance_to_recover",
            v.source("advance_rate"),
            advance=fr_eur(r.advance_paid),
            final=fr_eur(final),
            recover=fr_eur(to_recover),
        )
        t.say(f"Trop-perçu à reverser (titre de recette) : {fr_eur(to_recover)}.")
    else:
        t.say(f"Solde à verser : {fr_eur(balance)}.")
    return _result(r.scheme, v.ident, allowed, advance, final, balance, to_recover, t)


def _result(
    scheme: str,
    ident: str | None,
    allowed: bool,
    advance: Any,
    final: Any,
    balance: Any,
    to_recover: Any,
    t: Trace,
) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "rules": ident,
        "advance": {"allowed": allowed, "amount": money(advance)},
        "final_award": money(final),
        "balance": money(balance),
        "to_recover": money(to_recover),
        "reasons": t.reasons,
        "explanation": t.explanation,
    }


def _proration_source(v: RuleVersion) -> Source:
    """The text that has the aid recomputed on the justified expenses (a version stored before
    `final_proration` existed: its rate or scale)."""
    found = param(v, "final_proration")
    if found is not None:
        return found.source
    return v.source("rate") if v.value("rate") is not None else v.source("tiers")
