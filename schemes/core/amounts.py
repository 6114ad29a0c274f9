"""Amount of the aid on an eligible base: floor, rate, base ceiling, tiers, regional share,
ceiling (or the remainder of a per-company cap), cap on cumulated public aid."""

from __future__ import annotations

from decimal import Decimal

from .checks import Criterion
from .fmt import ZERO, cents, fr_eur, fr_eur_round, fr_pct
from .model import RuleVersion
from .reasons import Trace


def aid_on_base(
    v: RuleVersion,
    base: Decimal,
    t: Trace,
    *,
    region_share: Decimal = Decimal(1),
    other_public_funding: Decimal = ZERO,
    cap: Decimal | None = None,
    apply_floor: bool = True,
    basis: str = "HT",
) -> Decimal:
    """The aid for `base` under version `v`; `cap` overrides the ceiling (remaining cap)."""
    floor = v.value("floor")
    if apply_floor and floor is not None:
        c = Criterion(
            t,
            "floor",
            v.source("floor"),
            f"Dépenses éligibles d'au moins {fr_eur_round(floor)} {basis}",
        )
        floored = base
        if v.value("region_share_proration") and v.value("floor_on_prorated_base"):
            floored = cents(base * region_share)  # a region's choice: floor after proration
        found = f"Assiette éligible retenue : {fr_eur(floored)} {basis}."
        if floored < floor:
            c.refuse(
                "below_floor",
                found,
                base=f"{fr_eur(floored)} {basis}",
                floor=f"{fr_eur(floor)} {basis}",
            )
            _not_reached(v, t, region_share, "les dépenses éligibles n'atteignent pas le minimum")
            return ZERO
        c.passed(found)
    tiers = v.value("tiers")
    ceiling = v.value("ceiling")
    if tiers:
        reached = [tier for tier in tiers if base >= tier["from"]]
        if not reached:
            t.say(
                f"Assiette de {fr_eur(base)} inférieure à la première tranche "
                f"({fr_eur(tiers[0]['from'])}) : pas de chèque."
            )
            _not_reached(v, t, region_share, "l'assiette n'atteint aucune tranche du barème")
            return ZERO
        tier = max(reached, key=lambda x: x["from"])
        award = tier["award"]
        t.say(
            f"Barème : assiette de {fr_eur(base)} {basis}, tranche « à partir de "
            f"{fr_eur(tier['from'])} » : chèque de {fr_eur(award)}."
        )
        return _public_aid_cap(v, base, award, other_public_funding, t)
    rate = v.value("rate")
    base_ceiling = v.value("base_ceiling")
    retained = base if base_ceiling is None else min(base, base_ceiling)
    raw = rate * retained
    if retained < base:
        t.say(
            f"Assiette retenue dans la limite de {fr_eur(base_ceiling)} {basis} : "
            f"{fr_pct(rate)} × {fr_eur(retained)} = {fr_eur(raw)}."
        )
    else:
        t.say(f"Aide : {fr_pct(rate)} × {fr_eur(base)} = {fr_eur(raw)}.")
    limited_by_base = retained < base
    if v.value("region_share_proration"):
        share = Criterion(t, "regional_activity", v.source("region_share_proration"))
        if region_share <= 0:
            share.refuse("no_regional_activity", _share_found(region_share))
            _not_reached(v, t, region_share, "aucune activité du projet dans la région")
            return ZERO
        share.passed(_share_found(region_share))
    share_after_cap = (
        v.value("region_share_proration")
        and region_share < 1
        and v.value("region_share_before_cap") is False
    )
    if v.value("region_share_proration") and region_share < 1 and not share_after_cap:
        prorated = raw * region_share
        t.reason(
            "region_share_prorated", v.source("region_share_proration"), share=fr_pct(region_share)
        )
        t.say(
            f"Proratisation à la part d'activité réalisée dans la région : {fr_eur(raw)} × "
            f"{fr_pct(region_share)} = {fr_eur(prorated)}."
        )
        raw = prorated
    award = cents(raw)
    limit = ceiling if cap is None else min(cap, ceiling)
    if limit is not None and award > limit:
        award = limit
        if cap is not None and cap <= 0:
            # The cap is used up: cap_wait already says why (no « reliquat de 0,00 € »).
            t.say("Plafond par entreprise entièrement consommé : aucune aide possible.")
        elif cap is not None and cap < ceiling:
            t.reason(
                "cap_remaining",
                v.source("ceiling_per_company"),
                cap=fr_eur(ceiling),
                used=fr_eur(ceiling - cap),
                remaining=fr_eur(cap),
            )
            t.say(f"Aide limitée au reliquat du plafond par entreprise : {fr_eur(award)}.")
        else:
            t.reason("ceiling_reached", v.source("ceiling"), ceiling=fr_eur(ceiling))
            t.say(f"Aide plafonnée à {fr_eur(ceiling)}.")
    elif limited_by_base:
        t.reason(
            "ceiling_reached",
            v.source("base_ceiling"),
            ceiling=f"{fr_eur(award)} (assiette retenue dans la limite de "
            f"{fr_eur(base_ceiling)} {basis})",
        )
    if share_after_cap:  # a region's choice: cap the project's aid, then prorate it
        prorated = cents(award * region_share)
        t.reason(
            "region_share_prorated", v.source("region_share_proration"), share=fr_pct(region_share)
        )
        t.say(
            f"Proratisation à la part d'activité réalisée dans la région : {fr_eur(award)} × "
            f"{fr_pct(region_share)} = {fr_eur(prorated)}."
        )
        award = prorated
    return _public_aid_cap(v, base, award, other_public_funding, t)


def _public_aid_cap(
    v: RuleVersion, base: Decimal, award: Decimal, other: Decimal, t: Trace
) -> Decimal:
    rate = v.value("public_aid_cap_rate")
    if rate is None:
        if other > 0:
            t.say(
                f"Autres aides publiques déclarées : {fr_eur(other)} ; le texte ne fixe pas de "
                "plafond de cumul."
            )
        return award
    c = _cap_criterion(v, t, rate)
    found = f"Autres aides publiques déclarées pour le projet : {fr_eur(other)}"
    cap = cents(rate * base)
    limit = max(cap - other, ZERO)
    if award > limit:
        if limit <= 0:
            c.refuse(
                "public_aid_cap",
                f"{found}, pour un plafond de cumul de {fr_eur(cap)}.",
                rate=fr_pct(rate),
                cap=fr_eur(cap),
                other=fr_eur(other),
                limit=fr_eur(limit),
            )
            return ZERO
        t.reason(
            "public_aid_cap",
            v.source("public_aid_cap_rate"),
            rate=fr_pct(rate),
            cap=fr_eur(cap),
            other=fr_eur(other),
            limit=fr_eur(limit),
        )
        t.say(
            f"Cumul des aides publiques limité à {fr_pct(rate)} de {fr_eur(base)}, soit "
            f"{fr_eur(cap)} ; moins {fr_eur(other)} d'autres aides : aide ramenée à "
            f"{fr_eur(limit)}."
        )
        c.passed(f"{found} : l'aide est ramenée à {fr_eur(limit)} (plafond de {fr_eur(cap)}).")
        return limit
    if other > 0:
        t.say(
            f"Cumul des aides publiques : {fr_eur(award)} + {fr_eur(other)} ≤ {fr_pct(rate)} "
            f"des dépenses éligibles ({fr_eur(cap)})."
        )
    c.passed(f"{found} ; avec l'aide de {fr_eur(award)}, plafond de {fr_eur(cap)} respecté.")
    return award


def _share_found(region_share: Decimal) -> str:
    return (
        f"Part de l'activité du projet réalisée dans la région déclarée : {fr_pct(region_share)}."
    )


def _cap_criterion(v: RuleVersion, t: Trace, rate: Decimal) -> Criterion:
    return Criterion(
        t,
        "public_aid_cap",
        v.source("public_aid_cap_rate"),
        f"Cumul des aides publiques d'au plus {fr_pct(rate)} des dépenses éligibles",
    )


def _not_reached(v: RuleVersion, t: Trace, region_share: Decimal, why: str) -> None:
    """Checks of the later steps, not evaluated when the computation stops early (a check
    already recorded is kept)."""
    finding = f"Non évalué : {why}."
    if v.value("region_share_proration"):
        Criterion(t, "regional_activity", v.source("region_share_proration")).not_applicable(
            f"{finding} {_share_found(region_share)}"
        )
    rate = v.value("public_aid_cap_rate")
    if rate is not None:
        _cap_criterion(v, t, rate).not_applicable(finding)
